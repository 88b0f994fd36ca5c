{#- Fails with one row per listed column that holds a null: the column and how many rows
    hold one. One scan of the model for all its required columns, where a `not_null` test
    per column would be a node and a query each (a run then compiled and ran hundreds). -#}
{% test not_null_columns(model, columns) %}
    with null_counts as (
        select
        {%- for column in columns %}
            count(*) filter (where {{ adapter.quote(column) }} is null) as nulls_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
        from {{ model }}
    )
    {%- for column in columns %}
    select '{{ column }}' as column_name, nulls_{{ loop.index }} as null_rows
    from null_counts
    where nulls_{{ loop.index }} > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}
{% endtest %}
