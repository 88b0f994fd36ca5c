-- The label and number format of every published column, from seeds/column_labels.csv,
-- so the dashboards' headers and formats come with the data, not from Python literals.
with

labels as (

    select * from {{ ref('column_labels') }}

),

final as (

    select
        cast(column_name as varchar) as column_name,
        cast(label as varchar) as label,
        cast(format as varchar) as format
    from labels

)

select * from final
