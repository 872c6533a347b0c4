-- SCD2 creator versions (see int_creators__versions); join facts on creator_version_id. Versions that
-- incremental facts still reference but that raw data no longer yields (purged by retention) are kept
-- as history-only rows with unknown attributes, so every fact keeps a valid foreign key.
with

versions as (
    select * from {{ ref('int_creators__versions') }}
),

referenced as (
    select
        creator_version_id,
        platform,
        attributed_creator_id as creator_id
    from {{ ref('fct_orders') }}
    where creator_version_id is not null
    union
    select
        creator_version_id,
        'douyin',
        creator_id
    from {{ ref('fct_live_sessions') }}
    where creator_version_id is not null
),

history_only as (
    select
        creator_version_id,
        any_value(platform) as platform,
        any_value(creator_id) as creator_id,
        cast(null as integer) as version_number,
        cast(null as varchar) as creator_name,
        'creator' as creator_type,
        cast(null as bigint) as followers,
        'unknown' as follower_tier,
        date '1900-01-01' as valid_from,
        date '1900-01-01' as valid_to,
        false as is_current,
        true as is_history_only
    from referenced
    where creator_version_id not in (select creator_version_id from versions)
    group by creator_version_id
),

unioned as (
    select
        creator_version_id,
        platform,
        creator_id,
        version_number,
        creator_name,
        creator_type,
        followers,
        follower_tier,
        valid_from,
        valid_to,
        is_current,
        false as is_history_only
    from versions
    union all by name
    select * from history_only
)

select
    cast(creator_version_id as varchar) as creator_version_id,
    cast(platform as varchar) as platform,
    cast(creator_id as varchar) as creator_id,
    cast(version_number as integer) as version_number,
    cast(creator_name as varchar) as creator_name,
    cast(creator_type as varchar) as creator_type,
    cast(followers as bigint) as followers,
    cast(follower_tier as varchar) as tier,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(is_current as boolean) as is_current,
    cast(is_history_only as boolean) as is_history_only
from unioned
