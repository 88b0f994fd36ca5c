-- One row per match that exited on or before the as-of date, with its exit
-- fidelity checklist (same family and match date) and parent-outcome assessment.
with

matches as (

    select * from {{ ref('int_matches') }}
    where exit_date is not null
      and exit_date <= {{ as_of_date() }}

),

checklist_items as (

    select * from {{ ref('stg_fidelity_checklists') }}

),

outcome_items as (

    select * from {{ ref('stg_parent_outcomes') }}

),

checklists as (

    select
        checklist_items.family_id,
        checklist_items.match_date,
        max(checklist_items.completed_on) as completed_on,
        cast(sum(case when checklist_items.response = 'yes' then 1 else 0 end) as integer) as yes_items,
        cast(sum(case when checklist_items.response = 'no' then 1 else 0 end) as integer) as no_items,
        cast(sum(case when checklist_items.response = 'na' then 1 else 0 end) as integer) as na_items,
        max(
            case
                when checklist_items.completed_on
                    between {{ add_days('matches.exit_date', '-' ~ program_parameter('fidelity_review_window_days')) }}
                    and {{ add_days('matches.exit_date', program_parameter('fidelity_review_window_days')) }}
                    then 1 else 0
            end
        ) = 1 as completed_within_window
    from checklist_items
    inner join matches
        on checklist_items.family_id = matches.family_id
        and checklist_items.match_date = matches.match_date
    group by checklist_items.family_id, checklist_items.match_date

),

outcomes as (

    select
        family_id,
        match_date,
        max(completed_on) as completed_on,
        cast(count(*) as integer) as scored_items,
        avg(cast(score as double precision)) as mean_score
    from outcome_items
    group by family_id, match_date

),

final as (

    select
        matches.match_id,
        matches.family_id,
        matches.pp_id,
        matches.site_id,
        matches.match_date,
        matches.exit_date,
        matches.exit_reason,
        {{ sfy_of('matches.exit_date') }} as exit_sfy,
        cast({{ dbt.datediff('matches.match_month', month_start('matches.exit_date'), 'month') }} + 1 as integer)
            as months_matched,
        cast({{ dbt.datediff('matches.match_date', 'matches.exit_date', 'day') }} as integer) as days_matched,
        {{ add_days('matches.exit_date', program_parameter('fidelity_review_window_days')) }} < {{ as_of_date() }} as fidelity_review_due,
        checklists.family_id is not null as fidelity_checklist_present,
        checklists.completed_on as fidelity_checklist_completed_on,
        coalesce(checklists.completed_within_window, false) as fidelity_checklist_within_window,
        checklists.yes_items as fidelity_yes_items,
        checklists.no_items as fidelity_no_items,
        checklists.na_items as fidelity_na_items,
        {{ safe_ratio('checklists.yes_items', 'checklists.yes_items + checklists.no_items') }} as fidelity_score,
        outcomes.family_id is not null as parent_outcome_present,
        outcomes.completed_on as parent_outcome_completed_on,
        outcomes.scored_items as parent_outcome_items,
        outcomes.mean_score as parent_outcome_mean_score
    from matches
    left join checklists
        on matches.family_id = checklists.family_id
        and matches.match_date = checklists.match_date
    left join outcomes
        on matches.family_id = outcomes.family_id
        and matches.match_date = outcomes.match_date

)

select * from final
