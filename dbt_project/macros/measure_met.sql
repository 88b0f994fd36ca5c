{# Whether a measure's value meets its target: `>=` must reach it, `<=` must not exceed it; null without a value. #}
{% macro measure_met(value, target, comparator) -%}
    case
        when {{ value }} is null then null
        when {{ comparator }} = '>=' then {{ value }} >= {{ target }}
        when {{ comparator }} = '<=' then {{ value }} <= {{ target }}
    end
{%- endmacro %}
