-- The forms of the last closed month that are still overdue: due (the month's due date
-- is before the as-of date) and never received from the matched Parent Partner. The
-- list each site coordinator works through, by Parent Partner and family.
with

months as (

    select * from {{ ref('dim_month') }}

),

family_months as (

    select * from {{ ref('fct_family_month') }}

),

last_closed_month as (

    select max(service_month) as service_month
    from months
    where is_form_expected

),

overdue as (

    select
        family_months.site_id,
        family_months.pp_id,
        family_months.family_id,
        family_months.match_id,
        family_months.service_month,
        months.form_due_date
    from family_months
    inner join last_closed_month
        on family_months.service_month = last_closed_month.service_month
    inner join months
        on family_months.service_month = months.service_month
    where family_months.form_expected and not family_months.form_received

),

final as (

    select
        cast(site_id as varchar) as site_id,
        cast(pp_id as varchar) as pp_id,
        cast(family_id as varchar) as family_id,
        cast(match_id as varchar) as match_id,
        cast(service_month as date) as service_month,
        cast(form_due_date as date) as form_due_date,
        cast({{ as_of_date() }} - form_due_date as integer) as days_overdue
    from overdue

)

select * from final
