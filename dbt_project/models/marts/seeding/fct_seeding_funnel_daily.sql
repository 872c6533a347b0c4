-- Content x day funnel: exposure -> read -> engagement -> product click (platform metrics) ->
-- attributed paid orders -> attributed buyers -> attributed repeat buyers (buyers of that day who paid
-- another order later, any channel). Orders count on their paid day (Asia/Shanghai) for the content
-- they are attributed to (fct_orders.attributed_content_id). Stage rates divide a stage by the one before.
with

content_daily as (
    select * from {{ ref('fct_content_daily') }}
),

attributed_orders as (
    select
        attributed_content_id as content_id,
        paid_date as date_day,
        order_id,
        customer_id,
        paid_at < last_paid_at as has_later_order
    from (
        select *, max(paid_at) over (partition by customer_id) as last_paid_at
        from {{ ref('int_customers__orders') }}
    ) as orders
    inner join (
        select order_id, attributed_content_id from {{ ref('fct_orders') }} where attributed_content_id is not null
    ) as attribution using (order_id)
),

order_days as (
    select
        content_id,
        date_day,
        count(distinct order_id) as attributed_orders,
        count(distinct customer_id) as attributed_buyers,
        count(distinct customer_id) filter (where has_later_order) as attributed_repeat_buyers
    from attributed_orders
    group by content_id, date_day
),

content as (
    select content_id, content_type, platform from {{ ref('dim_content') }}
),

joined as (
    select
        coalesce(content_daily.content_id, order_days.content_id) as content_id,
        coalesce(content_daily.date_day, order_days.date_day) as date_day,
        content_daily.is_suspected_fake_engagement,
        coalesce(content_daily.exposures, 0) as exposures,
        coalesce(content_daily.reads, 0) as reads,
        coalesce(content_daily.interactions, 0) as engagements,
        coalesce(content_daily.product_clicks, 0) as product_clicks,
        coalesce(order_days.attributed_orders, 0) as attributed_orders,
        coalesce(order_days.attributed_buyers, 0) as attributed_buyers,
        coalesce(order_days.attributed_repeat_buyers, 0) as attributed_repeat_buyers
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
        cast(joined.engagements as bigint) as engagements,
        cast(joined.product_clicks as bigint) as product_clicks,
        cast(joined.attributed_orders as bigint) as attributed_orders,
        cast(joined.attributed_buyers as bigint) as attributed_buyers,
        cast(joined.attributed_repeat_buyers as bigint) as attributed_repeat_buyers,
        {{ safe_ratio('joined.reads', 'joined.exposures') }} as read_rate,
        {{ safe_ratio('joined.engagements', 'joined.reads') }} as engagement_rate,
        {{ safe_ratio('joined.product_clicks', 'joined.engagements') }} as click_rate,
        {{ safe_ratio('joined.attributed_orders', 'joined.product_clicks') }} as order_rate,
        {{ safe_ratio('joined.attributed_repeat_buyers', 'joined.attributed_buyers') }} as repeat_buyer_rate
    from joined
    left join content on joined.content_id = content.content_id
)

select * from final
