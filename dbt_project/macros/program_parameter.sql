{#-
  One program rule, read from seeds/program_parameters.csv (the only place its value lives),
  as a scalar subquery. A subquery rather than a compile-time constant so that a dbt unit
  test can give the seed other values and watch the metric move, and so that editing the
  seed and re-running dbt is the whole of a rule change. tests/test_program_parameters.py
  checks that every name used in the SQL is in the seed.
-#}
{% macro program_parameter(name) -%}
    (select value from {{ ref('program_parameters') }} where parameter = '{{ name }}')
{%- endmacro %}
