{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_service_month_window() }}"
    )
}}
-- Latest-version activity rows with their activity type's family-level and face-to-face flags.
-- Incremental by service month (a form is one month's): a run of some months rebuilds them.
with

activity_rows as (

    select * from {{ ref('stg_activity_rows') }}
    {% if is_incremental() %}
    where {{ service_month_window_predicate() }}
    {% endif %}

),

activity_types as (

    select * from {{ ref('activity_types') }}

),

final as (

    select
        activity_rows.form_id,
        activity_rows.pp_id,
        activity_rows.family_id,
        activity_rows.service_month,
        activity_rows.activity_date,
        activity_rows.activity_type,
        activity_rows.duration_minutes,
        activity_rows.has_warnings,
        coalesce(cast(activity_types.family_level as boolean), activity_rows.family_id is not null) as is_family_level,
        coalesce(cast(activity_types.face_to_face as boolean), false) as is_face_to_face
    from activity_rows
    left join activity_types
        on activity_rows.activity_type = activity_types.activity_type

)

select * from final
