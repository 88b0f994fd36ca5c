-- Exit fidelity checklist answers as of the newest extract holding each (family_id, match_date, item_code).
with

source as (

    select * from {{ source('raw', 'fidelity_checklists') }}

),

ranked as (

    select
        *,
        {{ newest_extract_rank(['family_id', 'match_date', 'item_code']) }} as extract_rank
    from source

),

final as (

    select
        family_id,
        pp_id,
        match_date,
        completed_on,
        item_code,
        response,
        extract_date,
        _source_file as source_file
    from ranked
    where extract_rank = 1

)

select * from final
