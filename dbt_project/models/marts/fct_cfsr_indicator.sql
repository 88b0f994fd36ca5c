-- Federal CFSR Round 4 statewide indicators computable from the state extract, per
-- federal fiscal year (Oct 1 - Sep 30). A year appears once its 12-month follow-up has
-- ended by the as-of date, so a published value never changes with later runs.
{% set fiscal_year_of = "cast(extract(year from DATE) + case when extract(month from DATE) >= 10 then 1 else 0 end as integer)" %}

with

episodes as (

    -- Discharges after the as-of date have not happened yet from this run's point of view.
    select
        episode_id,
        child_id,
        removal_date,
        case when discharge_date <= {{ as_of_date() }} then discharge_date end as discharge_date,
        case when discharge_date <= {{ as_of_date() }} then discharge_reason end as discharge_reason,
        age_at_removal_years
    from {{ ref('stg_removal_episodes') }}
    where removal_date <= {{ as_of_date() }}

),

eligible_episodes as (

    -- Round 4 exclusions: stays under 8 days, and children who entered care at 18 or older.
    select *
    from episodes
    where (discharge_date is null
           or {{ dbt.datediff('removal_date', 'discharge_date', 'day') }} >= 8)
      and (age_at_removal_years is null or age_at_removal_years < 18)

),

entry_cohort as (

    -- A child entering more than once in a year counts once, with the first entry.
    select * from (
        select
            eligible_episodes.*,
            {{ fiscal_year_of.replace('DATE', 'removal_date') }} as fiscal_year,
            row_number() over (
                partition by child_id, {{ fiscal_year_of.replace('DATE', 'removal_date') }}
                order by removal_date, episode_id
            ) as entry_rank
        from eligible_episodes
    ) as ranked
    where entry_rank = 1

),

permanency as (

    select
        'permanency_12m_entries' as indicator,
        fiscal_year,
        sum(case
            when discharge_reason in ('reunification', 'live_with_relative', 'adoption', 'guardianship')
                and discharge_date <= {{ add_months('removal_date', 12) }}
            then 1 else 0
        end) as numerator,
        count(*) as denominator
    from entry_cohort
    group by fiscal_year

),

exit_cohort as (

    -- Exits to reunification, a relative or guardianship; a child exiting more than once
    -- in a year counts once, with the first exit.
    select * from (
        select
            eligible_episodes.*,
            {{ fiscal_year_of.replace('DATE', 'discharge_date') }} as fiscal_year,
            row_number() over (
                partition by child_id, {{ fiscal_year_of.replace('DATE', 'discharge_date') }}
                order by discharge_date, episode_id
            ) as exit_rank
        from eligible_episodes
        where discharge_reason in ('reunification', 'live_with_relative', 'guardianship')
    ) as ranked
    where exit_rank = 1

),

exits_reentering as (

    select
        exit_cohort.episode_id,
        exit_cohort.fiscal_year,
        max(case when later.episode_id is not null then 1 else 0 end) as reentered
    from exit_cohort
    left join episodes as later
        on later.child_id = exit_cohort.child_id
        and later.removal_date > exit_cohort.discharge_date
        and later.removal_date <= {{ add_months('exit_cohort.discharge_date', 12) }}
    group by exit_cohort.episode_id, exit_cohort.fiscal_year

),

reentry as (

    select
        'reentry_12m' as indicator,
        fiscal_year,
        sum(reentered) as numerator,
        count(*) as denominator
    from exits_reentering
    group by fiscal_year

),

substantiated_reports as (

    select report_id, child_id, report_date
    from {{ ref('stg_maltreatment_reports') }}
    where is_substantiated and report_date <= {{ as_of_date() }}

),

victims as (

    -- Each child's first substantiated report in the year is the initial report.
    select * from (
        select
            substantiated_reports.*,
            {{ fiscal_year_of.replace('DATE', 'report_date') }} as fiscal_year,
            row_number() over (
                partition by child_id, {{ fiscal_year_of.replace('DATE', 'report_date') }}
                order by report_date, report_id
            ) as report_rank
        from substantiated_reports
    ) as ranked
    where report_rank = 1

),

victims_recurring as (

    -- A report within 14 days of the initial one is the same incident, not a recurrence.
    select
        victims.report_id,
        victims.fiscal_year,
        max(case when later.report_id is not null then 1 else 0 end) as recurred
    from victims
    left join substantiated_reports as later
        on later.child_id = victims.child_id
        and later.report_date > {{ add_days('victims.report_date', 14) }}
        and later.report_date <= {{ add_months('victims.report_date', 12) }}
    group by victims.report_id, victims.fiscal_year

),

recurrence as (

    select
        'recurrence_12m' as indicator,
        fiscal_year,
        sum(recurred) as numerator,
        count(*) as denominator
    from victims_recurring
    group by fiscal_year

),

indicators as (

    select * from permanency
    union all
    select * from reentry
    union all
    select * from recurrence

),

periods as (

    select
        indicator,
        cast(cast(fiscal_year - 1 as {{ dbt.type_string() }}) || '-10-01' as date) as period_start,
        cast(cast(fiscal_year as {{ dbt.type_string() }}) || '-09-30' as date) as period_end,
        numerator,
        denominator
    from indicators

),

final as (

    select
        cast(indicator as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator,
        {{ safe_ratio('numerator', 'denominator') }} as value
    from periods
    where {{ add_months('period_end', 12) }} <= {{ as_of_date() }}

)

select * from final
