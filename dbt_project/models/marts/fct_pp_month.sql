{{
    config(
        materialized='incremental',
        tags=['monthly_facts'],
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_service_month_window() }}"
    )
}}
-- Incremental by service month, like fct_family_month.
with

pp_months as (

    select * from {{ ref('int_pp_months') }}

),

parent_partners as (

    select * from {{ ref('int_parent_partners') }}

),

final as (

    select
        cast(pp_months.pp_id as varchar) as pp_id,
        cast(parent_partners.site_id as varchar) as site_id,
        cast(parent_partners.role as varchar) as role,
        cast(pp_months.service_month as date) as service_month,
        cast(pp_months.sfy as integer) as sfy,
        cast(pp_months.active_families as integer) as active_families,
        cast(pp_months.within_caseload_limit as boolean) as within_caseload_limit,
        cast(pp_months.family_minutes as integer) as family_minutes,
        cast(pp_months.pp_level_minutes as integer) as pp_level_minutes,
        cast(pp_months.forms_expected as integer) as forms_expected,
        cast(pp_months.forms_on_time as integer) as forms_on_time
    from pp_months
    left join parent_partners
        on pp_months.pp_id = parent_partners.pp_id
    {% if is_incremental() %}
    where {{ service_month_window_predicate('pp_months.service_month') }}
    {% endif %}

)

select * from final
