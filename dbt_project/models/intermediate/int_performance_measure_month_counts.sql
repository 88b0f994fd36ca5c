-- Numerator and denominator of each contract performance measure (PM01..PM07)
-- per SFY and the month each case belongs to: the match month (PM01), the service
-- month (PM02..PM05), the exit month (PM06), and for PM07 the first month in the SFY
-- in which the Parent Partner had an active match (the earliest match active in an
-- SFY is active in that month, so a case never moves month as the year goes on).
-- Summed over an SFY's months these are the SFY's counts (int_performance_measure_counts);
-- summed up to a month, its year-to-date counts (fct_performance_measure_ytd).
with

matches as (

    select * from {{ ref('int_matches') }}

),

family_months as (

    select * from {{ ref('int_family_months') }}

),

pp_months as (

    select * from {{ ref('int_pp_months') }}

),

exits as (

    select * from {{ ref('int_exits') }}

),

face_to_face as (

    select family_id, activity_date
    from {{ ref('int_activity_rows_classified') }}
    where is_face_to_face and family_id is not null

),

-- PM01: a face-to-face contact within the engagement window after the match, by any Parent Partner.
engaged_matches as (

    select distinct matches.match_id
    from matches
    inner join face_to_face
        on matches.family_id = face_to_face.family_id
        and face_to_face.activity_date between matches.match_date and {{ add_days('matches.match_date', program_parameter('engagement_window_days')) }}

),

pm01 as (

    select
        {{ sfy_of('matches.match_date') }} as sfy,
        {{ month_start('matches.match_date') }} as service_month,
        'PM01' as measure_id,
        sum(case when engaged_matches.match_id is not null then 1 else 0 end) as numerator,
        count(*) as denominator
    from matches
    left join engaged_matches
        on matches.match_id = engaged_matches.match_id
    where {{ add_days('matches.match_date', program_parameter('engagement_window_days')) }} < {{ as_of_date() }}
    group by {{ sfy_of('matches.match_date') }}, {{ month_start('matches.match_date') }}

),

pm02 as (

    select
        sfy,
        service_month,
        'PM02' as measure_id,
        sum(case when meets_initial_intensity then 1 else 0 end) as numerator,
        count(*) as denominator
    from family_months
    where is_full_month and match_month_index <= {{ program_parameter('initial_intensity_months') }} and form_expected
    group by sfy, service_month

),

pm03 as (

    select
        sfy,
        service_month,
        'PM03' as measure_id,
        sum(case when meets_monthly_time then 1 else 0 end) as numerator,
        count(*) as denominator
    from family_months
    where is_full_month and form_expected
    group by sfy, service_month

),

pm04 as (

    select
        sfy,
        service_month,
        'PM04' as measure_id,
        sum(case when within_caseload_limit then 1 else 0 end) as numerator,
        count(*) as denominator
    from pp_months
    where active_families >= 1
    group by sfy, service_month

),

pm05 as (

    select
        sfy,
        service_month,
        'PM05' as measure_id,
        sum(case when form_on_time then 1 else 0 end) as numerator,
        count(*) as denominator
    from family_months
    where form_expected
    group by sfy, service_month

),

pm06 as (

    select
        exit_sfy as sfy,
        {{ month_start('exit_date') }} as service_month,
        'PM06' as measure_id,
        sum(case when fidelity_checklist_within_window then 1 else 0 end) as numerator,
        count(*) as denominator
    from exits
    where fidelity_review_due
    group by exit_sfy, {{ month_start('exit_date') }}

),

-- PM07: the earliest match date among each PP's matches active in the SFY is
-- the date by which all core topics had to be complete.
pp_sfy_first_match as (

    select
        pp_id,
        sfy,
        min(service_month) as first_active_month,
        min(match_date) as first_match_date
    from {{ ref('int_match_months') }}
    group by pp_id, sfy

),

core_topics as (

    select topic_code
    from {{ ref('training_topics') }}
    where cast(is_core as boolean)

),

core_completions as (

    select training.pp_id, training.topic_code, training.completed_on
    from {{ ref('stg_training_records') }} as training
    inner join core_topics
        on training.topic_code = core_topics.topic_code

),

pp_sfy_trained as (

    select
        pp_sfy_first_match.pp_id,
        pp_sfy_first_match.sfy,
        pp_sfy_first_match.first_active_month,
        count(distinct core_completions.topic_code) >= (select count(*) from core_topics) as trained_before_first_match
    from pp_sfy_first_match
    left join core_completions
        on pp_sfy_first_match.pp_id = core_completions.pp_id
        and core_completions.completed_on <= pp_sfy_first_match.first_match_date
    group by pp_sfy_first_match.pp_id, pp_sfy_first_match.sfy, pp_sfy_first_match.first_active_month

),

pm07 as (

    select
        sfy,
        first_active_month as service_month,
        'PM07' as measure_id,
        sum(case when trained_before_first_match then 1 else 0 end) as numerator,
        count(*) as denominator
    from pp_sfy_trained
    group by sfy, first_active_month

),

unioned as (

    select * from pm01
    union all select * from pm02
    union all select * from pm03
    union all select * from pm04
    union all select * from pm05
    union all select * from pm06
    union all select * from pm07

),

final as (

    select
        cast(sfy as integer) as sfy,
        cast(service_month as date) as service_month,
        measure_id,
        cast(numerator as integer) as numerator,
        cast(denominator as integer) as denominator
    from unioned

)

select * from final
