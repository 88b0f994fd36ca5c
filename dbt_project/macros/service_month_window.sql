{#
  The incremental activity facts rebuild only the months between vars
  min_service_month and max_service_month (inclusive, first days of months).
  With both vars null an incremental run rebuilds every month.
#}
{% macro service_month_var(name) -%}
    {%- set value = var(name, none) -%}
    {{ return(none if value is none or (value | string | trim) in ('', 'None', 'null') else (value | string | trim)) }}
{%- endmacro %}

{% macro service_month_window_predicate(column='service_month') -%}
    {%- set low = service_month_var('min_service_month') -%}
    {%- set high = service_month_var('max_service_month') -%}
    {%- if low is not none -%}{{ column }} >= cast('{{ low }}' as date){%- else -%}1 = 1{%- endif %}
    and {% if high is not none -%}{{ column }} <= cast('{{ high }}' as date){%- else -%}1 = 1{%- endif -%}
{%- endmacro %}

{# Pre-hook of the incremental facts: clear the window so months that lost all rows do not linger. #}
{% macro delete_service_month_window() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ service_month_window_predicate() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
