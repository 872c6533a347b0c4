-- Content x day: RED notes and Douyin short videos from their daily metrics, Douyin live sessions on
-- their start day. reads = reads (RED) / plays (video) / views (live); exposures are RED impressions and
-- NULL for Douyin (no impressions source; never copied from reads, METRICS.md §2.1). Live interactions =
-- comments + shares (live likes are repeated taps, far above views).
-- Suspected fake engagement (刷量, METRICS.md §2.5, our rule): interactions above reads; reads above
-- exposures; reads >= var('fake_engagement_spike_min_reads') and above k x the creator's baseline (the
-- median, over the creator's other contents of the same type published before this one, of each content's
-- best daily reads; NULL with fewer than var('fake_engagement_min_prior_contents') of them; k =
-- var('fake_engagement_spike_multiplier'), var('fake_engagement_campaign_multiplier') on campaign days);
-- RED comments >= var('fake_engagement_comment_min') from fewer distinct commenters than
-- var('fake_engagement_min_distinct_commenter_ratio') x comments. A content is suspected if any day is.
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
        unioned.platform,
        unioned.creator_id,
        unioned.content_type,
        unioned.content_id,
        any_value(catalog.published_at) as published_at,
        max(unioned.reads) as peak_daily_reads
    from unioned
    left join {{ ref('int_content__catalog') }} as catalog on unioned.content_id = catalog.content_id
    group by all
),

creator_baselines as (
    select
        content_peaks.content_id,
        count(earlier.content_id) as creator_prior_contents,
        median(earlier.peak_daily_reads) as prior_median_peak_reads
    from content_peaks
    left join content_peaks as earlier
        on content_peaks.platform = earlier.platform
            and content_peaks.creator_id = earlier.creator_id
            and content_peaks.content_type = earlier.content_type
            and content_peaks.content_id != earlier.content_id
            and content_peaks.published_at > earlier.published_at
    group by content_peaks.content_id
),

with_baseline as (
    select
        unioned.*,
        creator_baselines.creator_prior_contents,
        case
            when creator_baselines.creator_prior_contents >= {{ var('fake_engagement_min_prior_contents') }}
                then creator_baselines.prior_median_peak_reads
        end as creator_median_peak_reads,
        coalesce(dates.campaign_names is not null, false) as is_campaign_day
    from unioned
    left join creator_baselines on unioned.content_id = creator_baselines.content_id
    left join {{ ref('dim_date') }} as dates on unioned.date_day = dates.date_day
    where unioned.content_id is not null and unioned.date_day is not null
),

flagged as (
    select
        with_baseline.*,
        commenters.distinct_commenters,
        coalesce(with_baseline.interactions > with_baseline.reads, false) as is_interactions_above_reads,
        coalesce(with_baseline.reads > with_baseline.exposures, false) as is_reads_above_exposures,
        case
            when with_baseline.creator_median_peak_reads is not null
                then coalesce(
                        with_baseline.reads >= {{ var('fake_engagement_spike_min_reads') }}
                        and with_baseline.reads > with_baseline.creator_median_peak_reads * case
                            when with_baseline.is_campaign_day then {{ var('fake_engagement_campaign_multiplier') }}
                            else {{ var('fake_engagement_spike_multiplier') }}
                        end,
                        false
                    )
        end as is_reads_spike,
        case
            when with_baseline.content_type = 'red_note'
                then coalesce(
                        with_baseline.comments >= {{ var('fake_engagement_comment_min') }}
                        and commenters.distinct_commenters
                        < {{ var('fake_engagement_min_distinct_commenter_ratio') }} * with_baseline.comments,
                        false
                    )
        end as is_comment_concentration
    from with_baseline
    left join commenters
        on with_baseline.content_id = commenters.content_id and with_baseline.date_day = commenters.date_day
),

