-- Contract invoices; the later file (by name) wins per invoice_id, then the most recently ingested.
with

source as (

    select * from {{ source('raw', 'invoices') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by invoice_id
            order by _source_file desc, _ingested_at desc, _row_number desc
        ) as recency_rank
    from source

),

final as (

    select
        invoice_id,
        contract_id,
        invoice_type,
        service_month,
        amount,
        submitted_on,
        paid_on,
        _source_file as source_file
    from ranked
    where recency_rank = 1

)

select * from final
