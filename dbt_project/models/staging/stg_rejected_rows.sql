-- Rejected input rows with their reason. The raw record (may hold PII) stays in raw.
with

source as (

    select * from {{ source('raw', 'rejected_rows') }}

),

final as (

    select
        file,
        sha256,
        row_number,
        reason_code,
        reason,
        run_id,
        ingested_at
    from source

)

select * from final
