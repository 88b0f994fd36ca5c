-- The CFSR entry cohort of each federal fiscal year: a child's first entry into care in
-- the year while under 18 (permanency_12m_entries counts it, reentry_12m starts from it).
with

ranked as (

    select
        periods.period_start,
        periods.period_end,
        episodes.episode_id,
        episodes.child_id,
        episodes.removal_date,
        episodes.discharge_date,
        episodes.discharged_to_permanency,
        episodes.discharged_home_or_guardianship,
        row_number() over (
            partition by episodes.child_id, periods.period_start
            order by episodes.removal_date, episodes.episode_id
        ) as entry_rank
    from {{ ref('int_cfsr_episodes') }} as episodes
    inner join {{ ref('int_cfsr_periods') }} as periods
        on episodes.removal_date between periods.period_start and periods.period_end
    where episodes.removed_as_minor

),

final as (

    select
        period_start,
        period_end,
        episode_id,
        child_id,
        removal_date,
        discharge_date,
        discharged_to_permanency,
        discharged_home_or_guardianship
    from ranked
    where entry_rank = 1

)

select * from final
