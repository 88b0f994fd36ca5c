-- One row per removal on or before the as-of date, with the groups the reach measures
-- break it down by and the match (if any) that reached the child's family while the
-- child was in care. Birth dates stay in staging: only the age band leaves this model.
with

episodes as (

    select * from {{ ref('stg_removal_episodes') }}
    where removal_date <= {{ as_of_date() }}

),

matches as (

    select referral_id, family_id, match_date
    from {{ ref('stg_referrals') }}
    where is_matched and match_date <= {{ as_of_date() }}

),

counties as (

    -- The seed's FIPS codes may load as numbers; the extract carries them as text.
    select cast(county_fips as {{ dbt.type_string() }}) as county_fips, service_area
    from {{ ref('counties') }}

),

age_bands as (

    select * from {{ ref('age_bands') }}

),

reaching_matches as (

    -- A match of the family made while the child was in care (removed on or before the
    -- match date, not discharged before it); with several, the earliest.
    select episode_id, match_id, match_date
    from (
        select
            episode.episode_id,
            matches.referral_id as match_id,
            matches.match_date,
            row_number() over (
                partition by episode.episode_id
                order by matches.match_date, matches.referral_id
            ) as match_rank
        from episodes as episode
        inner join matches
            on matches.family_id = episode.family_id
            and episode.removal_date <= matches.match_date
            and (episode.discharge_date is null or episode.discharge_date >= matches.match_date)
    ) as ranked
    where match_rank = 1

),

final as (

    select
        episode.episode_id,
        episode.child_id,
        episode.family_id,
        episode.removal_date,
        {{ sfy_of('episode.removal_date') }} as removal_sfy,
        -- A discharge after the as-of date has not happened yet.
        case when episode.discharge_date <= {{ as_of_date() }} then episode.discharge_date end
            as discharge_date,
        case when episode.discharge_date <= {{ as_of_date() }} then episode.discharge_reason end
            as discharge_reason,
        coalesce(age_bands.age_band, 'unknown') as age_band,
        coalesce(episode.child_sex, 'unknown') as child_sex,
        coalesce(episode.child_race_ethnicity, 'unknown') as child_race_ethnicity,
        coalesce(episode.removal_reason, 'unknown') as removal_reason,
        coalesce(counties.service_area, 'unknown') as service_area,
        reaching_matches.match_id,
        reaching_matches.match_date,
        reaching_matches.match_id is not null as is_reached
    from episodes as episode
    left join reaching_matches on reaching_matches.episode_id = episode.episode_id
    left join counties on counties.county_fips = episode.county_fips
    left join age_bands
        on episode.age_at_removal_years between age_bands.min_years and age_bands.max_years

)

select * from final
