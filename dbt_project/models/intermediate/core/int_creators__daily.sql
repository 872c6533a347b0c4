-- One row per creator (platform account) per day it was observed, follower count and name carried
-- forward from the last observation (followers: RED note exports and Douyin creator profiles), tier by the configurable rule var('creator_tier_min_followers').
-- Account type (METRICS.md §1.6): brand = var('brand_account_ids') of the platform or any 自播 anchor,
-- agency = any 代运营 anchor, creator = every other id. Brand and agency accounts are never tiered.
{%- set cutoffs = var('creator_tier_min_followers') %}
{%- set brand_ids = var('brand_account_ids') %}
with

observations as (
    select 'red' as platform, creator_id, stat_date as observed_date, creator_nickname as creator_name,
        creator_followers as followers, cast(null as varchar) as creator_type
    from {{ ref('stg_red__notes') }}
    union all
    select 'douyin', anchor_id, {{ cn_date('started_at') }}, anchor_name, null,
        case broadcast_mode when 'self_broadcast' then 'brand' when 'agency' then 'agency' end
    from {{ ref('stg_douyin__live_sessions') }}
    union all
    select 'douyin', author_id, stat_date, null, null, null
    from {{ ref('stg_douyin__videos') }}
    union all
    select 'douyin', author_id, stat_date, author_name, followers, null
    from {{ ref('stg_douyin__creators') }}
    union all
    select platform, creator_id, {{ cn_date('orders.created_at') }}, creator_name, null, null
    from {{ ref('int_order_lines__unioned') }} as lines
    inner join {{ ref('int_orders__unioned') }} as orders using (order_id, platform)
),

daily as (
    select
        platform,
        creator_id,
        observed_date,
        max(creator_name) as creator_name,
        max(followers) as followers,
        mode(creator_type) as creator_type
    from observations
    where creator_id is not null and observed_date is not null
    group by platform, creator_id, observed_date
),

carried as (
    select
        platform,
        creator_id,
        observed_date,
        coalesce(
            last_value(creator_name ignore nulls) over creator_days,
            first_value(creator_name ignore nulls) over (
                partition by platform, creator_id order by observed_date
                rows between unbounded preceding and unbounded following
            )
        ) as creator_name,
        last_value(followers ignore nulls) over creator_days as followers,
        case
            {%- for platform, ids in brand_ids.items() %}
            {%- if ids %}
            when platform = '{{ platform }}' and creator_id in ('{{ ids | join("', '") }}') then 'brand'
            {%- endif %}
            {%- endfor %}
            when bool_or(creator_type = 'brand') over (partition by platform, creator_id) then 'brand'
            when bool_or(creator_type = 'agency') over (partition by platform, creator_id) then 'agency'
            else 'creator'
        end as creator_type
    from daily
    window creator_days as (
        partition by platform, creator_id order by observed_date
        rows between unbounded preceding and current row
    )
),

final as (
    select
        *,
        case
            when creator_type <> 'creator' then creator_type
            when followers is null then 'unknown'
            when followers >= {{ cutoffs['head'] }} then 'head'
            when followers >= {{ cutoffs['waist'] }} then 'waist'
            when followers >= {{ cutoffs['mid'] }} then 'mid'
            else 'tail_koc'
        end as follower_tier
    from carried
)

select * from final
