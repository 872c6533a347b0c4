{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}
-- One row per shop order (Douyin + RED). Incremental: each run rebuilds the orders whose record,
-- lines or refunds were loaded at or after the latest source_loaded_at already in the table, so
-- late refunds, status changes and re-extractions replace the old row (delete+insert on order_id).
with

orders as (
    select * from {{ ref('int_orders__unioned') }}
),

lines as (
    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count,
        sum(refund_amount_fen) as refund_amount_fen,
        sum(pay_amount_fen) as goods_amount_fen,
        max(refunded_at) as last_refunded_at,
        bool_or(has_return) as has_return,
        max(source_loaded_at) as lines_loaded_at
    from {{ ref('int_order_lines__unioned') }}
    group by order_id
),

attribution as (
    select * from {{ ref('int_orders__attributed') }}
),

content as (
    select
        content_id,
        platform,
        creator_id
    from {{ ref('int_content__catalog') }}
),

creators as (
    select * from {{ ref('int_creators__versions') }}
),

private_since as (
    select
        customer_id,
        private_since_at
    from {{ ref('int_customers__private_since') }}
),

joined as (
    select
        orders.*,
        coalesce(lines.line_count, 0) as line_count,
        coalesce(lines.item_count, 0) as item_count,
        coalesce(lines.refund_amount_fen, 0) as refund_amount_fen,
        lines.has_return,
        lines.goods_amount_fen,
        -- METRICS.md §1.5: RED's total includes tax, so tax = pay - goods - shipping (never NULL for RED)
        case
            when orders.platform = 'red'
                then orders.pay_amount_fen - lines.goods_amount_fen - coalesce(orders.shipping_fee_fen, 0)
            else orders.tax_amount_fen
        end as derived_tax_amount_fen,
        -- METRICS.md §1.8: the buyer's domain at the order's created_at, never today's membership
        case
            when orders.customer_id is null then 'unknown'
            when private_since.private_since_at <= orders.created_at then 'private'
            else 'public'
        end as customer_domain,
        lines.last_refunded_at,
        greatest(orders.loaded_at, lines.lines_loaded_at, attribution.private_domain_loaded_at) as source_loaded_at,
        coalesce(attribution.channel_id, 'organic_unknown') as channel_id,
        coalesce(attribution.attribution_source, 'none') as attribution_source,
        attribution.attributed_content_id,
        coalesce(attribution.attributed_creator_id, content.creator_id) as attributed_creator_id,
        attribution.attributed_live_session_id
    from orders
    left join lines on orders.order_id = lines.order_id
    left join attribution on orders.order_id = attribution.order_id
    left join private_since on orders.customer_id = private_since.customer_id
    left join content on attribution.attributed_content_id = content.content_id
),

final as (
    select
        cast(joined.order_id as varchar) as order_id,
        cast(joined.platform as varchar) as platform,
        cast(joined.order_status_code as integer) as order_status_code,
        cast(joined.order_status as varchar) as order_status,
        cast(joined.is_paid as boolean) as is_paid,
        cast(joined.is_cancelled as boolean) as is_cancelled,
        joined.refund_amount_fen > 0 as has_refund,
        -- METRICS.md §1.4: fully refunded = refunds >= goods amount (line pay amounts; shipping, tax left out)
        joined.refund_amount_fen > 0 and joined.refund_amount_fen >= joined.goods_amount_fen as is_fully_refunded,
        -- METRICS.md §7: a completed return-and-refund after-sale (退货退款) on any line
        coalesce(joined.has_return, false) as has_return,
        cast(joined.customer_id as varchar) as customer_id,
        cast(joined.customer_domain as varchar) as customer_domain,
        cast(joined.buyer_platform_token as varchar) as buyer_platform_token,
        cast(joined.created_at as timestamp) as created_at,
        cast({{ to_cn('joined.created_at') }} as timestamp) as created_at_cn,
        cast(joined.paid_at as timestamp) as paid_at,
        cast({{ to_cn('joined.paid_at') }} as timestamp) as paid_at_cn,
        {{ cn_date('joined.paid_at') }} as paid_date,
        cast(joined.updated_at as timestamp) as updated_at,
        cast(joined.finished_at as timestamp) as finished_at,
        cast(joined.last_refunded_at as timestamp) as last_refunded_at,
        cast('CNY' as varchar) as currency,
        cast(joined.order_amount_fen as bigint) as order_amount_fen,
        cast(joined.pay_amount_fen as bigint) as pay_amount_fen,
        cast(joined.shipping_fee_fen as bigint) as shipping_fee_fen,
        cast(joined.discount_platform_fen as bigint) as discount_platform_fen,
        cast(joined.discount_shop_fen as bigint) as discount_shop_fen,
        cast(joined.discount_creator_fen as bigint) as discount_creator_fen,
        cast(joined.derived_tax_amount_fen as bigint) as tax_amount_fen,
        cast(joined.refund_amount_fen as bigint) as refund_amount_fen,
        {{ fen_to_yuan('joined.order_amount_fen') }} as order_amount,
        {{ fen_to_yuan('joined.pay_amount_fen') }} as pay_amount,
        {{ fen_to_yuan('joined.shipping_fee_fen') }} as shipping_fee,
        {{ fen_to_yuan('joined.discount_platform_fen') }} as discount_platform,
        {{ fen_to_yuan('joined.discount_shop_fen') }} as discount_shop,
        {{ fen_to_yuan('joined.discount_creator_fen') }} as discount_creator,
        {{ fen_to_yuan('joined.derived_tax_amount_fen') }} as tax_amount,
        {{ fen_to_yuan('joined.refund_amount_fen') }} as refund_amount,
        {{ fen_to_yuan('joined.pay_amount_fen - joined.refund_amount_fen') }} as net_pay_amount,
        cast(joined.line_count as bigint) as line_count,
        cast(joined.item_count as bigint) as item_count,
        cast(joined.is_cross_border as boolean) as is_cross_border,
        cast(joined.receiver_province as varchar) as receiver_province,
        cast(joined.receiver_city as varchar) as receiver_city,
        cast(joined.channel_id as varchar) as channel_id,
        cast(joined.attribution_source as varchar) as attribution_source,
        cast(joined.attributed_content_id as varchar) as attributed_content_id,
        cast(joined.attributed_creator_id as varchar) as attributed_creator_id,
        cast(creators.creator_version_id as varchar) as creator_version_id,
        cast(joined.attributed_live_session_id as varchar) as attributed_live_session_id,
        cast(joined.source_loaded_at as timestamp with time zone) as source_loaded_at
    from joined
    left join creators
        on {{ creator_version_match('creators', 'joined.platform', 'joined.attributed_creator_id',
            cn_date('joined.created_at')) }}
    {% if is_incremental() %}
        where {{ incremental_since('joined.source_loaded_at') }}
    {% endif %}
)

select * from final
