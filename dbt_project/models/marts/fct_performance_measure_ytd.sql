-- Each contract performance measure's year-to-date trajectory: for every month of an
-- SFY up to the as-of month, the measure over the SFY's cases from its first month
-- through that month, against the SFY's target. The counts come from
-- int_performance_measure_month_counts, so the SFY's last month published here is
-- fct_performance_measure's figure for the SFY.
with

targets as (

    select * from {{ ref('performance_measures') }}

),

months as (

    select service_month, sfy from {{ ref('int_month_spine') }}

),

month_counts as (

    select * from {{ ref('int_performance_measure_month_counts') }}

),

grid as (

    select
        months.sfy,
        months.service_month,
        targets.measure_id,
        targets.measure_name,
        cast(targets.target as double precision) as target,
        targets.comparator
    from months
    inner join targets
        on cast(targets.sfy as integer) = months.sfy

),

year_to_date as (

    select
        grid.sfy,
        grid.service_month,
        grid.measure_id,
        grid.measure_name,
        grid.target,
        grid.comparator,
        coalesce(sum(month_counts.numerator), 0) as numerator,
        coalesce(sum(month_counts.denominator), 0) as denominator
    from grid
    left join month_counts
        on month_counts.sfy = grid.sfy
        and month_counts.measure_id = grid.measure_id
        and month_counts.service_month <= grid.service_month
    group by grid.sfy, grid.service_month, grid.measure_id, grid.measure_name, grid.target,
        grid.comparator

),

valued as (

    select
        *,
        {{ safe_ratio('numerator', 'denominator') }} as value
    from year_to_date

),

final as (

    select
        cast(sfy as integer) as sfy,
        cast(service_month as date) as service_month,
        cast(measure_id as varchar) as measure_id,
        cast(measure_name as varchar) as measure_name,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator,
        cast(value as double precision) as value,
        cast(target as double precision) as target,
        cast(comparator as varchar) as comparator,
        cast({{ measure_met('value', 'target', 'comparator') }} as boolean) as met
    from valued

)

select * from final
