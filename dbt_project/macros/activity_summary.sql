{#
  The activity summary behind agg_activity_month and agg_activity_sfy: one row
  per level (statewide, service_area, site), area and period. Families count
  under the site of their referral; Parent Partners under their roster site.
  `period_columns` are the fact columns that define the period.
#}
{% macro activity_summary(period_columns) %}
{%- set period = period_columns | join(', ') -%}
with

sites as (

    select * from {{ ref('sites') }}

),

family_months as (

    select
        fct.*,
        coalesce(fct.site_id, 'unknown') as site_area,
        coalesce(sites.service_area, 'unknown') as service_area_area
    from {{ ref('fct_family_month') }} as fct
    left join sites
        on fct.site_id = sites.site_id

),

pp_months as (

    select
        fct.*,
        coalesce(fct.site_id, 'unknown') as site_area,
        coalesce(sites.service_area, 'unknown') as service_area_area
    from {{ ref('fct_pp_month') }} as fct
    left join sites
        on fct.site_id = sites.site_id

),

family_levels as (

    select 'statewide' as level, 'statewide' as area_id, family_months.* from family_months
    union all
    select 'service_area' as level, service_area_area as area_id, family_months.* from family_months
    union all
    select 'site' as level, site_area as area_id, family_months.* from family_months

),

pp_levels as (

    select 'statewide' as level, 'statewide' as area_id, pp_months.* from pp_months
    union all
    select 'service_area' as level, service_area_area as area_id, pp_months.* from pp_months
    union all
    select 'site' as level, site_area as area_id, pp_months.* from pp_months

),

family_summary as (

    select
        level,
        area_id,
        {{ period }},
        count(distinct family_id) as active_families,
        sum(case when meets_initial_intensity is not null then 1 else 0 end) as initial_intensity_months,
        sum(case when meets_initial_intensity then 1 else 0 end) as initial_intensity_met,
        sum(case when meets_monthly_time is not null then 1 else 0 end) as monthly_time_months,
        sum(case when meets_monthly_time then 1 else 0 end) as monthly_time_met,
        sum(case when form_expected then 1 else 0 end) as forms_expected,
        sum(case when form_expected and form_received then 1 else 0 end) as forms_received,
        sum(case when form_expected and form_on_time then 1 else 0 end) as forms_on_time,
        sum(case when form_expected and form_received and not form_on_time then 1 else 0 end) as forms_late,
        sum(case when form_expected and not form_received then 1 else 0 end) as forms_missing
    from family_levels
    group by level, area_id, {{ period }}

),

pp_summary as (

    select
        level,
        area_id,
        {{ period }},
        count(distinct pp_id) as active_pps,
        count(*) as pp_months,
        avg(cast(active_families as double precision)) as avg_caseload,
        count(distinct case when not within_caseload_limit then pp_id end) as pps_over_caseload_limit
    from pp_levels
    group by level, area_id, {{ period }}

),

area_periods as (

    select level, area_id, {{ period }} from family_summary
    union
    select level, area_id, {{ period }} from pp_summary

),

final as (

    select
        cast(area_periods.level as varchar) as level,
        cast(area_periods.area_id as varchar) as area_id,
        {%- for column in period_columns %}
        area_periods.{{ column }},
        {%- endfor %}
        cast(coalesce(family_summary.active_families, 0) as integer) as active_families,
        cast(coalesce(pp_summary.active_pps, 0) as integer) as active_pps,
        cast(coalesce(pp_summary.pp_months, 0) as integer) as pp_months,
        cast(pp_summary.avg_caseload as double precision) as avg_caseload,
        cast(coalesce(pp_summary.pps_over_caseload_limit, 0) as integer) as pps_over_caseload_limit,
        cast(coalesce(family_summary.initial_intensity_months, 0) as integer) as initial_intensity_months,
        cast(coalesce(family_summary.initial_intensity_met, 0) as integer) as initial_intensity_met,
        cast({{ safe_ratio('family_summary.initial_intensity_met', 'family_summary.initial_intensity_months') }} as double precision)
            as share_meeting_initial_intensity,
        cast(coalesce(family_summary.monthly_time_months, 0) as integer) as monthly_time_months,
        cast(coalesce(family_summary.monthly_time_met, 0) as integer) as monthly_time_met,
        cast({{ safe_ratio('family_summary.monthly_time_met', 'family_summary.monthly_time_months') }} as double precision)
            as share_meeting_monthly_time,
        cast(coalesce(family_summary.forms_expected, 0) as integer) as forms_expected,
        cast(coalesce(family_summary.forms_received, 0) as integer) as forms_received,
        cast(coalesce(family_summary.forms_on_time, 0) as integer) as forms_on_time,
        cast(coalesce(family_summary.forms_late, 0) as integer) as forms_late,
        cast(coalesce(family_summary.forms_missing, 0) as integer) as forms_missing,
        cast({{ safe_ratio('family_summary.forms_on_time', 'family_summary.forms_expected') }} as double precision)
            as share_forms_on_time
    from area_periods
    left join family_summary
        on area_periods.level = family_summary.level
        and area_periods.area_id = family_summary.area_id
        {%- for column in period_columns %}
        and area_periods.{{ column }} = family_summary.{{ column }}
        {%- endfor %}
    left join pp_summary
        on area_periods.level = pp_summary.level
        and area_periods.area_id = pp_summary.area_id
        {%- for column in period_columns %}
        and area_periods.{{ column }} = pp_summary.{{ column }}
        {%- endfor %}

)

select * from final
{% endmacro %}
