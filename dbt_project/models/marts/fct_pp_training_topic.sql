-- One row per Parent Partner on the roster and core training topic: when the topic was
-- first completed on or before the as-of date (null while it is not). The PP x topic grid.
with

roster as (

    select * from {{ ref('stg_parent_partners') }}

),

core_topics as (

    select topic_code, label as topic_label
    from {{ ref('training_topics') }}
    where cast(is_core as boolean)

),

completions as (

    select pp_id, topic_code, min(completed_on) as completed_on
    from {{ ref('stg_training_records') }}
    where completed_on <= {{ as_of_date() }}
    group by pp_id, topic_code

),

final as (

    select
        roster.pp_id,
        roster.site_id,
        core_topics.topic_code,
        cast(core_topics.topic_label as varchar) as topic_label,
        completions.completed_on
    from roster
    cross join core_topics
    left join completions
        on roster.pp_id = completions.pp_id
        and core_topics.topic_code = completions.topic_code

)

select * from final
