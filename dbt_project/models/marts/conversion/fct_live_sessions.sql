{{ config(
    materialized='incremental',
    unique_key='live_session_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}
-- One row per Douyin live session. Ratios are recomputed from numerators and denominators (never
-- averaged): GPM = GMV / views x 1000, conversion = buyers / viewers. Platform-reported GMV
-- ("数据将于第二天更新" until T+1 -> is_gmv_pending) is reconciled against the paid orders whose
-- attributed_live_session_id is the room (METRICS.md §1.7 / §4.2: never "any line in the room", so the
-- rooms' attributed GMV sums to douyin_live GMV). Incremental: sessions re-extracted or with newly loaded
-- room orders are rebuilt.
with

sessions as (
    select * from {{ ref('stg_douyin__live_sessions') }}
),

room_order_pairs as (
    select
        attributed.attributed_live_session_id as room_id,
        orders.order_id,
        orders.customer_id,
        orders.pay_amount_fen,
        orders.loaded_at
    from {{ ref('int_orders__attributed') }} as attributed
    inner join {{ ref('int_orders__unioned') }} as orders on attributed.order_id = orders.order_id
    where orders.is_paid and attributed.attributed_live_session_id is not null
),

room_orders as (
    select
        room_id,
        count(*) as attributed_orders,
        count(distinct customer_id) as attributed_buyers,
        sum(pay_amount_fen) as attributed_gmv_fen,
        max(loaded_at) as orders_loaded_at
    from room_order_pairs
    group by room_id
),

creators as (
    select * from {{ ref('int_creators__versions') }}
),

first_state_adds as (
    -- each contact's first add with a live_<room_id> state code (a contact added by two staff counts once)
    select
        external_user_token,
        substr(channel_state, 6) as room_id,
        min(added_at) as first_added_at,
        max(loaded_at) as loaded_at
    from {{ ref('stg_wecom__contacts') }}
    where starts_with(channel_state, 'live_') and external_user_token is not null
    group by external_user_token, substr(channel_state, 6)
),

room_wecom_adds as (
    -- METRICS.md §5.1 wecom_adds: first adds with the room's code in [start, start + wecom_add_window_days)
    select
        sessions.room_id,
        count(distinct first_state_adds.external_user_token) as wecom_adds,
        max(first_state_adds.loaded_at) as adds_loaded_at
    from first_state_adds
    inner join sessions
        on first_state_adds.room_id = sessions.room_id
            and first_state_adds.first_added_at >= sessions.started_at
            and first_state_adds.first_added_at < sessions.started_at + to_days({{ var('wecom_add_window_days') }})
    group by sessions.room_id
),

joined as (
    select
        sessions.*,
        coalesce(room_orders.attributed_orders, 0) as attributed_orders,
        coalesce(room_orders.attributed_buyers, 0) as attributed_buyers,
        coalesce(room_orders.attributed_gmv_fen, 0) as attributed_gmv_fen,
        coalesce(room_wecom_adds.wecom_adds, 0) as wecom_adds,
        greatest(sessions.loaded_at, room_orders.orders_loaded_at, room_wecom_adds.adds_loaded_at) as source_loaded_at,
        creators.creator_version_id
    from sessions
    left join room_orders on sessions.room_id = room_orders.room_id
    left join room_wecom_adds on sessions.room_id = room_wecom_adds.room_id
    left join creators
        on {{ creator_version_match('creators', "'douyin'", 'sessions.anchor_id', cn_date('sessions.started_at')) }}
    where sessions.room_id is not null
),

final as (
    select
        cast(room_id as varchar) as live_session_id,
        cast(anchor_id as varchar) as creator_id,
        cast(creator_version_id as varchar) as creator_version_id,
        cast(broadcast_mode as varchar) as broadcast_mode,
        broadcast_mode = 'self_broadcast' as is_self_broadcast,
        cast(title_redacted as varchar) as title_redacted,
        cast(started_at as timestamp) as started_at,
        cast({{ to_cn('started_at') }} as timestamp) as started_at_cn,
        cast(ended_at as timestamp) as ended_at,
        {{ cn_date('started_at') }} as session_date,
        cast(duration_seconds as bigint) as duration_seconds,
        cast(viewers as bigint) as viewers,
        cast(views as bigint) as views,
        cast(peak_online as bigint) as peak_online,
        cast(avg_online as bigint) as avg_online,
        cast(avg_stay_seconds as bigint) as avg_stay_seconds,
        cast(comments as bigint) as comments,
        cast(likes as bigint) as likes,
        cast(shares as bigint) as shares,
        cast(new_followers as bigint) as new_followers,
        cast(new_fan_club_members as bigint) as new_fan_club_members,
        cast(product_exposures as bigint) as product_exposures,
        cast(product_clicks as bigint) as product_clicks,
        cast(buyers as bigint) as buyers,
        cast(items_sold as bigint) as items_sold,
        cast(orders as bigint) as orders_reported,
        cast('CNY' as varchar) as currency,
        cast(gmv as decimal(18, 2)) as gmv_reported,
        cast(user_paid_amount as decimal(18, 2)) as user_paid_amount,
        cast(refund_amount as decimal(18, 2)) as refund_amount,
        cast(ad_spend as decimal(18, 2)) as ad_spend,
        cast(is_gmv_pending as boolean) as is_gmv_pending,
        {{ safe_ratio('gmv * 1000', 'views') }} as gpm,
        {{ safe_ratio('gmv', 'viewers') }} as uv_value,
        {{ safe_ratio('buyers', 'viewers') }} as conversion_rate,
        {{ safe_ratio('comments + shares', 'views') }} as engagement_rate,
        {{ safe_ratio('gmv', 'buyers') }} as average_order_value_per_buyer,
        {{ safe_ratio('gmv', 'ad_spend') }} as ad_roi,
        cast(wecom_adds as bigint) as wecom_adds,
        cast(attributed_orders as bigint) as attributed_orders,
        cast(attributed_buyers as bigint) as attributed_buyers,
        {{ fen_to_yuan('attributed_gmv_fen') }} as attributed_gmv,
        cast(gmv - {{ fen_to_yuan('attributed_gmv_fen') }} as decimal(18, 2)) as gmv_reconciliation_difference,
        case
            when gmv is null then null
            else abs(gmv - {{ fen_to_yuan('attributed_gmv_fen') }})
                <= {{ var('live_gmv_reconciliation_tolerance') }}
                * greatest(gmv, {{ fen_to_yuan('attributed_gmv_fen') }})
        end as is_gmv_reconciled,
        cast(source_loaded_at as timestamp with time zone) as source_loaded_at
    from joined
    {% if is_incremental() %}
        where {{ incremental_since('source_loaded_at') }}
    {% endif %}
)

select * from final
