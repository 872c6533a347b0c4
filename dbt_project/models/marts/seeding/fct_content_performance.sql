-- One row per content (RED note, Douyin short video, Douyin live session) over its lifetime in the data
-- (METRICS.md §2.3 cost metrics, §2.4 creator tiers, §5.1 WeCom adds). Spend = cooperation fee + ad spend
-- of every loaded day; outputs = lifetime counters and the content's credited orders (O_paid orders whose
-- attributed_content_id is the content, both attribution paths). Cost ratios live here, never at
-- content x day grain (the fee sits on the publish day). A content published before its platform's first
-- loaded stat_date has an unknown fee: is_cost_complete = false. The creator version (type, tier) is the one
-- valid on the publish date (live: the session date); brand and agency accounts are never tiered.
-- wecom_adds = contacts whose first add with the content's state (live_<room_id> / note_<note_id>) falls in
-- [start, start + wecom_add_window_days); the note rate divides by the reads of the same days, the live rate
-- by viewers; both only for mature contents (start <= order watermark - wecom_add_window_days).
with

daily as (
    select * from {{ ref('fct_content_daily') }}
),

catalog as (
    select * from {{ ref('int_content__catalog') }}
),

watermark as (
    select max(paid_at) as order_watermark_at from {{ ref('fct_orders') }}
    where is_paid
),

platform_first_day as (
    select
        platform,
        min(date_day) as first_stat_date
    from daily
    group by platform
),

lifetime as (
    select
        content_id,
        sum(exposures) as exposures,
        sum(reads) as reads,
        sum(interactions) as interactions,
        sum(product_clicks) as product_clicks,
        sum(cooperation_fee) as cooperation_fee,
        sum(ad_spend) as ad_spend
    from daily
    group by content_id
),

credited as (
    select
        attributed_content_id as content_id,
        count(*) as credited_orders,
        sum(pay_amount) as credited_gmv
    from {{ ref('fct_orders') }}
    where is_paid and attributed_content_id is not null
    group by attributed_content_id
),

first_state_adds as (
    -- each contact's first add with a given state code (a contact added by two staff counts once)
    select
        external_user_token,
        channel_state,
        min(added_at) as first_added_at
    from {{ ref('stg_wecom__contacts') }}
    where external_user_token is not null
        and (starts_with(channel_state, 'live_') or starts_with(channel_state, 'note_'))
    group by external_user_token, channel_state
),

content_adds as (
    select
        catalog.content_id,
        count(distinct first_state_adds.external_user_token) as wecom_adds
    from catalog
    inner join first_state_adds
        on case catalog.content_type when 'douyin_live' then 'live_' else 'note_' end || catalog.content_id
            = first_state_adds.channel_state
            and catalog.published_at <= first_state_adds.first_added_at
            and catalog.published_at + to_days({{ var('wecom_add_window_days') }}) > first_state_adds.first_added_at
    where catalog.content_type in ('douyin_live', 'red_note')
    group by catalog.content_id
),

window_reads as (
    -- reads of the note's first wecom_add_window_days Shanghai days (stat_date is a Shanghai day)
    select
        daily.content_id,
        sum(daily.reads) as wecom_window_reads
    from daily
    inner join catalog on daily.content_id = catalog.content_id
    where catalog.content_type = 'red_note'
        and daily.date_day >= {{ cn_date('catalog.published_at') }}
        and daily.date_day < {{ cn_date('catalog.published_at') }} + {{ var('wecom_add_window_days') }}
    group by daily.content_id
),

sessions as (
    select
        live_session_id,
        viewers
    from {{ ref('fct_live_sessions') }}
),

creators as (
    select * from {{ ref('int_creators__versions') }}
),

