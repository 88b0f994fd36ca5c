{# Iowa's state fiscal year: SFY s runs (s-1)-07-01 .. s-06-30, so July onwards belongs to the next calendar year's SFY. #}
{% macro sfy_of(date_expr) -%}
    cast(extract(year from {{ date_expr }}) + case when extract(month from {{ date_expr }}) >= 7 then 1 else 0 end as integer)
{%- endmacro %}

{% macro sfy_start_date(sfy_expr) -%}
    cast(cast(({{ sfy_expr }}) - 1 as {{ dbt.type_string() }}) || '-07-01' as date)
{%- endmacro %}

{% macro sfy_end_date(sfy_expr) -%}
    cast(cast({{ sfy_expr }} as {{ dbt.type_string() }}) || '-06-30' as date)
{%- endmacro %}

{# An SFY's figures are final once the as-of date is at least finality_lag_days (a program parameter) after its end. #}
{% macro sfy_is_final(sfy_expr) -%}
    {{ as_of_date() }} >= {{ add_days(sfy_end_date(sfy_expr), program_parameter('finality_lag_days')) }}
{%- endmacro %}
