-- Training completions as of the newest extract holding each (pp_id, topic_code).
with

source as (

    select * from {{ source('raw', 'training_records') }}

),

ranked as (

    select
        *,
        {{ newest_extract_rank(['pp_id', 'topic_code']) }} as extract_rank
    from source

),

final as (

    select
        pp_id,
        topic_code,
        completed_on,
        hours,
        extract_date,
        _source_file as source_file
    from ranked
    where extract_rank = 1

)

select * from final
