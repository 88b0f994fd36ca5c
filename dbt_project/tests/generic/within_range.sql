{#- Fails with every non-null value outside [min_value, max_value]; either bound may be omitted.
    A bound that is a program rule is named instead (min_parameter / max_parameter), so the
    test reads it from seeds/program_parameters.csv rather than repeating its value. -#}
{% test within_range(model, column_name, min_value=none, max_value=none, min_parameter=none, max_parameter=none) %}
    {%- set low = program_parameter(min_parameter) if min_parameter is not none else min_value -%}
    {%- set high = program_parameter(max_parameter) if max_parameter is not none else max_value %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and (
        {% if low is not none %}{{ column_name }} < {{ low }}{% else %}1 = 0{% endif %}
        or {% if high is not none %}{{ column_name }} > {{ high }}{% else %}1 = 0{% endif %}
      )
{% endtest %}
