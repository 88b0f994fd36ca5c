-- Core training compliance per Parent Partner as of the as-of date, and whether
-- the core was complete by their first match.
with

parent_partners as (

    select * from {{ ref('int_parent_partners') }}

),

training as (

    select * from {{ ref('int_pp_core_training') }}

),

first_matches as (

    select pp_id, min(match_date) as first_match_date
    from {{ ref('int_matches') }}
    group by pp_id

),

final as (

    select
        cast(parent_partners.pp_id as varchar) as pp_id,
        cast(parent_partners.site_id as varchar) as site_id,
        cast(parent_partners.role as varchar) as role,
        cast(parent_partners.is_active as boolean) as is_active,
        cast(training.core_topics_required as integer) as core_topics_required,
        cast(training.core_topics_completed as integer) as core_topics_completed,
        cast(training.core_hours_completed as double precision) as core_hours_completed,
        cast(training.total_hours_completed as double precision) as total_hours_completed,
        cast(training.all_core_complete as boolean) as all_core_complete,
        cast(training.core_completed_on as date) as core_completed_on,
        cast(first_matches.first_match_date as date) as first_match_date,
        cast(
            case
                when first_matches.first_match_date is null then null
                else coalesce(training.core_completed_on <= first_matches.first_match_date, false)
            end as boolean
        ) as core_complete_before_first_match
    from parent_partners
    inner join training
        on parent_partners.pp_id = training.pp_id
    left join first_matches
        on parent_partners.pp_id = first_matches.pp_id

)

select * from final
