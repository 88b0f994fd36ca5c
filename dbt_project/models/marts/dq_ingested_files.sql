-- Every landing file version ingested, with its row counts and outcome, for the data-quality page.
with

files as (

    select * from {{ ref('stg_ingested_files') }}

),

final as (

    select
        cast(file as varchar) as file,
        cast(kind as varchar) as kind,
        cast(sha256 as varchar) as sha256,
        cast(rows_read as integer) as rows_read,
        cast(rows_accepted as integer) as rows_accepted,
        cast(rows_rejected as integer) as rows_rejected,
        cast(status as varchar) as status,
        cast(error as varchar) as error,
        cast(ingested_at as timestamp) as ingested_at,
        cast({{ landing_file_site('file') }} as varchar) as site_id,
        cast(partition_key || '-01' as date) as service_month
    from files

)

select * from final
