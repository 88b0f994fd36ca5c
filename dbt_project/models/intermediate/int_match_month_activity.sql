-- One row per active match-month with the matched Parent Partner's form status
-- and the family's contacts, judged against the program's intensity targets
-- (seeds/program_parameters.csv).
with

match_months as (

    select * from {{ ref('int_match_months') }}

),

forms as (

    select * from {{ ref('int_activity_forms') }}

),

contacts as (

    select * from {{ ref('int_family_month_contacts') }}

),

joined as (

    select
        match_months.*,
        forms.form_id is not null as form_received,
        forms.first_version_on_time,
        coalesce(contacts.face_to_face_contacts, 0) as face_to_face_contacts,
        coalesce(contacts.face_to_face_minutes, 0) as face_to_face_minutes,
        coalesce(contacts.total_contacts, 0) as total_contacts,
        coalesce(contacts.total_minutes, 0) as total_minutes
    from match_months
    left join forms
        on match_months.pp_id = forms.pp_id
        and match_months.family_id = forms.family_id
        and match_months.service_month = forms.service_month
    left join contacts
        on match_months.family_id = contacts.family_id
        and match_months.service_month = contacts.service_month

),

final as (

    select
        match_id,
        family_id,
        pp_id,
        site_id,
        match_date,
        exit_date,
        service_month,
        sfy,
        match_month_index,
        is_full_month,
        face_to_face_contacts,
        face_to_face_minutes,
        total_contacts,
        total_minutes,
        form_due_date,
        form_expected,
        form_received,
        case
            when not form_expected then null
            when not form_received then false
            else first_version_on_time
        end as form_on_time,
        case
            when is_full_month and match_month_index <= {{ program_parameter('initial_intensity_months') }}
                and form_expected
                then face_to_face_contacts >= {{ program_parameter('initial_intensity_contacts') }}
        end as meets_initial_intensity,
        case
            when is_full_month and form_expected then total_minutes >= {{ program_parameter('monthly_minutes') }}
        end as meets_monthly_time
    from joined

)

select * from final
