-- One row per active (family, month). A family has one active match at a time,
-- but a family can exit one match and start another within the same month:
-- the month then belongs to the match started last (ties by match_id).
with

match_months as (

    select * from {{ ref('int_match_month_activity') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by family_id, service_month
            order by match_date desc, match_id desc
        ) as match_rank
    from match_months

),

final as (

    select
        family_id,
        match_id,
        pp_id,
        site_id,
        service_month,
        sfy,
        match_month_index,
        is_full_month,
        face_to_face_contacts,
        face_to_face_minutes,
        total_contacts,
        total_minutes,
        form_expected,
        form_received,
        form_on_time,
        meets_initial_intensity,
        meets_monthly_time
    from ranked
    where match_rank = 1

)

select * from final
