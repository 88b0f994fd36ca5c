-- The year-to-date trajectory ends where the SFY's measure stands: in the last published
-- month of each SFY, numerator and denominator equal fct_performance_measure's.
with

last_month as (

    select sfy, max(service_month) as service_month
    from {{ ref('fct_performance_measure_ytd') }}
    group by sfy

),

ytd as (

    select ytd.*
    from {{ ref('fct_performance_measure_ytd') }} as ytd
    inner join last_month
        on ytd.sfy = last_month.sfy
        and ytd.service_month = last_month.service_month

)

select
    ytd.sfy,
    ytd.measure_id,
    ytd.numerator as ytd_numerator,
    sfy_figure.numerator,
    ytd.denominator as ytd_denominator,
    sfy_figure.denominator
from ytd
left join {{ ref('fct_performance_measure') }} as sfy_figure
    on ytd.sfy = sfy_figure.sfy
    and ytd.measure_id = sfy_figure.measure_id
where sfy_figure.measure_id is null
    or ytd.numerator <> sfy_figure.numerator
    or ytd.denominator <> sfy_figure.denominator
