-- The CFSR periods: federal fiscal years from the first one with an episode or a
-- substantiated report to the one holding the as-of date.
with

digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9

),

first_year as (

    select min(fiscal_year) as fiscal_year
    from (
        select {{ ffy_of('removal_date') }} as fiscal_year from {{ ref('int_cfsr_episodes') }}
        union all
        select {{ ffy_of('report_date') }} as fiscal_year from {{ ref('int_cfsr_substantiated_reports') }}
    ) as data_years

),

final as (

    -- Offsets from a cross join of digits, so no adapter-specific series function.
    select
        first_year.fiscal_year + tens.digit * 10 + ones.digit as fiscal_year,
        {{ ffy_start_date('first_year.fiscal_year + tens.digit * 10 + ones.digit') }} as period_start,
        {{ ffy_end_date('first_year.fiscal_year + tens.digit * 10 + ones.digit') }} as period_end
    from first_year
    cross join digits as tens
    cross join digits as ones
    where first_year.fiscal_year + tens.digit * 10 + ones.digit <= {{ ffy_of(as_of_date()) }}

)

select * from final
