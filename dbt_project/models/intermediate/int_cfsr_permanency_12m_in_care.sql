-- CFSR permanency in 12 months for children in care 12-23 months and 24 months or more
-- on the first day of the federal fiscal year.
with

in_care_on_period_start as (

    select
        periods.period_start,
        periods.period_end,
        case
            when {{ add_months('episodes.removal_date', 24) }} <= periods.period_start then 'permanency_12m_in_care_24_plus'
            when {{ add_months('episodes.removal_date', 12) }} <= periods.period_start then 'permanency_12m_in_care_12_23'
        end as indicator,
        episodes.child_id,
        episodes.discharged_to_permanency and episodes.discharge_date <= periods.period_end as achieved
    from {{ ref('int_cfsr_episodes') }} as episodes
    inner join {{ ref('int_cfsr_periods') }} as periods
        on episodes.removal_date < periods.period_start
        and (episodes.discharge_date is null or episodes.discharge_date >= periods.period_start)
    where episodes.child_turns_18_on is null or periods.period_start < episodes.child_turns_18_on

),

final as (

    select
        cast(indicator as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        period_end as window_end,
        count(distinct case when achieved then child_id end) as numerator,
        count(distinct child_id) as denominator
    from in_care_on_period_start
    where indicator is not null
    group by indicator, period_start, period_end

)

select * from final
