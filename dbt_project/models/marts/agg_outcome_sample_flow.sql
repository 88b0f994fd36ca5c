-- The outcome study's sample flow: participant episodes, those matched to a comparison
-- episode, and per outcome how many matched participants can be observed yet.
with

participants as (

    select * from {{ ref('fct_child_episode_outcome') }}
    where study_group = 'participant'

),

matched as (

    select * from participants where matched_pair_id is not null

),

outcomes as (

    select 'reunified' as outcome, reunified is not null as observable from matched
    union all
    select 'reentry_12m', reentry_12m is not null from matched
    union all
    select 'reentry_24m', reentry_24m is not null from matched
    union all
    select 'maltreatment_12m', maltreatment_12m is not null from matched
    union all
    select 'days_in_care', days_in_care is not null from matched

),

steps as (

    select 1 as step_order, 'participant episodes' as step, cast(null as varchar) as outcome,
        count(*) as episodes
    from participants
    union all
    select 2, 'matched to a comparison episode', null, count(*) from matched
    union all
    select 3, 'observable', outcome, sum(case when observable then 1 else 0 end)
    from outcomes group by outcome
    union all
    select 4, 'not yet observable', outcome, sum(case when observable then 0 else 1 end)
    from outcomes group by outcome

),

final as (

    select
        cast(step_order as integer) as step_order,
        cast(step as varchar) as step,
        outcome,
        cast(episodes as integer) as episodes
    from steps

)

select * from final
