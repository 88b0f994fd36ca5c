{#- Fails with every non-null value that is not a code of its list in seeds/code_lists.csv
    (the code lists the landing-zone contract fixes; ingestion reads the same file).
    `code_column` names the list when the model's column is named differently. -#}
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
