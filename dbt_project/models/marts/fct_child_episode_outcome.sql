-- One row per removal episode in the outcome study: its group, its matched pair and
-- the outcomes of metrics.md. An outcome not yet observable on the as-of date is null.
with

study as (

    select * from {{ ref('int_episode_covariates') }}

),

episodes as (

    -- Discharges after the as-of date have not happened yet from this run's point of view.
    select
        episode_id,
        child_id,
        removal_date,
        case when discharge_date <= {{ as_of_date() }} then discharge_date end as discharge_date,
        case when discharge_date <= {{ as_of_date() }} then discharge_reason end as discharge_reason
    from {{ ref('stg_removal_episodes') }}
    where removal_date <= {{ as_of_date() }}

),

substantiated_reports as (

    select child_id, report_date
    from {{ ref('stg_maltreatment_reports') }}
    where is_substantiated and report_date <= {{ as_of_date() }}

),

matched_pairs as (

    select episode_id, matched_pair_id from {{ source('outcomes', 'matched_pairs') }}

),

study_episodes as (

    select
        study.episode_id,
        study.child_id,
        study.family_id,
        study.study_group,
        study.match_id,
        episodes.removal_date,
        episodes.discharge_date,
        episodes.discharge_reason,
        case
            when episodes.discharge_date is not null
            then episodes.discharge_reason = 'reunification'
        end as reunified
    from study
    inner join episodes on episodes.episode_id = study.episode_id

),

reunifications as (

    select
        episode_id,
        child_id,
        discharge_date,
        {{ add_days('discharge_date', 365) }} <= {{ as_of_date() }} as observable_12m,
        {{ add_days('discharge_date', 730) }} <= {{ as_of_date() }} as observable_24m
    from study_episodes
    where reunified

),

reentries as (

    select
        reunifications.episode_id,
        max(case
            when later.removal_date <= {{ add_days('reunifications.discharge_date', 365) }} then 1 else 0
        end) as reentered_12m,
        max(case
            when later.removal_date <= {{ add_days('reunifications.discharge_date', 730) }} then 1 else 0
        end) as reentered_24m
    from reunifications
    left join episodes as later
        on later.child_id = reunifications.child_id
        and later.removal_date > reunifications.discharge_date
    group by reunifications.episode_id

),

maltreatment as (

    select
        reunifications.episode_id,
        max(case when reports.child_id is not null then 1 else 0 end) as substantiated_12m
    from reunifications
    left join substantiated_reports as reports
        on reports.child_id = reunifications.child_id
        and reports.report_date > reunifications.discharge_date
        and reports.report_date <= {{ add_days('reunifications.discharge_date', 365) }}
    group by reunifications.episode_id

),

final as (

    select
        study_episodes.episode_id,
        study_episodes.child_id,
        study_episodes.family_id,
        study_episodes.study_group,
        study_episodes.match_id,
        study_episodes.removal_date,
        study_episodes.discharge_date,
        study_episodes.discharge_reason,
        cast(
            {{ dbt.datediff('study_episodes.removal_date', 'study_episodes.discharge_date', 'day') }}
            as integer
        ) as days_in_care,
        study_episodes.reunified,
        case when reunifications.observable_12m then reentries.reentered_12m = 1 end as reentry_12m,
        case when reunifications.observable_24m then reentries.reentered_24m = 1 end as reentry_24m,
        case when reunifications.observable_12m then maltreatment.substantiated_12m = 1 end
            as maltreatment_12m,
        cast(matched_pairs.matched_pair_id as integer) as matched_pair_id
    from study_episodes
    left join reunifications on reunifications.episode_id = study_episodes.episode_id
    left join reentries on reentries.episode_id = study_episodes.episode_id
    left join maltreatment on maltreatment.episode_id = study_episodes.episode_id
    left join matched_pairs on matched_pairs.episode_id = study_episodes.episode_id

)

select * from final
