-- CFSR maltreatment in foster care: victimizations and days in care per federal fiscal
-- year.
with

periods as (

    select * from {{ ref('int_cfsr_periods') }}

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
    from {{ ref('int_cfsr_episodes') }} as episodes
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
        count(distinct reports.report_id) as victimizations
    from counted_spans
    inner join {{ ref('int_cfsr_substantiated_reports') }} as reports
        on reports.child_id = counted_spans.child_id
        and reports.report_date >= counted_spans.span_start
        and reports.report_date < counted_spans.span_end
        and reports.report_date >= {{ add_days('counted_spans.removal_date', 7) }}
    group by counted_spans.period_start

),

final as (

    select
        cast('maltreatment_in_care' as {{ dbt.type_string() }}) as indicator,
        days_in_care.period_start,
        days_in_care.period_end,
        days_in_care.period_end as window_end,
        coalesce(victimizations_in_care.victimizations, 0) as numerator,
        days_in_care.days as denominator
    from days_in_care
    left join victimizations_in_care
        on days_in_care.period_start = victimizations_in_care.period_start

)

select * from final
