{#- Fails with every non-null value that is not a code of `file_kind`.`column_name` in
    seeds/code_lists.csv, the one place the contract's code lists live (ingestion, the
    generator and the tests read the same file). `code_column` names the list when the
    tested column is named otherwise (a mart's column taken from a landing column). -#}
{% test in_code_list(model, column_name, file_kind, code_column=none) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and {{ column_name }} not in (
        select code
        from {{ ref('code_lists') }}
        where file_kind = '{{ file_kind }}'
          and column_name = '{{ code_column or column_name }}'
      )
{% endtest %}
