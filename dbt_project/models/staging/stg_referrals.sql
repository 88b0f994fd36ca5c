-- Referrals and matches as of the newest extract holding each referral_id.
-- Parent names and birth dates (PII) stay in raw.
with

source as (

    select * from {{ source('raw', 'referrals') }}

),

ranked as (

    select
        *,
        {{ newest_extract_rank(['referral_id']) }} as extract_rank
    from source

),

renamed as (

    select
        referral_id,
        family_id,
        site_id,
        county_fips,
        referral_date,
        referral_source,
        parent_gender,
        parent_race_ethnicity,
        pp_id,
        match_date,
        exit_date,
        exit_reason,
        extract_date,
        _source_file as source_file
    from ranked
    where extract_rank = 1

),

final as (

    select
        *,
        pp_id is not null and match_date is not null as is_matched
    from renamed

)

select * from final
