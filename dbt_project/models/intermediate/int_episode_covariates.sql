-- One row per removal episode in the outcome study, with the covariates the
-- propensity-score matching balances on (Chambers et al. 2019) and the study group.
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

matched_families as (

    select distinct family_id from matches

),

counties as (

    -- The seed's FIPS codes may load as numbers; the extract carries them as text.
    select cast(county_fips as {{ dbt.type_string() }}) as county_fips, service_area
    from {{ ref('counties') }}

),

prior_removals as (

    -- Earlier entries of the same child; a same-day entry is not "prior".
    select
        episode.episode_id,
        count(earlier.episode_id) as prior_removals
    from episodes as episode
    left join episodes as earlier
        on earlier.child_id = episode.child_id
        and earlier.removal_date < episode.removal_date
    group by episode.episode_id

),

participant_matches as (

    -- The participant rule is the reach measures' (int_removal_reach): a match of the
    -- family made while the child was in care; with several, the earliest.
    select episode_id, match_id
    from {{ ref('int_removal_reach') }}
    where is_reached

),

study_episodes as (

    select
        episode.*,
        participant_matches.match_id,
        case
            when participant_matches.match_id is not null then 'participant'
            when matched_families.family_id is null then 'comparison_pool'
        end as study_group
    from episodes as episode
    left join participant_matches on participant_matches.episode_id = episode.episode_id
    left join matched_families on matched_families.family_id = episode.family_id

),

final as (

    select
        study_episodes.episode_id,
        study_episodes.child_id,
        study_episodes.family_id,
        study_episodes.study_group,
        study_episodes.match_id,
        study_episodes.removal_date,
        cast(extract(year from study_episodes.removal_date) as integer) as removal_year,
        study_episodes.age_at_removal_years,
        coalesce(study_episodes.child_sex, 'unknown') as child_sex,
        coalesce(study_episodes.child_race_ethnicity, 'unknown') as child_race_ethnicity,
        coalesce(study_episodes.removal_reason, 'unknown') as removal_reason,
        cast(prior_removals.prior_removals as integer) as prior_removals,
        study_episodes.county_fips,
        coalesce(counties.service_area, 'unknown') as service_area
    from study_episodes
    inner join prior_removals on prior_removals.episode_id = study_episodes.episode_id
    left join counties on counties.county_fips = study_episodes.county_fips
    where study_episodes.study_group is not null

)

select * from final
