-- Every piece of content: RED notes, Douyin short videos and Douyin live sessions, plus content ids
-- seen only in order attribution (kept so every attributed order finds its content; metadata null).
with

notes as (
    select
        note_id as content_id,
        'red_note' as content_type,
        'red' as platform,
        arg_max(note_format, stat_date) as content_format,
        arg_max(title_redacted, stat_date) as title_redacted,
        min(published_at) as published_at,
        arg_max(creator_id, stat_date) as creator_id,
        arg_max(tags, stat_date) as tags,
        1 as priority
    from {{ ref('stg_red__notes') }}
    group by note_id
),

videos as (
    select
        video_id as content_id,
        'douyin_short_video' as content_type,
        'douyin' as platform,
        'video' as content_format,
        arg_max(title_redacted, stat_date) as title_redacted,
        min(published_at) as published_at,
        arg_max(author_id, stat_date) as creator_id,
        []::varchar[] as tags,
        2 as priority
    from {{ ref('stg_douyin__videos') }}
    group by video_id
),

live_sessions as (
    select
        room_id as content_id,
        'douyin_live' as content_type,
        'douyin' as platform,
        'live' as content_format,
        title_redacted,
        started_at as published_at,
        anchor_id as creator_id,
        []::varchar[] as tags,
        3 as priority
    from {{ ref('stg_douyin__live_sessions') }}
),

attributed_only as (
    select
        attribution.attributed_content_id as content_id,
        case
            when attribution.attributed_content_id = attribution.attributed_live_session_id then 'douyin_live'
            when attribution.channel_id = 'douyin_short_video' then 'douyin_short_video'
            when attribution.channel_id = 'douyin_live' then 'douyin_live'
            when attribution.channel_id = 'red_note' then 'red_note'
            else 'unknown'
        end as content_type,
        any_value(orders.platform) as platform,
        cast(null as varchar) as content_format,
        cast(null as varchar) as title_redacted,
        cast(null as timestamp) as published_at,
        any_value(attribution.attributed_creator_id) as creator_id,
        []::varchar[] as tags,
        9 as priority
    from {{ ref('int_orders__attributed') }} as attribution
    inner join {{ ref('int_orders__unioned') }} as orders on attribution.order_id = orders.order_id
    where attribution.attributed_content_id is not null
    group by all
),

unioned as (
    select * from notes
    union all by name select * from videos
    union all by name select * from live_sessions
    union all by name select * from attributed_only
),

deduplicated as (
    select *
    from unioned
    where content_id is not null
    qualify row_number() over (partition by content_id order by priority) = 1
),

creators as (
    select * from {{ ref('int_creators__versions') }}
),

final as (
    select
        cast(deduplicated.content_id as varchar) as content_id,
        cast(deduplicated.content_type as varchar) as content_type,
        cast(deduplicated.platform as varchar) as platform,
        cast(deduplicated.content_format as varchar) as content_format,
        cast(deduplicated.title_redacted as varchar) as title_redacted,
        cast(deduplicated.published_at as timestamp) as published_at,
        cast({{ to_cn('deduplicated.published_at') }} as timestamp) as published_at_cn,
        cast(deduplicated.creator_id as varchar) as creator_id,
        cast(creators.creator_version_id as varchar) as creator_version_id,
        cast(deduplicated.tags as varchar[]) as tags,
        deduplicated.priority = 9 as is_known_from_orders_only
    from deduplicated
    left join creators
        on {{ creator_version_match('creators', 'deduplicated.platform', 'deduplicated.creator_id',
            cn_date('deduplicated.published_at')) }}
)

select * from final
