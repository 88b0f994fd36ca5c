{# The federal fiscal year: FFY f runs (f-1)-10-01 .. f-09-30, so October onwards belongs to the next calendar year's FFY. #}
{% macro ffy_of(date_expr) -%}
    cast(extract(year from {{ date_expr }}) + case when extract(month from {{ date_expr }}) >= 10 then 1 else 0 end as integer)
{%- endmacro %}

{% macro ffy_start_date(ffy_expr) -%}
    cast(cast(({{ ffy_expr }}) - 1 as {{ dbt.type_string() }}) || '-10-01' as date)
{%- endmacro %}

{% macro ffy_end_date(ffy_expr) -%}
    cast(cast({{ ffy_expr }} as {{ dbt.type_string() }}) || '-09-30' as date)
{%- endmacro %}
