-- Eligibility of every Parent Partner on the roster, with the reason in words.
with

parent_partners as (

    select * from {{ ref('int_parent_partners') }}

),

final as (

    select
        cast(pp_id as varchar) as pp_id,
        cast(site_id as varchar) as site_id,
        cast(role as varchar) as role,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(is_active as boolean) as is_active,
        cast(is_eligible as boolean) as is_eligible,
        cast(eligibility_reason as varchar) as eligibility_reason
    from parent_partners

)

select * from final
