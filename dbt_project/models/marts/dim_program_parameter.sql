-- The program's rules (caseload limit, targets, windows, due day) as published data,
-- so the dashboards draw their target lines from the values the metrics used.
with

parameters as (

    select * from {{ ref('program_parameters') }}

),

final as (

    select
        cast(parameter as varchar) as parameter,
        cast(value as integer) as value,
        cast(unit as varchar) as unit,
        cast(description as varchar) as description,
        cast(source as varchar) as source
    from parameters

)

select * from final
