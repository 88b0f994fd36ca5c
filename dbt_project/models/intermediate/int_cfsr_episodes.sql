-- The removal episodes every CFSR indicator counts, as the federal rules see them on the
-- as-of date (the rules in words are in int_cfsr_episodes.yml).
with

episodes_as_of as (

    -- A discharge after the as-of date has not happened yet: the child is still in care.
    select
        episode_id,
        child_id,
        removal_date,
        case when discharge_date <= {{ as_of_date() }} then discharge_date end as discharge_date,
        case when discharge_date <= {{ as_of_date() }} then discharge_reason end as discharge_reason,
        child_turns_18_on
    from {{ ref('stg_removal_episodes') }}
    where removal_date <= {{ as_of_date() }}

),

final as (

    -- Stays under 8 days are no entry, no re-entry and no days in care. An unknown birth
    -- date counts as a minor throughout.
    select
        episode_id,
        child_id,
        removal_date,
        discharge_date,
        discharge_reason,
        child_turns_18_on,
        coalesce(removal_date < child_turns_18_on, true) as removed_as_minor,
        coalesce(
            discharge_reason in ('reunification', 'live_with_relative', 'adoption', 'guardianship')
                and (child_turns_18_on is null or discharge_date < child_turns_18_on),
            false
        ) as discharged_to_permanency,
        coalesce(
            discharge_reason in ('reunification', 'live_with_relative', 'guardianship')
                and (child_turns_18_on is null or discharge_date < child_turns_18_on),
            false
        ) as discharged_home_or_guardianship
    from episodes_as_of
    where discharge_date is null
       or {{ dbt.datediff('removal_date', 'discharge_date', 'day') }} >= 8

)

select * from final
