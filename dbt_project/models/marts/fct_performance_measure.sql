-- Each contract performance measure per SFY against its target. SFYs come from
-- the targets seed, limited to those that have begun by the as-of date.
with

targets as (

    select * from {{ ref('performance_measures') }}

),

counts as (

    select * from {{ ref('int_performance_measure_counts') }}

),

measured as (

    select
        cast(targets.sfy as integer) as sfy,
        targets.measure_id,
        targets.measure_name,
        coalesce(counts.numerator, 0) as numerator,
        coalesce(counts.denominator, 0) as denominator,
        cast(targets.target as double precision) as target,
        targets.comparator
    from targets
    left join counts
        on cast(targets.sfy as integer) = counts.sfy
        and targets.measure_id = counts.measure_id
    where {{ sfy_start_date('cast(targets.sfy as integer)') }} <= {{ as_of_date() }}

),

valued as (

    select
        *,
        {{ safe_ratio('numerator', 'denominator') }} as value
    from measured

),

final as (

    select
        cast(sfy as integer) as sfy,
        cast(measure_id as varchar) as measure_id,
        cast(measure_name as varchar) as measure_name,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator,
        cast(value as double precision) as value,
        cast(target as double precision) as target,
        cast(comparator as varchar) as comparator,
        cast({{ measure_met('value', 'target', 'comparator') }} as boolean) as met,
        cast({{ sfy_is_final('sfy') }} as boolean) as is_final
    from valued

)

select * from final
