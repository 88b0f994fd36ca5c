{# The standard normal quantile of a two-sided 95% interval (1.96), the confidence the outcome comparison uses too. #}
{% macro z_95() -%}
    1.959963984540054
{%- endmacro %}

{# A ratio to four decimals, through numeric: PostgreSQL rounds no double precision to places. #}
{% macro round_ratio(expr) -%}
    cast(round(cast({{ expr }} as {{ dbt.type_numeric() }}), 4) as double precision)
{%- endmacro %}
