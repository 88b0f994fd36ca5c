-- The Parent Partner roster as of the newest extract holding each pp_id. Names (PII) stay in raw.
with

source as (

    select * from {{ source('raw', 'parent_partners') }}

),

ranked as (

    select
        *,
        {{ newest_extract_rank(['pp_id']) }} as extract_rank
    from source

),

final as (

    select
        pp_id,
        site_id,
        role,
        start_date,
        end_date,
        own_reunification_date,
        extract_date,
        _source_file as source_file
    from ranked
    where extract_rank = 1

)

select * from final
