{# The one date every model computes against (var as_of_date, YYYY-MM-DD); models never read the wall clock. #}
{% macro as_of_date() -%}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}
