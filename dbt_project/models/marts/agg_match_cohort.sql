-- Entry cohorts of the program: the children in care whose family was matched, by the
-- state fiscal year of the match, and how their stays went. A cohort's cell whose
-- follow-up window has not ended by the as-of date is not yet observable: null, never 0.
with

reached as (

    select * from {{ ref('int_removal_reach') }}
    where is_reached

),

episodes as (

    select
        {{ sfy_of('match_date') }} as match_sfy,
        removal_date,
        discharge_date,
        discharge_reason = 'reunification' and discharge_date <= {{ add_months('removal_date', 6) }}
            as reunified_6m,
        discharge_reason = 'reunification' and discharge_date <= {{ add_months('removal_date', 12) }}
            as reunified_12m,
        discharge_reason = 'reunification' and discharge_date <= {{ add_months('removal_date', 18) }}
            as reunified_18m,
        discharge_date is null as still_in_care,
        episode_id,
        child_id
    from reached

),

reentries as (

    -- A child reunified within 12 months of removal who is removed again on or before
    -- 12 months after going home (the removal after the discharge, any family's episode).
    select distinct episode.episode_id
    from episodes as episode
    inner join {{ ref('int_removal_reach') }} as later
        on later.child_id = episode.child_id
        and later.removal_date > episode.discharge_date
        and later.removal_date <= {{ add_months('episode.discharge_date', 12) }}
    where episode.reunified_12m

),

-- measure, its order, months of follow-up after the cohort's last day, numerator, denominator
measures as (

    select match_sfy, 'reunified_6m' as measure, 1 as measure_order, 6 as follow_up_months,
           reunified_6m as event, true as in_denominator
    from episodes
    union all
    select match_sfy, 'reunified_12m', 2, 12, reunified_12m, true from episodes
    union all
    select match_sfy, 'reunified_18m', 3, 18, reunified_18m, true from episodes
    union all
    select episodes.match_sfy, 'reentered_12m', 4, 24, reentries.episode_id is not null,
           episodes.reunified_12m
    from episodes
    left join reentries on reentries.episode_id = episodes.episode_id
    union all
    select match_sfy, 'still_in_care', 5, 0, still_in_care, true from episodes

),

counts as (

    select
        match_sfy,
        measure,
        measure_order,
        follow_up_months,
        cast(sum(case when in_denominator then 1 else 0 end) as integer) as denominator,
        cast(sum(case when in_denominator and event then 1 else 0 end) as integer) as numerator
    from measures
    group by match_sfy, measure, measure_order, follow_up_months

),

windows as (

    select
        *,
        -- Every child of the cohort was removed on or before its last match date, the
        -- SFY's last day: the window of the latest removal ends last.
        {{ add_months(sfy_end_date('match_sfy'), 'follow_up_months') }} as follow_up_ends
    from counts

),

final as (

    select
        match_sfy,
        measure,
        cast(measure_order as integer) as measure_order,
        denominator,
        cast(follow_up_ends as date) as follow_up_ends,
        follow_up_ends <= {{ as_of_date() }} as observable,
        case when follow_up_ends <= {{ as_of_date() }} then numerator end as numerator,
        case when follow_up_ends <= {{ as_of_date() }}
             then {{ safe_ratio('numerator', 'denominator') }} end as share,
        case when follow_up_ends <= {{ as_of_date() }} then 'observed'
             else 'not yet observable' end as status
    from windows

)

select * from final
