-- One row per matched episode and origin: how many days it was followed from the origin
-- and whether the follow-up ended in reunification; the Kaplan-Meier curves of
-- marts.fct_time_to_reunification are estimated over these rows.
with

pair_members as (

    select * from {{ ref('fct_child_episode_outcome') }}
    where matched_pair_id is not null

),

matches as (

    select referral_id as match_id, match_date from {{ ref('stg_referrals') }}
    where is_matched

),

pair_match_lags as (

    -- A comparison child has no match: it is followed from the same number of days after
    -- its removal as its pair's participant was matched after theirs.
    select
        pair_members.matched_pair_id,
        cast({{ dbt.datediff('pair_members.removal_date', 'matches.match_date', 'day') }}
            as integer) as days_to_match
    from pair_members
    inner join matches on matches.match_id = pair_members.match_id
    where pair_members.study_group = 'participant'

),

followed as (

    select
        pair_members.matched_pair_id,
        case when pair_members.study_group = 'participant' then 'participant'
            else 'comparison' end as arm,
        pair_members.removal_date,
        {{ add_days('pair_members.removal_date', 'pair_match_lags.days_to_match') }}
            as match_origin_date,
        -- Censored at the as-of date while in care, and at a discharge to anything else.
        coalesce(pair_members.discharge_date, {{ as_of_date() }}) as followed_until,
        coalesce(pair_members.reunified, false) as reunified
    from pair_members
    inner join pair_match_lags
        on pair_match_lags.matched_pair_id = pair_members.matched_pair_id

),

pairs_in_care_at_match as (

    -- From the match, only pairs whose comparison child was still in care that many days
    -- after removal (the participant always is): otherwise the arms start unlike.
    select matched_pair_id
    from followed
    group by matched_pair_id
    having min(case when followed_until >= match_origin_date then 1 else 0 end) = 1

),

spells as (

    select
        matched_pair_id,
        arm,
        'removal' as origin,
        cast({{ dbt.datediff('removal_date', 'followed_until', 'day') }} as integer) as days,
        reunified
    from followed
    union all
    select
        followed.matched_pair_id,
        followed.arm,
        'match' as origin,
        cast({{ dbt.datediff('followed.match_origin_date', 'followed.followed_until', 'day') }}
            as integer) as days,
        followed.reunified
    from followed
    inner join pairs_in_care_at_match
        on pairs_in_care_at_match.matched_pair_id = followed.matched_pair_id

)

select * from spells
