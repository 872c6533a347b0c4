-- SCD2 creator versions (see int_creators__versions); join facts on creator_version_id.
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
    cast(is_current as boolean) as is_current
from {{ ref('int_creators__versions') }}
