-- Exit fidelity reviews and parent-outcome scores per SFY of the exit, statewide, per
-- service area and per site: the aggregate view of fct_exit that leadership may see.
with

exits as (

    select
        exits.*,
        coalesce(sites.service_area, 'unknown') as service_area
    from {{ ref('fct_exit') }} as exits
    left join {{ ref('dim_site') }} as sites
        on exits.site_id = sites.site_id

),

by_area as (

    select 'statewide' as level, 'statewide' as area_id, exits.* from exits
    union all
    select 'service_area' as level, service_area as area_id, exits.* from exits
    union all
    select 'site' as level, coalesce(site_id, 'unknown') as area_id, exits.* from exits

),

summarised as (

    select
        level,
        area_id,
        exit_sfy,
        count(*) as exits,
        sum(case when fidelity_review_due then 1 else 0 end) as reviews_due,
        sum(case when fidelity_review_due and fidelity_checklist_within_window then 1 else 0 end)
            as reviews_within_window,
        sum(case when fidelity_checklist_within_window and fidelity_score is not null then 1 else 0 end)
            as reviews_scored,
        avg(case when fidelity_checklist_within_window then fidelity_score end) as mean_fidelity_score,
        sum(case when parent_outcome_present and parent_outcome_mean_score is not null then 1 else 0 end)
            as parent_outcomes_present,
        avg(case when parent_outcome_present then parent_outcome_mean_score end)
            as mean_parent_outcome_score
    from by_area
    group by level, area_id, exit_sfy

),

final as (

    select
        level,
        area_id,
        exit_sfy,
        cast(exits as integer) as exits,
        cast(reviews_due as integer) as reviews_due,
        cast(reviews_within_window as integer) as reviews_within_window,
        case when reviews_due > 0
            then cast(reviews_within_window as double precision) / reviews_due
        end as share_reviews_within_window,
        cast(reviews_scored as integer) as reviews_scored,
        cast(round(cast(mean_fidelity_score as {{ dbt.type_numeric() }}), 6) as double precision)
            as mean_fidelity_score,
        cast(parent_outcomes_present as integer) as parent_outcomes_present,
        cast(round(cast(mean_parent_outcome_score as {{ dbt.type_numeric() }}), 6) as double precision)
            as mean_parent_outcome_score
    from summarised

)

select * from final
