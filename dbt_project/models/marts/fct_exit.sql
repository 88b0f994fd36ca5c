-- One row per match that has exited: how long it lasted, the exit fidelity
-- review and the parent-outcome assessment.
with

exits as (

    select * from {{ ref('int_exits') }}

),

final as (

    select
        cast(match_id as varchar) as match_id,
        cast(family_id as varchar) as family_id,
        cast(pp_id as varchar) as pp_id,
        cast(site_id as varchar) as site_id,
        cast(match_date as date) as match_date,
        cast(exit_date as date) as exit_date,
        cast(exit_reason as varchar) as exit_reason,
        cast(exit_sfy as integer) as exit_sfy,
        cast(months_matched as integer) as months_matched,
        cast(days_matched as integer) as days_matched,
        cast(fidelity_review_due as boolean) as fidelity_review_due,
        cast(fidelity_checklist_present as boolean) as fidelity_checklist_present,
        cast(fidelity_checklist_completed_on as date) as fidelity_checklist_completed_on,
        cast(fidelity_checklist_within_window as boolean) as fidelity_checklist_within_window,
        cast(fidelity_score as double precision) as fidelity_score,
        cast(parent_outcome_present as boolean) as parent_outcome_present,
        cast(parent_outcome_items as integer) as parent_outcome_items,
        cast(parent_outcome_mean_score as double precision) as parent_outcome_mean_score
    from exits

)

select * from final
