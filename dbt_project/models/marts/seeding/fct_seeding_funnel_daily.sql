-- Content x day funnel in the seeds' order (METRICS.md §3, seed 002 §3.4 曝光-点击-互动-转化-复购):
-- exposures -> reads (点击: the card was opened) -> interactions -> converted orders (O_paid orders
-- credited to the content by the PLATFORM path, on their paid day) -> converted buyers. Orders credited
-- through a WeCom state code never enter the conversion stage; they are private_domain_assisted_orders.
-- attributed_orders = both paths (the credited orders of §1.7, for cost per attributed order). Orders
-- without a customer token count as orders (buyers leave them out, A2). Stage rates valid daily:
-- click_rate = reads / exposures (NULL without exposures: every Douyin content), engagement_rate =
-- interactions / reads, product_click_rate = product_clicks / reads. Conversion and repurchase rates are
-- valid only over content lifetimes: aggregate the counts, never these rows' rates.
with

content_daily as (
    select * from {{ ref('fct_content_daily') }}
),

credited_orders as (
    select
        attributed_content_id as content_id,
        paid_date as date_day,
        order_id,
        customer_id,
        attribution_source
    from {{ ref('fct_orders') }}
    where is_paid and attributed_content_id is not null
),

order_days as (
    select
        content_id,
        date_day,
        count(*) filter (where attribution_source = 'platform') as converted_orders,
        count(distinct customer_id) filter (where attribution_source = 'platform') as converted_buyers,
        count(*) filter (where attribution_source = 'private_domain_state') as private_domain_assisted_orders,
        count(*) as attributed_orders
    from credited_orders
    group by content_id, date_day
),

content as (
    select
        content_id,
        content_type,
        platform
    from {{ ref('dim_content') }}
),

joined as (
    select
        coalesce(content_daily.content_id, order_days.content_id) as content_id,
        coalesce(content_daily.date_day, order_days.date_day) as date_day,
        content_daily.is_suspected_fake_engagement,
        content_daily.exposures,
        coalesce(content_daily.reads, 0) as reads,
        coalesce(content_daily.interactions, 0) as interactions,
        coalesce(content_daily.product_clicks, 0) as product_clicks,
        coalesce(order_days.converted_orders, 0) as converted_orders,
        coalesce(order_days.converted_buyers, 0) as converted_buyers,
        coalesce(order_days.private_domain_assisted_orders, 0) as private_domain_assisted_orders,
        coalesce(order_days.attributed_orders, 0) as attributed_orders
    from content_daily
    full outer join order_days
        on content_daily.content_id = order_days.content_id and content_daily.date_day = order_days.date_day
),

final as (
    select
        cast(joined.content_id as varchar) as content_id,
        cast(joined.date_day as date) as date_day,
        cast(content.content_type as varchar) as content_type,
        cast(content.platform as varchar) as platform,
        coalesce(joined.is_suspected_fake_engagement, false) as is_suspected_fake_engagement,
        cast(joined.exposures as bigint) as exposures,
        cast(joined.reads as bigint) as reads,
        cast(joined.interactions as bigint) as interactions,
        cast(joined.product_clicks as bigint) as product_clicks,
        cast(joined.converted_orders as bigint) as converted_orders,
        cast(joined.converted_buyers as bigint) as converted_buyers,
        cast(joined.private_domain_assisted_orders as bigint) as private_domain_assisted_orders,
        cast(joined.attributed_orders as bigint) as attributed_orders,
        {{ safe_ratio('joined.reads', 'joined.exposures') }} as click_rate,
        {{ safe_ratio('joined.interactions', 'joined.reads') }} as engagement_rate,
        {{ safe_ratio('joined.product_clicks', 'joined.reads') }} as product_click_rate
    from joined
    left join content on joined.content_id = content.content_id
)

select * from final
