-- CFSR recurrence of maltreatment in 12 months, per federal fiscal year of the initial
-- report.
with

reports as (

    select * from {{ ref('int_cfsr_substantiated_reports') }}

),

initial_reports as (

    -- Each child's first substantiated report in the year, unless the episodes extract
    -- shows the child was 18 or older on its date.
    select * from (
        select
            periods.period_start,
            periods.period_end,
            reports.report_id,
            reports.child_id,
            reports.report_date,
            row_number() over (
                partition by reports.child_id, periods.period_start
                order by reports.report_date, reports.report_id
            ) as report_rank
        from reports
        inner join {{ ref('int_cfsr_periods') }} as periods
            on reports.report_date between periods.period_start and periods.period_end
        where reports.child_turns_18_on is null
           or reports.report_date < reports.child_turns_18_on
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
    left join reports as later
        on later.child_id = initial_reports.child_id
        and later.report_date > {{ add_days('initial_reports.report_date', 14) }}
        and later.report_date <= {{ add_months('initial_reports.report_date', 12) }}
    group by initial_reports.period_start, initial_reports.period_end, initial_reports.report_id

),

final as (

    select
        cast('recurrence_12m' as {{ dbt.type_string() }}) as indicator,
        period_start,
        period_end,
        {{ add_months('period_end', 12) }} as window_end,
        sum(recurred) as numerator,
        count(*) as denominator
    from victims_recurring
    group by period_start, period_end

)

select * from final
