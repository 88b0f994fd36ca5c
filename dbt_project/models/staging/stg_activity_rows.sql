{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_service_month_window() }}"
    )
}}
-- Activity rows of the latest version of every form: a correction replaces the
-- earlier version as a whole, rows are never merged across versions. Notes (PII) are dropped.
-- Incremental by service month (a form is one month's): a run of some months rebuilds them.
with

source as (

    select * from {{ source('raw', 'activity_rows') }}
    {% if is_incremental() %}
    where {{ service_month_window_predicate() }}
    {% endif %}

),

latest_versions as (

    select pp_id, family_id, service_month, submitted_at, source_file, source_sha256, form_id, version_number
    from {{ ref('stg_activity_form_versions') }}
    where is_latest_version
    {% if is_incremental() %}
    and {{ service_month_window_predicate() }}
    {% endif %}

),

renamed as (

    select
        source.pp_id,
        source.family_id,
        source.service_month,
        source.submitted_at,
        source.activity_date,
        source.activity_type,
        source.duration_minutes,
        source.source_format,
        source.warnings,
        source._source_file as source_file,
        source._sha256 as source_sha256,
        source._row_number as source_row_number,
        source._ingested_at as ingested_at
    from source

),

final as (

    select
        latest_versions.form_id,
        latest_versions.version_number as form_version_number,
        renamed.pp_id,
        renamed.family_id,
        renamed.service_month,
        renamed.submitted_at,
        renamed.activity_date,
        renamed.activity_type,
        renamed.duration_minutes,
        renamed.source_format,
        renamed.warnings,
        renamed.warnings is not null as has_warnings,
        renamed.source_file,
        renamed.source_sha256,
        renamed.source_row_number,
        renamed.ingested_at
    from renamed
    inner join latest_versions
        on renamed.pp_id = latest_versions.pp_id
        and coalesce(renamed.family_id, '') = coalesce(latest_versions.family_id, '')
        and renamed.service_month = latest_versions.service_month
        and renamed.submitted_at = latest_versions.submitted_at
        and renamed.source_file = latest_versions.source_file
        and renamed.source_sha256 = latest_versions.source_sha256

)

select * from final
