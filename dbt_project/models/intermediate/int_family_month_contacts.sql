-- Contacts per family and month: family-level rows of the latest version of
-- every form for that family and month, whoever logged them (a covering Parent
-- Partner's form counts too).
with

activity as (

    select * from {{ ref('int_activity_rows_classified') }}
    where is_family_level and family_id is not null

),

final as (

    select
        family_id,
        service_month,
        cast(sum(case when is_face_to_face then 1 else 0 end) as integer) as face_to_face_contacts,
        cast(sum(case when is_face_to_face then duration_minutes else 0 end) as integer) as face_to_face_minutes,
        cast(count(*) as integer) as total_contacts,
        cast(sum(duration_minutes) as integer) as total_minutes
    from activity
    group by family_id, service_month

)

select * from final
