{# The one date every model computes against (var as_of_date, YYYY-MM-DD, passed by every run); models never read the wall clock. #}
{% macro as_of_date() -%}
    {%- if execute and not var("as_of_date") -%}
        {{ exceptions.raise_compiler_error("as_of_date is not set: pass it, e.g. --vars '{as_of_date: \"2024-08-01\"}' (ppa run passes its --as-of)") }}
    {%- endif -%}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}
