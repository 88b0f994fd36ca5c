-- Reference values for the statewide CFSR indicators (national standards, a state's own
-- targets), published so the dashboards can draw them beside fct_cfsr_indicator.
with

reference_values as (

    select * from {{ ref('cfsr_reference_values') }}

),

final as (

    select
        cast(indicator as {{ dbt.type_string() }}) as indicator,
        cast(source as {{ dbt.type_string() }}) as source,
        cast(period as {{ dbt.type_string() }}) as period,
        cast(value as double precision) as value,
        cast(direction as {{ dbt.type_string() }}) as direction
    from reference_values

)

select * from final
