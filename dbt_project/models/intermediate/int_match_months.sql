-- One row per match and calendar month in which the match is active:
-- matched on or before the month's last day, not exited before its first day,
-- and the month has begun by the as-of date.
with

matches as (

    select * from {{ ref('int_matches') }}

),

months as (

    select * from {{ ref('int_month_spine') }}

),

active as (

    select
        matches.match_id,
        matches.family_id,
        matches.pp_id,
        matches.site_id,
        matches.match_date,
        matches.exit_date,
        matches.match_month,
        months.service_month,
        months.month_end_date,
        months.sfy,
        months.form_due_date,
        months.is_form_expected
    from matches
    inner join months
        on matches.match_date <= months.month_end_date
        and (matches.exit_date is null or matches.exit_date >= months.service_month)

),

final as (

    select
        match_id,
        family_id,
        pp_id,
        site_id,
        match_date,
        exit_date,
        service_month,
        sfy,
        cast({{ dbt.datediff('match_month', 'service_month', 'month') }} + 1 as integer) as match_month_index,
        match_date <= service_month
            and (exit_date is null or exit_date >= month_end_date) as is_full_month,
        form_due_date,
        is_form_expected as form_expected
    from active

)

select * from final
