-- Core training per Parent Partner as of the as-of date: core topics and hours
-- completed, and the date the last core topic was completed once all are done.
with

roster as (

    select * from {{ ref('stg_parent_partners') }}

),

topics as (

    select * from {{ ref('training_topics') }}

),

core_required as (

    select
        cast(count(*) as integer) as core_topics_required
    from topics
    where cast(is_core as boolean)

),

completions as (

    select
        training.pp_id,
        training.topic_code,
        training.completed_on,
        coalesce(training.hours, cast(topics.hours as double precision)) as hours,
        coalesce(cast(topics.is_core as boolean), false) as is_core
    from {{ ref('stg_training_records') }} as training
    left join topics
        on training.topic_code = topics.topic_code
    where training.completed_on <= {{ as_of_date() }}

),

per_pp as (

    select
        pp_id,
        cast(count(distinct case when is_core then topic_code end) as integer) as core_topics_completed,
        sum(case when is_core then hours else 0 end) as core_hours_completed,
        sum(hours) as total_hours_completed,
        max(case when is_core then completed_on end) as last_core_completed_on
    from completions
    group by pp_id

),

final as (

    select
        roster.pp_id,
        core_required.core_topics_required,
        coalesce(per_pp.core_topics_completed, 0) as core_topics_completed,
        cast(coalesce(per_pp.core_hours_completed, 0) as double precision) as core_hours_completed,
        cast(coalesce(per_pp.total_hours_completed, 0) as double precision) as total_hours_completed,
        coalesce(per_pp.core_topics_completed, 0) >= core_required.core_topics_required as all_core_complete,
        case
            when coalesce(per_pp.core_topics_completed, 0) >= core_required.core_topics_required
                then per_pp.last_core_completed_on
        end as core_completed_on
    from roster
    cross join core_required
    left join per_pp
        on roster.pp_id = per_pp.pp_id

)

select * from final
