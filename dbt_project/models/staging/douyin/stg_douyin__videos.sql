with

source as (
    {{ latest_version('douyin', 'douyin_videos') }}
),

renamed as (
    select
        {{ id_text(json_text('video_id')) }} as video_id,
        {{ parse_local_date(json_text('stat_date')) }} as stat_date,
        {{ id_text(json_text('author_id')) }} as author_id,
        {{ json_text('title') }} as title_redacted,
        {{ to_utc(json_text('publish_time')) }} as published_at,
        {{ parse_count(json_text('plays')) }} as plays,
        {{ parse_count(json_text('likes')) }} as likes,
        {{ parse_count(json_text('comments')) }} as comments,
        {{ parse_count(json_text('shares')) }} as shares,
        {{ parse_count(json_text('collects')) }} as collects,
        {{ parse_count(json_text('new_followers')) }} as new_followers,
        {{ parse_ratio(json_text('completion_rate')) }} as completion_rate,
        {{ parse_count(json_text('product_clicks')) }} as product_clicks,
        {{ parse_fen(json_text('ad_spend')) }} as ad_spend_fen,
        _loaded_at as loaded_at
    from source
)

select * from renamed
