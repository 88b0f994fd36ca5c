-- Numerator and denominator of each contract performance measure (PM01..PM07)
-- for every SFY that has data: the SFY's months of int_performance_measure_month_counts
-- summed (the rules live there); targets and comparisons are applied in the mart.
with

month_counts as (

    select * from {{ ref('int_performance_measure_month_counts') }}

),

final as (

    select
        cast(sfy as integer) as sfy,
        measure_id,
        cast(sum(numerator) as integer) as numerator,
        cast(sum(denominator) as integer) as denominator
    from month_counts
    group by sfy, measure_id

)

select * from final
