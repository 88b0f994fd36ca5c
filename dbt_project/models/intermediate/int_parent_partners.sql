-- The roster with each Parent Partner's service area and eligibility: a Parent
-- Partner is eligible when their own reunification was at least one year before
-- their start date.
with

roster as (

    select * from {{ ref('stg_parent_partners') }}

),

sites as (

    select * from {{ ref('sites') }}

),

final as (

    select
        roster.pp_id,
        roster.site_id,
        sites.service_area,
        roster.role,
        roster.start_date,
        roster.end_date,
        roster.start_date <= {{ as_of_date() }}
            and (roster.end_date is null or roster.end_date >= {{ as_of_date() }}) as is_active,
        coalesce(
            roster.own_reunification_date <= {{ add_months('roster.start_date', -12) }},
            false
        ) as is_eligible,
        case
            when roster.own_reunification_date is null then 'reunification_date_missing'
            when roster.own_reunification_date <= {{ add_months('roster.start_date', -12) }} then 'eligible'
            else 'reunified_less_than_one_year_before_start'
        end as eligibility_reason
    from roster
    left join sites
        on roster.site_id = sites.site_id

)

select * from final
