-- Child-welfare removal episodes as of the newest extract holding each episode_id.
-- The child's birth date (PII) is used here only to derive the age at removal and the 18th
-- birthday (which the federal CFSR indicators need); neither goes into a published table.
with

source as (

    select * from {{ source('raw', 'removal_episodes') }}

),

ranked as (

    select
        *,
        {{ newest_extract_rank(['episode_id']) }} as extract_rank
    from source

),

newest as (

    select * from ranked where extract_rank = 1

),

final as (

    select
        episode_id,
        child_id,
        family_id,
        removal_date,
        discharge_date,
        discharge_reason,
        -- Completed years: one less when the birthday has not come yet in the removal year.
        cast(
            extract(year from removal_date) - extract(year from child_birth_date)
            - case
                when extract(month from removal_date) * 100 + extract(day from removal_date)
                     < extract(month from child_birth_date) * 100 + extract(day from child_birth_date)
                then 1 else 0
              end
            as integer
        ) as age_at_removal_years,
        {{ add_months('child_birth_date', 216) }} as child_turns_18_on,
        child_sex,
        child_race_ethnicity,
        county_fips,
        removal_reason,
        extract_date,
        _source_file as source_file
    from newest

)

select * from final
