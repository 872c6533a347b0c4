with

source as (
    {{ latest_version('red', 'red_notes') }}
),

renamed as (
    select
        {{ clean_text(json_text('note_id')) }} as note_id,
        {{ parse_local_date(json_text('stat_date')) }} as stat_date,
        {{ json_text('title') }} as title_redacted,
        {{ clean_text(json_text('creator_id')) }} as creator_id,
        {{ clean_text(json_text('creator_nickname')) }} as creator_nickname,
        {{ parse_count(json_text('creator_followers')) }} as creator_followers,
        {{ to_utc(json_text('publish_time')) }} as published_at,
        case {{ clean_text(json_text('note_type')) }}
            when '图文' then 'image'
            when 'normal' then 'image'
            when '视频' then 'video'
            when 'video' then 'video'
            else 'unknown'
        end as note_format,
        coalesce(try_cast(json_extract(record, '$.tags') as varchar[]), []::varchar[]) as tags,
        {{ parse_yuan(json_text('cooperation_fee')) }} as cooperation_fee,
        {{ parse_count(json_text('exposures')) }} as exposures,
        {{ parse_count(json_text('reads')) }} as reads,
        {{ parse_count(json_text('interactions')) }} as interactions,
        {{ parse_count(json_text('likes')) }} as likes,
        {{ parse_count(json_text('collects')) }} as collects,
        {{ parse_count(json_text('comments')) }} as comments,
        {{ parse_count(json_text('shares')) }} as shares,
        {{ parse_count(json_text('new_followers')) }} as new_followers,
        {{ parse_count(json_text('product_clicks')) }} as product_clicks,
        {{ parse_yuan(json_text('ad_spend')) }} as ad_spend,
        _loaded_at as loaded_at
    from source
)

select * from renamed