with_reasons as (
    select
        flagged.*,
        list_filter(
            [
                case when flagged.is_interactions_above_reads then 'interactions_above_reads' end,
                case when flagged.is_reads_above_exposures then 'reads_above_exposures' end,
                case when flagged.is_reads_spike then 'reads_spike' end,
                case when flagged.is_comment_concentration then 'comment_concentration' end
            ],
            lambda reason: reason is not null  -- noqa: RF03
        ) as fake_engagement_reasons
    from flagged
),

creators as (
    select * from {{ ref('int_creators__versions') }}
),

final as (
    select
        cast(with_reasons.content_id as varchar) as content_id,
        cast(with_reasons.date_day as date) as date_day,
        cast(with_reasons.content_type as varchar) as content_type,
        cast(with_reasons.platform as varchar) as platform,
        cast(with_reasons.creator_id as varchar) as creator_id,
        cast(creators.creator_version_id as varchar) as creator_version_id,
        cast(with_reasons.exposures as bigint) as exposures,
        cast(with_reasons.reads as bigint) as reads,
        cast(with_reasons.likes as bigint) as likes,
        cast(with_reasons.collects as bigint) as collects,
        cast(with_reasons.comments as bigint) as comments,
        cast(with_reasons.shares as bigint) as shares,
        cast(with_reasons.interactions as bigint) as interactions,
        cast(with_reasons.distinct_commenters as bigint) as distinct_commenters,
        cast(with_reasons.new_followers as bigint) as new_followers,
        cast(with_reasons.completion_rate as decimal(12, 6)) as completion_rate,
        cast(with_reasons.product_clicks as bigint) as product_clicks,
        cast('CNY' as varchar) as currency,
        cast(with_reasons.cooperation_fee as decimal(18, 2)) as cooperation_fee,
        cast(with_reasons.ad_spend as decimal(18, 2)) as ad_spend,
        -- METRICS.md §2.1 ad spend by ad_tool: 罗盘 gives a live room's 千川 spend; RED notes and Douyin
        -- videos carry one total per day, so 聚光 vs 薯条 (and DOU+ vs 千川) cannot be split (§9)
        cast(case with_reasons.content_type
            when 'douyin_live' then 'qianchuan'
            when 'red_note' then 'red_juguang_or_shutiao'
            else 'douyin_video_dou_or_qianchuan'
        end as varchar) as ad_tool,
        cast(with_reasons.cooperation_fee + with_reasons.ad_spend as decimal(18, 2)) as total_spend,
        {{ safe_ratio('with_reasons.interactions', 'with_reasons.reads') }} as engagement_rate,
        {{ safe_ratio('with_reasons.cooperation_fee + with_reasons.ad_spend', 'with_reasons.reads') }}
            as cost_per_read,
        {{ safe_ratio('with_reasons.cooperation_fee + with_reasons.ad_spend', 'with_reasons.interactions') }}
            as cost_per_engagement,
        cast(with_reasons.creator_prior_contents as bigint) as creator_prior_contents,
        cast(with_reasons.creator_median_peak_reads as double) as creator_median_peak_reads,
        with_reasons.is_campaign_day,
        with_reasons.is_interactions_above_reads,
        with_reasons.is_reads_above_exposures,
        with_reasons.is_reads_spike,
        with_reasons.is_comment_concentration,
        cast(with_reasons.fake_engagement_reasons as varchar[]) as fake_engagement_reasons,
        len(with_reasons.fake_engagement_reasons) > 0 as is_suspected_fake_engagement,
        bool_or(len(with_reasons.fake_engagement_reasons) > 0)
            over (partition by with_reasons.content_id)
            as is_content_suspected_fake_engagement
    from with_reasons
    left join creators
        on {{ creator_version_match('creators', 'with_reasons.platform', 'with_reasons.creator_id',
            'with_reasons.date_day') }}
    qualify row_number()
            over (
                partition by with_reasons.content_id, with_reasons.date_day
                order by with_reasons.reads desc nulls last
            )
        = 1
)

select * from final
