-- Federal CFSR Round 4 statewide data indicators computable from the state extract, one
-- row per indicator and federal fiscal year. Each indicator's cohort and events are its
-- own int_cfsr_ model; here a year is published only once the indicator's whole
-- follow-up window has ended by the as-of date, so a published value never changes with
-- later data. The rules in words are in fct_cfsr_indicator.yml.
with

indicators as (

    select indicator, period_start, period_end, window_end, numerator, denominator
    from {{ ref('int_cfsr_permanency_12m_entries') }}
    union all
    select indicator, period_start, period_end, window_end, numerator, denominator
    from {{ ref('int_cfsr_permanency_12m_in_care') }}
    union all
    select indicator, period_start, period_end, window_end, numerator, denominator
    from {{ ref('int_cfsr_reentry_12m') }}
    union all
    select indicator, period_start, period_end, window_end, numerator, denominator
    from {{ ref('int_cfsr_recurrence_12m') }}
    union all
    select indicator, period_start, period_end, window_end, numerator, denominator
    from {{ ref('int_cfsr_maltreatment_in_care') }}

),

final as (

    select
        cast(indicator as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator,
        case
            when indicator = 'maltreatment_in_care'
                then {{ safe_ratio('numerator', 'denominator') }} * 100000
            else {{ safe_ratio('numerator', 'denominator') }}
        end as value
    from indicators
    where window_end <= {{ as_of_date() }}

)

select * from final
