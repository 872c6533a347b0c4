-- The acquisition / attribution channels every order and customer is assigned to.
with

channels as (
    select * from (
        values
        ('red_note', 'RED note', '小红书笔记', 'red', 'public', 1),
        ('douyin_live', 'Douyin live', '抖音直播', 'douyin', 'public', 2),
        ('douyin_short_video', 'Douyin short video', '抖音短视频', 'douyin', 'public', 3),
        ('private_domain', 'Private domain (WeCom / CRM)', '私域', 'wecom', 'private', 4),
        ('organic_unknown', 'Organic / unknown', '自然流量/未知', 'unknown', 'public', 5)
    ) as channels (channel_id, channel_name, channel_name_cn, platform, domain, sort_order)
)

select
    cast(channel_id as varchar) as channel_id,
    cast(channel_name as varchar) as channel_name,
    cast(channel_name_cn as varchar) as channel_name_cn,
    cast(platform as varchar) as platform,
    domain = 'private' as is_private_domain,
    cast(sort_order as integer) as sort_order
from channels
