-- Misplaced files, for the data-quality page: nothing in the landing zone vanishes silently.
with

files as (

    select * from {{ ref('stg_unrecognised_files') }}

),

final as (

    select
        cast(file as varchar) as file,
        cast(reason as varchar) as reason,
        cast(size_bytes as bigint) as size_bytes,
        cast(modified_at as timestamp) as modified_at,
        cast({{ landing_file_site('file') }} as varchar) as site_id
    from files

)

select * from final
