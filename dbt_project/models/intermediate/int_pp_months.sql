-- One row per Parent Partner and month with at least one active match: caseload,
-- forms of their own matches, and the minutes they logged (latest versions, warnings included).
with

match_months as (

    select * from {{ ref('int_match_month_activity') }}

),

activity as (

    select * from {{ ref('int_activity_rows_classified') }}

),

caseload as (

    select
        pp_id,
        service_month,
        min(sfy) as sfy,
        cast(count(distinct family_id) as integer) as active_families,
        cast(count(distinct case when form_expected then family_id end) as integer) as forms_expected,
        cast(count(distinct case when form_on_time then family_id end) as integer) as forms_on_time
    from match_months
    group by pp_id, service_month

),

minutes as (

    select
        pp_id,
        service_month,
        sum(case when is_family_level then duration_minutes else 0 end) as family_minutes,
        sum(case when is_family_level then 0 else duration_minutes end) as pp_level_minutes
    from activity
    group by pp_id, service_month

),

final as (

    select
        caseload.pp_id,
        caseload.service_month,
        caseload.sfy,
        caseload.active_families,
        caseload.active_families <= {{ program_parameter('caseload_limit') }} as within_caseload_limit,
        cast(coalesce(minutes.family_minutes, 0) as integer) as family_minutes,
        cast(coalesce(minutes.pp_level_minutes, 0) as integer) as pp_level_minutes,
        caseload.forms_expected,
        caseload.forms_on_time
    from caseload
    left join minutes
        on caseload.pp_id = minutes.pp_id
        and caseload.service_month = minutes.service_month

)

select * from final
