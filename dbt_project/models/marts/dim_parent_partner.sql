-- Parent Partners without names: site, service area, role, tenure and eligibility with
-- its reason. The one published table of the roster (the site pages list it, the data
-- quality page finds a form's site through it).
with

parent_partners as (

    select * from {{ ref('int_parent_partners') }}

),

final as (

    select
        cast(pp_id as varchar) as pp_id,
        cast(site_id as varchar) as site_id,
        cast(service_area as varchar) as service_area,
        cast(role as varchar) as role,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(is_active as boolean) as is_active,
        cast(is_eligible as boolean) as is_eligible,
        cast(eligibility_reason as varchar) as eligibility_reason
    from parent_partners

)

select * from final
