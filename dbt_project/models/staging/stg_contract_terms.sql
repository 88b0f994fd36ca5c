-- Contract terms per (contract_id, sfy); when the terms file is replaced, the most recently ingested row wins.
with

source as (

    select * from {{ source('raw', 'contract_terms') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by contract_id, sfy
            order by _ingested_at desc, _source_file desc, _row_number desc
        ) as recency_rank
    from source

),

final as (

    select
        contract_id,
        contractor,
        cast(sfy as integer) as sfy,
        term_start,
        term_end,
        annual_value,
        retainage_pct,
        _source_file as source_file
    from ranked
    where recency_rank = 1

)

select * from final
