-- Calendar months of the reporting window: from the reporting start to the as-of month.
-- The reporting start is the configured one (var reporting_start, from
-- PPA_REPORTING_START) or else the first service month with any activity form: matches
-- that began before the program reported through this platform have no forms to expect
-- for their earlier months. With no forms at all, the earliest match month.
-- Offsets come from a cross join of digits (up to 1,000 months) so the spine
-- needs no adapter-specific generate_series and no compile-time query.
with

digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9

),

offsets as (

    select ones.digit + 10 * tens.digit + 100 * hundreds.digit as month_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds

),

first_form_month as (

    select min(service_month) as first_month
    from {{ ref('stg_activity_form_versions') }}

),

first_match_month as (

    select min(match_month) as first_month
    from {{ ref('int_matches') }}

),

bounds as (

    select
        coalesce(
            {% if var('reporting_start') %}{{ month_start("cast('" ~ var('reporting_start') ~ "' as date)") }},{% endif %}
            first_form_month.first_month,
            first_match_month.first_month
        ) as first_month,
        {{ month_start(as_of_date()) }} as last_month
    from first_match_month
    cross join first_form_month

),

months as (

    select {{ add_months('bounds.first_month', 'offsets.month_offset') }} as service_month
    from bounds
    cross join offsets
    where bounds.first_month is not null

),

final as (

    select
        service_month,
        {{ month_end('service_month') }} as month_end_date,
        {{ sfy_of('service_month') }} as sfy,
        {{ form_due_date('service_month') }} as form_due_date,
        {{ form_due_date('service_month') }} < {{ as_of_date() }} as is_form_expected
    from months
    where service_month <= (select last_month from bounds)

)

select * from final
