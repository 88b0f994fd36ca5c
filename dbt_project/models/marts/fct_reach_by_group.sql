-- Of the children removed in each state fiscal year, the share whose family was matched
-- with a Parent Partner while the child was in care: statewide and within each service
-- area, by race/ethnicity, age band, sex and removal reason (and statewide by service
-- area), with each group's share as a ratio of the statewide share (95% interval).
with

removals as (

    select * from {{ ref('int_removal_reach') }}

),

age_bands as (

    select age_band, sort_order from {{ ref('age_bands') }}

),

-- Statewide: the whole state ('all') and every grouping; within a service area, the
-- groupings other than the service area itself (the area's total is its statewide row).
memberships as (

    select removal_sfy, 'statewide' as area, 'all' as grouping, 'all' as group_value, is_reached
    from removals
    union all
    select removal_sfy, 'statewide', 'service_area', service_area, is_reached from removals
    {% for grouping, column in [('race_ethnicity', 'child_race_ethnicity'), ('age_band', 'age_band'), ('sex', 'child_sex'), ('removal_reason', 'removal_reason')] %}
    union all
    select removal_sfy, 'statewide', '{{ grouping }}', {{ column }}, is_reached from removals
    union all
    select removal_sfy, service_area, '{{ grouping }}', {{ column }}, is_reached from removals
    {% endfor %}

),

counts as (

    select
        removal_sfy as period,
        area,
        grouping,
        group_value,
        cast(count(*) as integer) as removals,
        cast(sum(case when is_reached then 1 else 0 end) as integer) as matched
    from memberships
    group by removal_sfy, area, grouping, group_value

),

statewide as (

    select period, removals as statewide_removals, matched as statewide_matched
    from counts
    where area = 'statewide' and grouping = 'all'

),

ratios as (

    select
        counts.*,
        {{ safe_ratio('counts.matched', 'counts.removals') }} as share,
        {{ safe_ratio('statewide.statewide_matched', 'statewide.statewide_removals') }}
            as statewide_share,
        statewide.statewide_removals,
        statewide.statewide_matched
    from counts
    inner join statewide on statewide.period = counts.period

),

rest as (

    -- Everyone in the state outside the group.
    select
        *,
        statewide_matched - matched as rest_matched,
        {{ safe_ratio('statewide_matched - matched', 'statewide_removals - removals') }}
            as rest_share
    from ratios

),

intervals as (

    select
        *,
        case when statewide_share > 0 then share / statewide_share end as disparity_ratio,
        -- Delta-method variance of log(share / statewide share). The group is part of the
        -- state, so the two shares covary, by (1 - share) / statewide matched; the statewide
        -- count of matched children is the group's plus the rest's, each binomial with its
        -- own share (the rest's: rest_matched / rest_removals).
        case when matched > 0 and statewide_matched > 0 then greatest(
            (1.0 - share) / matched
            + (matched * (1.0 - share) + rest_matched * (1.0 - coalesce(rest_share, 0.0)))
              / (cast(statewide_matched as double precision) * statewide_matched)
            - 2.0 * (1.0 - share) / statewide_matched,
            0.0) end as log_ratio_variance
    from rest

),

final as (

    select
        intervals.period,
        intervals.area,
        intervals.grouping,
        intervals.group_value as "group",
        cast(case
            when intervals.group_value = 'unknown' then 1000
            when intervals.grouping = 'age_band' then age_bands.sort_order
            -- `unknown` ranks last, so it takes no place among the known groups.
            else dense_rank() over (
                partition by intervals.grouping
                order by intervals.group_value = 'unknown', intervals.group_value)
        end as integer) as group_order,
        intervals.removals,
        intervals.matched,
        intervals.share,
        -- Four decimals: the ratio is read to two, and rounding here keeps the published
        -- figure the same on every warehouse engine.
        {{ round_ratio('intervals.disparity_ratio') }} as disparity_ratio,
        {{ round_ratio('intervals.disparity_ratio * exp(-' ~ z_95() ~ ' * sqrt(intervals.log_ratio_variance))') }}
            as ci_low,
        {{ round_ratio('intervals.disparity_ratio * exp(' ~ z_95() ~ ' * sqrt(intervals.log_ratio_variance))') }}
            as ci_high
    from intervals
    left join age_bands
        on intervals.grouping = 'age_band' and age_bands.age_band = intervals.group_value

)

select * from final
