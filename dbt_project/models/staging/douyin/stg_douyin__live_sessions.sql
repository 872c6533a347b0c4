with

source as (
    {{ latest_version('douyin', 'douyin_live_sessions') }}
),

renamed as (
    select
        {{ id_text(json_text('room_id')) }} as room_id,
        {{ id_text(json_text('anchor_id')) }} as anchor_id,
        {{ clean_text(json_text('anchor_name')) }} as anchor_name,
        case {{ clean_text(json_text('broadcast_mode')) }}
            when '自播' then 'self_broadcast'
            when '达播' then 'creator'
            when '代运营' then 'agency'
            else 'unknown'
        end as broadcast_mode,
        {{ json_text('title') }} as title_redacted,
        {{ to_utc(json_text('start_time')) }} as started_at,
        {{ to_utc(json_text('end_time')) }} as ended_at,
        {{ parse_duration_seconds(json_text('duration')) }} as duration_seconds,
        {{ parse_count(json_text('viewers')) }} as viewers,
        {{ parse_count(json_text('views')) }} as views,
        {{ parse_count(json_text('peak_online')) }} as peak_online,
        {{ parse_count(json_text('avg_online')) }} as avg_online,
        {{ parse_duration_seconds(json_text('avg_stay')) }} as avg_stay_seconds,
        {{ parse_count(json_text('comments')) }} as comments,
        {{ parse_count(json_text('likes')) }} as likes,
        {{ parse_count(json_text('shares')) }} as shares,
        {{ parse_count(json_text('new_followers')) }} as new_followers,
        {{ parse_count(json_text('new_fan_club_members')) }} as new_fan_club_members,
        {{ parse_count(json_text('product_exposures')) }} as product_exposures,
        {{ parse_count(json_text('product_clicks')) }} as product_clicks,
        {{ parse_count(json_text('buyers')) }} as buyers,
        {{ parse_count(json_text('items_sold')) }} as items_sold,
        {{ parse_count(json_text('orders')) }} as orders,
        {{ parse_yuan(json_text('gmv')) }} as gmv,
        {{ parse_yuan(json_text('user_paid_amount')) }} as user_paid_amount,
        {{ parse_yuan(json_text('refund_amount')) }} as refund_amount,
        {{ parse_yuan(json_text('ad_spend')) }} as ad_spend,
        {{ is_pending(json_text('gmv')) }} as is_gmv_pending,
        _loaded_at as loaded_at
    from source
)

select * from renamed
