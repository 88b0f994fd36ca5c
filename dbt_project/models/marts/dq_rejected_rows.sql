-- Every rejected input row with its reason in plain words; the rejected values themselves are not published.
with

rejected as (

    select * from {{ ref('stg_rejected_rows') }}

),

final as (

    select
        cast(file as varchar) as file,
        cast(row_number as integer) as row_number,
        cast(reason_code as varchar) as reason_code,
        cast(reason as varchar) as reason
    from rejected

)

select * from final
