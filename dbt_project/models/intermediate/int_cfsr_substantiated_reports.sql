-- The substantiated maltreatment reports the CFSR indicators count: those dated on or
-- before the as-of date, with the child's 18th birthday as the episodes extract knows it.
with

reports as (

    select report_id, child_id, report_date
    from {{ ref('stg_maltreatment_reports') }}
    where is_substantiated and report_date <= {{ as_of_date() }}

),

children as (

    -- Children who were never in care are not in the episodes extract.
    select child_id, min(child_turns_18_on) as child_turns_18_on
    from {{ ref('stg_removal_episodes') }}
    group by child_id

),

final as (

    select
        reports.report_id,
        reports.child_id,
        reports.report_date,
        children.child_turns_18_on
    from reports
    left join children
        on reports.child_id = children.child_id

)

select * from final
