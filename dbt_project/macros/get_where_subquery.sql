{#
  A data test's `where` config, with one placeholder: `__service_month_window__` is the
  run's service-month window (vars min_service_month..max_service_month; every row when a
  run has none). The tests of the activity forms' month-incremental models use it: a run of
  some months rebuilds only those months, every key they test is within a month (a form is
  one month's, a file one month's forms), so the rows of the other months are the ones an
  earlier run tested, unchanged. A run without a window tests every row.
  Config in .yml is rendered when the project is parsed, before a run's vars are known:
  this macro, dbt's documented hook for a templated `where`, renders it for each run.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where | replace('__service_month_window__', service_month_window_predicate()) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
