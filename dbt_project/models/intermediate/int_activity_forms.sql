{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_service_month_window() }}"
    )
}}
-- One row per activity form (PP, family or none, month): its first and latest
-- submission and whether the first one arrived by the due date (the 10th of
-- the following month, end of day). Timeliness is judged on the first version.
-- Incremental by service month (a form is one month's): a run of some months rebuilds them.
with

versions as (

    select * from {{ ref('stg_activity_form_versions') }}
    {% if is_incremental() %}
    where {{ service_month_window_predicate() }}
    {% endif %}

),

forms as (

    select
        form_id,
        pp_id,
        family_id,
        service_month,
        min(submitted_at) as first_submitted_at,
        max(submitted_at) as latest_submitted_at,
        cast(count(*) as integer) as version_count
    from versions
    group by form_id, pp_id, family_id, service_month

),

final as (

    select
        form_id,
        pp_id,
        family_id,
        service_month,
        first_submitted_at,
        latest_submitted_at,
        version_count,
        {{ form_due_date('service_month') }} as form_due_date,
        cast(first_submitted_at as date) <= {{ form_due_date('service_month') }} as first_version_on_time
    from forms

)

select * from final
