-- Content known from the platforms' own content data: RED notes, Douyin short videos, Douyin live
-- sessions (one row per content id; the first source wins if ids ever collide).
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

unioned as (
    select * from notes
    union all by name
    select * from videos
    union all by name
    select * from live_sessions
)

select *
from unioned
where content_id is not null
qualify row_number() over (partition by content_id order by priority) = 1
