-- Content x day: RED notes and Douyin short videos from their daily metrics, Douyin live sessions on
-- their start day. reads = reads (RED) / plays (video) / views (live); exposures are RED impressions and
-- NULL for Douyin (no impressions source; never copied from reads, METRICS.md §2.1). Live interactions =
-- comments + shares (live likes are repeated taps,
-- far above views). Suspected fake engagement (刷量), our rule: interactions above reads, reads above
-- exposures, or daily reads above
-- var('fake_engagement_spike_multiplier') x the creator's baseline = median over the creator's content
-- of the same type of each content's best day (only when reads >= var('fake_engagement_spike_min_reads')).
with

notes as (
    select
        note_id as content_id,
        stat_date as date_day,
        'red_note' as content_type,
        'red' as platform,
        creator_id,
        exposures,
        reads,
        likes,
        collects,
        comments,
        shares,
        coalesce(interactions, likes + collects + comments + shares) as interactions,
        new_followers,
        cast(null as decimal(12, 6)) as completion_rate,
        product_clicks,
        coalesce(cooperation_fee, 0) as cooperation_fee,
        coalesce(ad_spend, 0) as ad_spend
    from {{ ref('stg_red__notes') }}
),

videos as (
    select
        video_id,
        stat_date,
        'douyin_short_video',
        'douyin',
        author_id,
        null,
        plays,
        likes,
        collects,
        comments,
        shares,
        likes + collects + comments + shares,
        new_followers,
        completion_rate,
        product_clicks,
        0,
        coalesce({{ fen_to_yuan('ad_spend_fen') }}, 0)
    from {{ ref('stg_douyin__videos') }}
),

live_sessions as (
    select
        room_id,
        {{ cn_date('started_at') }},
        'douyin_live',
        'douyin',
        anchor_id,
        null,
        views,
        likes,
        null,
        comments,
        shares,
        comments + shares,
        new_followers,
        null,
        product_clicks,
        0,
        coalesce(ad_spend, 0)
    from {{ ref('stg_douyin__live_sessions') }}
),

commenters as (
    select
        note_id as content_id,
        {{ cn_date('commented_at') }} as date_day,
        count(distinct commenter_token) as distinct_commenters
    from {{ ref('stg_red__note_comments') }}
    group by all
),

unioned as (
    select * from notes
    union all
    select * from videos
    union all
    select * from live_sessions
),

content_peaks as (
    select
        platform,
        creator_id,
        content_type,
        content_id,
        max(reads) as peak_daily_reads
    from unioned
    group by all
),

creator_baselines as (
    select
        platform,
        creator_id,
        content_type,
        median(peak_daily_reads) as creator_median_peak_reads
    from content_peaks
    group by all
),

with_baseline as (
    select
        unioned.*,
        creator_baselines.creator_median_peak_reads
    from unioned
    left join creator_baselines
        on unioned.platform = creator_baselines.platform
            and unioned.creator_id = creator_baselines.creator_id
            and unioned.content_type = creator_baselines.content_type
    where unioned.content_id is not null and unioned.date_day is not null
),

creators as (
    select * from {{ ref('int_creators__versions') }}
),

final as (
    select
        cast(with_baseline.content_id as varchar) as content_id,
        cast(with_baseline.date_day as date) as date_day,
        cast(with_baseline.content_type as varchar) as content_type,
        cast(with_baseline.platform as varchar) as platform,
        cast(with_baseline.creator_id as varchar) as creator_id,
        cast(creators.creator_version_id as varchar) as creator_version_id,
        cast(with_baseline.exposures as bigint) as exposures,
        cast(with_baseline.reads as bigint) as reads,
        cast(with_baseline.likes as bigint) as likes,
        cast(with_baseline.collects as bigint) as collects,
        cast(with_baseline.comments as bigint) as comments,
        cast(with_baseline.shares as bigint) as shares,
        cast(with_baseline.interactions as bigint) as interactions,
        cast(commenters.distinct_commenters as bigint) as distinct_commenters,
        cast(with_baseline.new_followers as bigint) as new_followers,
        cast(with_baseline.completion_rate as decimal(12, 6)) as completion_rate,
        cast(with_baseline.product_clicks as bigint) as product_clicks,
        cast('CNY' as varchar) as currency,
        cast(with_baseline.cooperation_fee as decimal(18, 2)) as cooperation_fee,
        cast(with_baseline.ad_spend as decimal(18, 2)) as ad_spend,
        -- METRICS.md §2.1 ad spend by ad_tool: 罗盘 gives a live room's 千川 spend; RED notes and Douyin
        -- videos carry one total per day, so 聚光 vs 薯条 (and DOU+ vs 千川) cannot be split (§9)
        cast(case with_baseline.content_type
            when 'douyin_live' then 'qianchuan'
            when 'red_note' then 'red_juguang_or_shutiao'
            else 'douyin_video_dou_or_qianchuan'
        end as varchar) as ad_tool,
        cast(with_baseline.cooperation_fee + with_baseline.ad_spend as decimal(18, 2)) as total_spend,
        {{ safe_ratio('with_baseline.interactions', 'with_baseline.reads') }} as engagement_rate,
        {{ safe_ratio('with_baseline.cooperation_fee + with_baseline.ad_spend', 'with_baseline.reads') }}
            as cost_per_read,
        {{ safe_ratio('with_baseline.cooperation_fee + with_baseline.ad_spend', 'with_baseline.interactions') }}
            as cost_per_engagement,
        cast(with_baseline.creator_median_peak_reads as double) as creator_median_peak_reads,
        coalesce(with_baseline.interactions > with_baseline.reads, false) as is_interactions_above_reads,
        coalesce(with_baseline.reads > with_baseline.exposures, false) as is_reads_above_exposures,
        coalesce(
            with_baseline.reads >= {{ var('fake_engagement_spike_min_reads') }}
            and with_baseline.reads
            > {{ var('fake_engagement_spike_multiplier') }} * with_baseline.creator_median_peak_reads,
            false
        ) as is_reads_spike,
        coalesce(with_baseline.interactions > with_baseline.reads, false)
        or coalesce(with_baseline.reads > with_baseline.exposures, false)
        or coalesce(
            with_baseline.reads >= {{ var('fake_engagement_spike_min_reads') }}
            and with_baseline.reads
            > {{ var('fake_engagement_spike_multiplier') }} * with_baseline.creator_median_peak_reads,
            false
        ) as is_suspected_fake_engagement
    from with_baseline
    left join commenters
        on with_baseline.content_id = commenters.content_id and with_baseline.date_day = commenters.date_day
    left join creators
        on {{ creator_version_match('creators', 'with_baseline.platform', 'with_baseline.creator_id',
            'with_baseline.date_day') }}
    qualify row_number()
            over (
                partition by with_baseline.content_id, with_baseline.date_day
                order by with_baseline.reads desc nulls last
            )
        = 1
)

select * from final
