{{
    config(
        materialized='incremental',
        tags=['monthly_facts'],
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_service_month_window() }}"
    )
}}
-- Incremental by service month: an incremental run deletes and re-inserts the
-- months of vars min_service_month..max_service_month (every month when both are null).
with

family_months as (

    select * from {{ ref('int_family_months') }}

),

final as (

    select
        cast(family_id as varchar) as family_id,
        cast(match_id as varchar) as match_id,
        cast(pp_id as varchar) as pp_id,
        cast(site_id as varchar) as site_id,
        cast(service_month as date) as service_month,
        cast(sfy as integer) as sfy,
        cast(match_month_index as integer) as match_month_index,
        cast(is_full_month as boolean) as is_full_month,
        cast(face_to_face_contacts as integer) as face_to_face_contacts,
        cast(face_to_face_minutes as integer) as face_to_face_minutes,
        cast(total_contacts as integer) as total_contacts,
        cast(total_minutes as integer) as total_minutes,
        cast(form_expected as boolean) as form_expected,
        cast(form_received as boolean) as form_received,
        cast(form_on_time as boolean) as form_on_time,
        cast(meets_initial_intensity as boolean) as meets_initial_intensity,
        cast(meets_monthly_time as boolean) as meets_monthly_time
    from family_months
    {% if is_incremental() %}
    where {{ service_month_window_predicate() }}
    {% endif %}

)

select * from final
