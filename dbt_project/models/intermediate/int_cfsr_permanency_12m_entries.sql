-- CFSR permanency in 12 months for children entering care, per federal fiscal year.
with

entries as (

    select * from {{ ref('int_cfsr_entry_cohort') }}

),

final as (

    select
        cast('permanency_12m_entries' as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        {{ add_months('period_end', 12) }} as window_end,
        sum(case
            when discharged_to_permanency and discharge_date <= {{ add_months('removal_date', 12) }}
            then 1 else 0
        end) as numerator,
        count(*) as denominator
    from entries
    group by period_start, period_end

)

select * from final
