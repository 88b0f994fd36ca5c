{# Unrounded share, null when the denominator is zero; cast first so integer division never truncates (PostgreSQL). #}
{% macro safe_ratio(numerator, denominator) -%}
    case when {{ denominator }} = 0 or {{ denominator }} is null then null
         else cast({{ numerator }} as double precision) / cast({{ denominator }} as double precision) end
{%- endmacro %}
