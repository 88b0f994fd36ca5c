-- Maltreatment reports as of the newest extract holding each report_id.
with

source as (

    select * from {{ source('raw', 'maltreatment_reports') }}

),

ranked as (

    select
        *,
        {{ newest_extract_rank(['report_id']) }} as extract_rank
    from source

),

final as (

    select
        report_id,
        child_id,
        family_id,
        report_date,
        finding,
        finding = 'substantiated' as is_substantiated,
        extract_date,
        _source_file as source_file
    from ranked
    where extract_rank = 1

)

select * from final
