-- Every piece of content: RED notes, Douyin short videos and Douyin live sessions, plus content ids
-- seen only in order attribution (kept so every attributed order finds its content; metadata null).
-- Attribution-only ids come from the persisted fct_orders, so they survive raw-data retention.
with

catalog as (
    select * from {{ ref('int_content__catalog') }}
),

attributed_only as (
    select
        attributed_content_id as content_id,
        case
            when attributed_content_id = attributed_live_session_id then 'douyin_live'
            when channel_id in ('douyin_short_video', 'douyin_live', 'red_note') then channel_id
            else 'unknown'
        end as content_type,
        any_value(platform) as platform,
        cast(null as varchar) as content_format,
        cast(null as varchar) as title_redacted,
        cast(null as timestamp) as published_at,
        any_value(attributed_creator_id) as creator_id,
        cast([] as varchar[]) as tags,
        9 as priority
    from {{ ref('fct_orders') }}
    where attributed_content_id is not null
    group by all
),

unioned as (
    select * from catalog
    union all by name
    select * from attributed_only
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
