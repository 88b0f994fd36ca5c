-- Program sites and the service area each belongs to.
with

sites as (

    select * from {{ ref('sites') }}

),

final as (

    select
        cast(site_id as varchar) as site_id,
        cast(site_name as varchar) as site_name,
        cast(service_area as varchar) as service_area
    from sites

)

select * from final
