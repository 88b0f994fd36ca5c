-- Federal CFSR Round 4 statewide data indicators computable from the state extract, one
-- row per indicator and federal fiscal year. A year is published only once the
-- indicator's whole follow-up window has ended by the as-of date, so a published value
-- never changes with later data. The rules in words are in fct_cfsr_indicator.yml.
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

episodes as (

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

),

substantiated_reports as (

    select report_id, child_id, report_date
    from {{ ref('stg_maltreatment_reports') }}
    where is_substantiated and report_date <= {{ as_of_date() }}

),

children as (

    -- A child's 18th birthday as the episodes extract knows it (children who were never
    -- in care are not in it).
    select child_id, min(child_turns_18_on) as child_turns_18_on
    from {{ ref('stg_removal_episodes') }}
    group by child_id

),

digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9

),

first_year as (

    select min(fiscal_year) as fiscal_year
    from (
        select {{ ffy_of('removal_date') }} as fiscal_year from episodes
        union all
        select {{ ffy_of('report_date') }} as fiscal_year from substantiated_reports
    ) as data_years

),

periods as (

    -- Federal fiscal years from the first one with data to the one holding the as-of date
    -- (offsets from a cross join of digits, so no adapter-specific series function).
    select
        first_year.fiscal_year + tens.digit * 10 + ones.digit as fiscal_year,
        {{ ffy_start_date('first_year.fiscal_year + tens.digit * 10 + ones.digit') }} as period_start,
        {{ ffy_end_date('first_year.fiscal_year + tens.digit * 10 + ones.digit') }} as period_end
    from first_year
    cross join digits as tens
    cross join digits as ones
    where first_year.fiscal_year + tens.digit * 10 + ones.digit <= {{ ffy_of(as_of_date()) }}

),

first_entries as (

    -- The entry cohort: a child's first eligible entry (under 18 at removal) in the year.
    select * from (
        select
            periods.period_start,
            periods.period_end,
            episodes.*,
            row_number() over (
                partition by episodes.child_id, periods.period_start
                order by episodes.removal_date, episodes.episode_id
            ) as entry_rank
        from episodes
        inner join periods
            on episodes.removal_date between periods.period_start and periods.period_end
        where episodes.removed_as_minor
    ) as ranked
    where entry_rank = 1

),

permanency_entries as (

    select
        'permanency_12m_entries' as indicator,
        period_start,
        period_end,
        {{ add_months('period_end', 12) }} as window_end,
        sum(case
            when discharged_to_permanency and discharge_date <= {{ add_months('removal_date', 12) }}
            then 1 else 0
        end) as numerator,
        count(*) as denominator
    from first_entries
    group by period_start, period_end

),

in_care_on_period_start as (

    select
        periods.period_start,
        periods.period_end,
        case
            when {{ add_months('episodes.removal_date', 24) }} <= periods.period_start then 'permanency_12m_in_care_24_plus'
            when {{ add_months('episodes.removal_date', 12) }} <= periods.period_start then 'permanency_12m_in_care_12_23'
        end as indicator,
        episodes.child_id,
        episodes.discharged_to_permanency and episodes.discharge_date <= periods.period_end as achieved
    from episodes
    inner join periods
        on episodes.removal_date < periods.period_start
        and (episodes.discharge_date is null or episodes.discharge_date >= periods.period_start)
    where episodes.child_turns_18_on is null or periods.period_start < episodes.child_turns_18_on

),

permanency_in_care as (

    select
        indicator,
        period_start,
        period_end,
        period_end as window_end,
        count(distinct case when achieved then child_id end) as numerator,
        count(distinct child_id) as denominator
    from in_care_on_period_start
    where indicator is not null
    group by indicator, period_start, period_end

),

reentry_cohort as (

    -- Entries of the permanency cohort that ended in reunification, a relative or
    -- guardianship within 12 months (adoptions cannot re-enter in this sense).
    select
        first_entries.period_start,
        first_entries.period_end,
        first_entries.episode_id,
        max(case when later.episode_id is not null then 1 else 0 end) as reentered
    from first_entries
    left join episodes as later
        on later.child_id = first_entries.child_id
        and later.removal_date > first_entries.discharge_date
        and later.removal_date <= {{ add_months('first_entries.discharge_date', 12) }}
    where first_entries.discharged_home_or_guardianship
      and first_entries.discharge_date <= {{ add_months('first_entries.removal_date', 12) }}
    group by first_entries.period_start, first_entries.period_end, first_entries.episode_id

),

reentry as (

    select
        'reentry_12m' as indicator,
        period_start,
        period_end,
        {{ add_months('period_end', 24) }} as window_end,
        sum(reentered) as numerator,
        count(*) as denominator
    from reentry_cohort
    group by period_start, period_end

),

