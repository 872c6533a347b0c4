-- SCD2: a new creator version starts whenever the creator's tier, name or type changes. The first
-- version is valid from 1900-01-01 so facts older than the first observation still find a version.
with

daily as (
    select * from {{ ref('int_creators__daily') }}
),

flagged as (
    select
        *,
        case
            when lag(follower_tier) over creator_days is distinct from follower_tier
                or lag(creator_name) over creator_days is distinct from creator_name
                or lag(creator_type) over creator_days is distinct from creator_type
                then 1
            else 0
        end as is_new_version
    from daily
    window creator_days as (partition by platform, creator_id order by observed_date)
),

numbered as (
    select
        *,
        sum(is_new_version) over (
            partition by platform, creator_id order by observed_date rows between unbounded preceding and current row
        ) as version_number
    from flagged
),

versions as (
    select
        platform,
        creator_id,
        version_number,
        min(observed_date) as first_observed_date,
        max(observed_date) as last_observed_date,
        any_value(creator_name) as creator_name,
        any_value(creator_type) as creator_type,
        any_value(follower_tier) as follower_tier,
        max(followers) as followers
    from numbered
    group by platform, creator_id, version_number
),

final as (
    select
        md5(platform || '|' || creator_id || '|' || cast(version_number as varchar)) as creator_version_id,
        platform,
        creator_id,
        cast(version_number as integer) as version_number,
        creator_name,
        creator_type,
        followers,
        follower_tier,
        first_observed_date,
        case when version_number = 1 then date '1900-01-01' else first_observed_date end as valid_from,
        lead(first_observed_date) over (partition by platform, creator_id order by version_number) as valid_to,
        lead(first_observed_date) over (partition by platform, creator_id order by version_number) is null as is_current
    from versions
)

select * from final
