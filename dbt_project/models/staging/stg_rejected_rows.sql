-- Rejected input rows with their reason. The raw record (may hold PII) stays in raw.
-- Reasons written before ingestion stopped quoting values may quote a cell (a shifted note
-- in a number column); whatever they quote is withheld here, so no quoted cell leaves raw.
-- Older reasons of the activity date rules also repeated the row's dates unquoted (a
-- birth date typed into activity_date is a birth date): those are withheld too, while
-- the folder's month and the as-of date, the platform's own, stay as today's reasons
-- give them.
with

source as (

    select * from {{ source('raw', 'rejected_rows') }}

),

unquoted as (

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

),

final as (

    select
        file,
        sha256,
        row_number,
        reason_code,
        case reason_code
            when 'month_mismatch' then regexp_replace(
                reason, '^service_month \S+ does not match', 'service_month does not match'
            )
            when 'activity_outside_month' then regexp_replace(
                reason, '^activity_date \S+ is outside service_month.*$',
                'activity_date is outside service_month'
            )
            when 'activity_after_submission' then regexp_replace(
                reason, '^activity_date \S+ is after submitted_at.*$',
                'activity_date is after submitted_at'
            )
            when 'future_activity' then regexp_replace(
                reason, '^activity_date \S+ is after the as-of date',
                'activity_date is after the as-of date'
            )
            else reason
        end as reason,
        run_id,
        ingested_at
    from unquoted

)

select * from final
