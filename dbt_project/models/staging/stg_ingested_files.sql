-- One row per landing file version ingested (path + sha256), with its row counts and outcome.
with

source as (

    select * from {{ source('raw', 'ingested_files') }}

),

final as (

    select
        file,
        kind,
        sha256,
        size_bytes,
        partition_key,
        rows_read,
        rows_accepted,
        rows_rejected,
        rows_warned,
        status,
        error,
        run_id,
        ingested_at
    from source

)

select * from final
