-- Rejected input rows with their reason. The raw record (may hold PII) stays in raw.
-- Reasons written before ingestion stopped quoting values may quote a cell (a shifted note
-- in a number column); whatever they quote is withheld here, so no quoted cell leaves raw.
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
        regexp_replace(
            reason, '''[^'']*''|"[^"]*"', '[value withheld]', 'g'
        ) as reason,
        run_id,
        ingested_at
    from source

)

select * from final
