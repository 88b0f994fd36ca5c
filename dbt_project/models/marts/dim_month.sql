-- Calendar months covered by the program data (earliest match month to the as-of month).
with

months as (

    select * from {{ ref('int_month_spine') }}

),

final as (

    select
        cast(service_month as date) as service_month,
        cast(month_end_date as date) as month_end_date,
        cast(sfy as integer) as sfy,
        cast(form_due_date as date) as form_due_date,
        cast(is_form_expected as boolean) as is_form_expected
    from months

)

select * from final
