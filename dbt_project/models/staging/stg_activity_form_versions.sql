{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_service_month_window() }}"
    )
}}
-- Every version of every activity form. A form is (pp_id, family_id or empty,
-- service_month); a version is one submission of it: the rows of one file that
-- share the form key and submitted_at.
-- Incremental by service month (a form is one month's): a run of some months rebuilds them.
with

source as (

    select * from {{ source('raw', 'activity_rows') }}
    {% if is_incremental() %}
    where {{ service_month_window_predicate() }}
    {% endif %}

),

versions as (

    select
        pp_id,
        family_id,
        service_month,
        submitted_at,
        _source_file as source_file,
        _sha256 as source_sha256,
        min(source_format) as source_format,
        min(_ingested_at) as ingested_at,
        count(*) as activity_row_count
    from source
    group by pp_id, family_id, service_month, submitted_at, _source_file, _sha256

),

ordered as (

    select
        *,
        row_number() over (
            partition by pp_id, coalesce(family_id, ''), service_month
            order by submitted_at, ingested_at, source_file, source_sha256
        ) as version_number,
        row_number() over (
            partition by pp_id, coalesce(family_id, ''), service_month
            order by submitted_at desc, ingested_at desc, source_file desc, source_sha256 desc
        ) as recency_rank,
        count(*) over (
            partition by pp_id, coalesce(family_id, ''), service_month
        ) as version_count,
        min(submitted_at) over (
            partition by pp_id, coalesce(family_id, ''), service_month
        ) as first_submitted_at
    from versions

),

final as (

    select
        pp_id || '|' || coalesce(family_id, '') || '|' || cast(service_month as {{ dbt.type_string() }}) as form_id,
        pp_id,
        family_id,
        service_month,
        cast(version_number as integer) as version_number,
        cast(version_count as integer) as version_count,
        submitted_at,
        first_submitted_at,
        recency_rank = 1 as is_latest_version,
        source_file,
        source_sha256,
        source_format,
        ingested_at,
        cast(activity_row_count as integer) as activity_row_count
    from ordered

)

select * from final