initial_reports as (

    -- Each child's first substantiated report in the year, unless the episodes extract
    -- shows the child was 18 or older on its date.
    select * from (
        select
            periods.period_start,
            periods.period_end,
            substantiated_reports.*,
            row_number() over (
                partition by substantiated_reports.child_id, periods.period_start
                order by substantiated_reports.report_date, substantiated_reports.report_id
            ) as report_rank
        from substantiated_reports
        inner join periods
            on substantiated_reports.report_date between periods.period_start and periods.period_end
        left join children
            on substantiated_reports.child_id = children.child_id
        where children.child_turns_18_on is null
           or substantiated_reports.report_date < children.child_turns_18_on
    ) as ranked
    where report_rank = 1

),

victims_recurring as (

    -- A report within 14 days of the initial one is taken as the same incident.
    select
        initial_reports.period_start,
        initial_reports.period_end,
        initial_reports.report_id,
        max(case when later.report_id is not null then 1 else 0 end) as recurred
    from initial_reports
    left join substantiated_reports as later
        on later.child_id = initial_reports.child_id
        and later.report_date > {{ add_days('initial_reports.report_date', 14) }}
        and later.report_date <= {{ add_months('initial_reports.report_date', 12) }}
    group by initial_reports.period_start, initial_reports.period_end, initial_reports.report_id

),

recurrence as (

    select
        'recurrence_12m' as indicator,
        period_start,
        period_end,
        {{ add_months('period_end', 12) }} as window_end,
        sum(recurred) as numerator,
        count(*) as denominator
    from victims_recurring
    group by period_start, period_end

),

care_spans as (

    -- The counted days of each episode in each year: from the later of removal and the
    -- year's start, up to (not including) the earliest of discharge, the day after the
    -- year's end and the 18th birthday.
    select
        periods.period_start,
        periods.period_end,
        episodes.episode_id,
        episodes.child_id,
        episodes.removal_date,
        case when episodes.removal_date > periods.period_start
             then episodes.removal_date else periods.period_start end as span_start,
        case
            when episodes.discharge_date is not null
                 and episodes.discharge_date <= {{ add_days('periods.period_end', 1) }}
                 and (episodes.child_turns_18_on is null or episodes.discharge_date <= episodes.child_turns_18_on)
                then episodes.discharge_date
            when episodes.child_turns_18_on is not null
                 and episodes.child_turns_18_on <= {{ add_days('periods.period_end', 1) }}
                then episodes.child_turns_18_on
            else {{ add_days('periods.period_end', 1) }}
        end as span_end
    from episodes
    inner join periods
        on episodes.removal_date <= periods.period_end
        and (episodes.discharge_date is null or episodes.discharge_date > periods.period_start)
    where episodes.removed_as_minor

),

counted_spans as (

    select * from care_spans where span_end > span_start

),

days_in_care as (

    select
        period_start,
        period_end,
        sum({{ dbt.datediff('span_start', 'span_end', 'day') }}) as days
    from counted_spans
    group by period_start, period_end

),

victimizations_in_care as (

    -- Reports in the first 7 days of a stay are taken to concern the home the child was
    -- removed from.
    select
        counted_spans.period_start,
        count(distinct substantiated_reports.report_id) as victimizations
    from counted_spans
    inner join substantiated_reports
        on substantiated_reports.child_id = counted_spans.child_id
        and substantiated_reports.report_date >= counted_spans.span_start
        and substantiated_reports.report_date < counted_spans.span_end
        and substantiated_reports.report_date >= {{ add_days('counted_spans.removal_date', 7) }}
    group by counted_spans.period_start

),

maltreatment_in_care as (

    select
        'maltreatment_in_care' as indicator,
        days_in_care.period_start,
        days_in_care.period_end,
        days_in_care.period_end as window_end,
        coalesce(victimizations_in_care.victimizations, 0) as numerator,
        days_in_care.days as denominator
    from days_in_care
    left join victimizations_in_care
        on days_in_care.period_start = victimizations_in_care.period_start

),

indicators as (

    select * from permanency_entries
    union all
    select * from permanency_in_care
    union all
    select * from reentry
    union all
    select * from recurrence
    union all
    select * from maltreatment_in_care

),

final as (

    select
        cast(indicator as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator,
        case
            when indicator = 'maltreatment_in_care'
                then {{ safe_ratio('numerator', 'denominator') }} * 100000
            else {{ safe_ratio('numerator', 'denominator') }}
        end as value
    from indicators
    where window_end <= {{ as_of_date() }}

)

select * from final
