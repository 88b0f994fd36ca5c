{#- The landing-zone rule for snapshot files: per key, the row from the newest extract wins
    (ties: the later ingestion, the later file name, the later row). 1 marks the winner.
    Ingestion reads this order clause too (orchestration/storage/warehouse.py newest_extract_order). -#}
{% macro newest_extract_rank(key_columns) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by extract_date desc, _ingested_at desc, _source_file desc, _row_number desc
    )
{%- endmacro %}