joined as (
    select
        catalog.content_id,
        catalog.content_type,
        catalog.platform,
        catalog.creator_id,
        catalog.published_at,
        {{ cn_date('catalog.published_at') }} as publish_date,
        creators.creator_version_id,
        creators.creator_type,
        creators.follower_tier,
        lifetime.exposures,
        lifetime.reads,
        lifetime.interactions,
        lifetime.product_clicks,
        coalesce(lifetime.cooperation_fee, 0) as cooperation_fee,
        coalesce(lifetime.ad_spend, 0) as ad_spend,
        coalesce(credited.credited_orders, 0) as credited_orders,
        coalesce(credited.credited_gmv, 0) as credited_gmv,
        {{ cn_date('catalog.published_at') }} >= platform_first_day.first_stat_date as is_cost_complete,
        case when catalog.content_type in ('douyin_live', 'red_note') then coalesce(content_adds.wecom_adds, 0) end
            as wecom_adds,
        window_reads.wecom_window_reads,
        sessions.viewers,
        catalog.published_at <= watermark.order_watermark_at - to_days({{ var('wecom_add_window_days') }})
            as is_wecom_window_mature
    from catalog
    cross join watermark
    left join lifetime on catalog.content_id = lifetime.content_id
    left join credited on catalog.content_id = credited.content_id
    left join content_adds on catalog.content_id = content_adds.content_id
    left join window_reads on catalog.content_id = window_reads.content_id
    left join sessions on catalog.content_id = sessions.live_session_id
    left join platform_first_day on catalog.platform = platform_first_day.platform
    left join creators
        on {{ creator_version_match('creators', 'catalog.platform', 'catalog.creator_id',
            cn_date('catalog.published_at')) }}
),

final as (
    select
        cast(content_id as varchar) as content_id,
        cast(content_type as varchar) as content_type,
        cast(platform as varchar) as platform,
        cast(creator_id as varchar) as creator_id,
        cast(creator_version_id as varchar) as creator_version_id,
        cast(coalesce(creator_type, 'creator') as varchar) as creator_type,
        cast(coalesce(follower_tier, 'unknown') as varchar) as creator_tier,
        coalesce(follower_tier, 'unknown') in ('head', 'waist', 'mid', 'tail_koc') as is_tiered_creator,
        cast(published_at as timestamp) as published_at,
        cast(publish_date as date) as publish_date,
        cast(exposures as bigint) as exposures,
        cast(reads as bigint) as reads,
        cast(interactions as bigint) as interactions,
        cast(product_clicks as bigint) as product_clicks,
        cast('CNY' as varchar) as currency,
        cast(cooperation_fee as decimal(18, 2)) as cooperation_fee,
        cast(ad_spend as decimal(18, 2)) as ad_spend,
        cast(cooperation_fee + ad_spend as decimal(18, 2)) as content_spend,
        cast(is_cost_complete as boolean) as is_cost_complete,
        cast(credited_orders as bigint) as credited_orders,
        cast(credited_gmv as decimal(18, 2)) as credited_gmv,
        -- §2.3: CPM is RED only (Douyin has no impressions source, exposures NULL)
        case when is_cost_complete then {{ safe_ratio('(cooperation_fee + ad_spend) * 1000', 'exposures') }} end
            as cpm,
        case when is_cost_complete then {{ safe_ratio('cooperation_fee + ad_spend', 'reads') }} end as cost_per_read,
        case when is_cost_complete then {{ safe_ratio('cooperation_fee + ad_spend', 'interactions') }} end as cpe,
        case when is_cost_complete then {{ safe_ratio('cooperation_fee + ad_spend', 'credited_orders') }} end
            as cost_per_attributed_order,
        case when is_cost_complete then {{ safe_ratio('credited_gmv', 'cooperation_fee + ad_spend') }} end
            as content_roi,
        cast(wecom_adds as bigint) as wecom_adds,
        cast(wecom_window_reads as bigint) as wecom_window_reads,
        cast(viewers as bigint) as viewers,
        cast(is_wecom_window_mature as boolean) as is_wecom_window_mature
    from joined
)

select * from final
