-- Files in the landing zone that no kind of the contract claims, as the last run found them.
with

source as (

    select * from {{ source('raw', 'unrecognised_files') }}

),

final as (

    select
        file,
        reason,
        size_bytes,
        modified_at
    from source

)

select * from final
