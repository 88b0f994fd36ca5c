-- A match is a referral with a Parent Partner and a match date; match_id is the referral_id.
with

referrals as (

    select * from {{ ref('stg_referrals') }}

),

final as (

    select
        referral_id as match_id,
        family_id,
        pp_id,
        site_id,
        county_fips,
        referral_date,
        match_date,
        exit_date,
        exit_reason,
        {{ month_start('match_date') }} as match_month
    from referrals
    where is_matched

)

select * from final
