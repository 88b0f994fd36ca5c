{# dbt.dateadd returns a timestamp on some adapters (PostgreSQL); these keep date arithmetic on dates. #}
{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, months) -%}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{%- endmacro %}

{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{% macro month_end(date_expr) -%}
    cast({{ dbt.last_day(date_expr, 'month') }} as date)
{%- endmacro %}

{# A form for month m is due at the end of the due day (program parameter form_due_day) of month m+1. #}
{% macro form_due_date(service_month_expr) -%}
    {{ add_days(add_months(service_month_expr, 1), program_parameter('form_due_day') ~ ' - 1') }}
{%- endmacro %}
