-- Each site's monthly measures beside the statewide value of the month and the target,
-- with the change since the same month a year before.
with

activity as (

    select * from {{ ref('agg_activity_month') }}

),

targets as (

    select sfy, measure_id, target, comparator from {{ ref('fct_performance_measure') }}

),

-- The monthly figures a site is judged by, and the contract measure whose target each is
-- held to; the caseload is held to the caseload limit, which is no contract measure.
scorecard_measures as (

    select * from (values
        (1, 'avg_caseload', cast(null as varchar)),
        (2, 'share_meeting_initial_intensity', 'PM02'),
        (3, 'share_meeting_monthly_time', 'PM03'),
        (4, 'share_forms_on_time', 'PM05')
    ) as m (measure_order, scorecard_measure, measure_id)

),

long as (

    select level, area_id, service_month, sfy, 'avg_caseload' as scorecard_measure,
           avg_caseload as value
    from activity
    union all
    select level, area_id, service_month, sfy, 'share_meeting_initial_intensity',
           share_meeting_initial_intensity
    from activity
    union all
    select level, area_id, service_month, sfy, 'share_meeting_monthly_time',
           share_meeting_monthly_time
    from activity
    union all
    select level, area_id, service_month, sfy, 'share_forms_on_time', share_forms_on_time
    from activity

),

sites as (

    select * from long where level = 'site'

),

statewide as (

    select * from long where level = 'statewide'

),

scored as (

    select
        sites.area_id as site_id,
        sites.service_month,
        sites.sfy,
        scorecard_measures.measure_order,
        scorecard_measures.scorecard_measure,
        sites.value as site_value,
        statewide.value as statewide_value,
        case
            when scorecard_measures.measure_id is null
                then cast({{ program_parameter('caseload_limit') }} as double precision)
            else targets.target
        end as target,
        case
            when scorecard_measures.measure_id is null then '<='
            else targets.comparator
        end as comparator,
        year_before.value as year_before_value
    from sites
    inner join scorecard_measures
        on sites.scorecard_measure = scorecard_measures.scorecard_measure
    left join statewide
        on sites.service_month = statewide.service_month
        and sites.scorecard_measure = statewide.scorecard_measure
    left join targets
        on sites.sfy = targets.sfy
        and scorecard_measures.measure_id = targets.measure_id
    left join sites as year_before
        on sites.area_id = year_before.area_id
        and sites.scorecard_measure = year_before.scorecard_measure
        and year_before.service_month = {{ add_months('sites.service_month', -12) }}

),

final as (

    select
        cast(site_id as varchar) as site_id,
        cast(service_month as date) as service_month,
        cast(sfy as integer) as sfy,
        cast(measure_order as integer) as measure_order,
        cast(scorecard_measure as varchar) as scorecard_measure,
        cast(site_value as double precision) as site_value,
        cast(statewide_value as double precision) as statewide_value,
        cast(target as double precision) as target,
        cast(comparator as varchar) as comparator,
        cast({{ measure_met('site_value', 'target', 'comparator') }} as boolean) as met,
        cast(year_before_value as double precision) as year_before_value,
        cast(site_value - year_before_value as double precision) as change_since_year_before
    from scored

)

select * from final
