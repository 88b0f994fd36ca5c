-- CFSR re-entry to care in 12 months, per federal fiscal year of entry.
with

reentry_cohort as (

    -- Entries of the permanency cohort that ended in reunification, a relative or
    -- guardianship within 12 months (adoptions cannot re-enter in this sense).
    select
        entries.period_start,
        entries.period_end,
        entries.episode_id,
        max(case when later.episode_id is not null then 1 else 0 end) as reentered
    from {{ ref('int_cfsr_entry_cohort') }} as entries
    left join {{ ref('int_cfsr_episodes') }} as later
        on later.child_id = entries.child_id
        and later.removal_date > entries.discharge_date
        and later.removal_date <= {{ add_months('entries.discharge_date', 12) }}
    where entries.discharged_home_or_guardianship
      and entries.discharge_date <= {{ add_months('entries.removal_date', 12) }}
    group by entries.period_start, entries.period_end, entries.episode_id

),

final as (

    select
        cast('reentry_12m' as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        {{ add_months('period_end', 24) }} as window_end,
        sum(reentered) as numerator,
        count(*) as denominator
    from reentry_cohort
    group by period_start, period_end

)

select * from final
