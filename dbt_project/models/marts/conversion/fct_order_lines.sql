{{ config(
    materialized='incremental',
    unique_key='order_line_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}
-- One row per order line (SKU within an order). Incremental like fct_orders: lines of orders whose
-- record or refunds were loaded at or after the latest source_loaded_at are rebuilt.
with

lines as (
    select * from {{ ref('int_order_lines__unioned') }}
),

orders as (
    select * from {{ ref('int_orders__unioned') }}
),

attribution as (
    select * from {{ ref('int_orders__attributed') }}
),

joined as (
    select
        lines.*,
        orders.customer_id,
        orders.paid_at,
        orders.is_paid,
        orders.order_status,
        coalesce(lines.is_cross_border, orders.is_cross_border) as is_cross_border_line,
        coalesce(attribution.channel_id, 'organic_unknown') as order_channel_id,
        greatest(lines.source_loaded_at, orders.loaded_at, attribution.private_domain_loaded_at)
            as line_source_loaded_at
    from lines
    inner join orders on lines.order_id = orders.order_id
    left join attribution on lines.order_id = attribution.order_id
),

final as (
    select
        cast(order_line_id as varchar) as order_line_id,
        cast(order_id as varchar) as order_id,
        cast(platform as varchar) as platform,
        cast(line_number as integer) as line_number,
        cast(product_id as varchar) as product_id,
        cast(sku_id as varchar) as sku_id,
        cast(spu_id as varchar) as spu_id,
        cast(product_name as varchar) as product_name,
        cast(customer_id as varchar) as customer_id,
        cast(order_status as varchar) as order_status,
        cast(is_paid as boolean) as is_paid,
        cast(paid_at as timestamp) as paid_at,
        {{ cn_date('paid_at') }} as paid_date,
        cast(quantity as bigint) as quantity,
        cast('CNY' as varchar) as currency,
        cast(origin_amount_fen as bigint) as origin_amount_fen,
        cast(pay_amount_fen as bigint) as pay_amount_fen,
        cast(discount_platform_fen as bigint) as discount_platform_fen,
        cast(discount_shop_fen as bigint) as discount_shop_fen,
        cast(discount_creator_fen as bigint) as discount_creator_fen,
        cast(refund_amount_fen as bigint) as refund_amount_fen,
        {{ fen_to_yuan('origin_amount_fen') }} as origin_amount,
        {{ fen_to_yuan('pay_amount_fen') }} as pay_amount,
        {{ fen_to_yuan('discount_platform_fen') }} as discount_platform,
        {{ fen_to_yuan('discount_shop_fen') }} as discount_shop,
        {{ fen_to_yuan('discount_creator_fen') }} as discount_creator,
        {{ fen_to_yuan('refund_amount_fen') }} as refund_amount,
        cast(refunded_at as timestamp) as refunded_at,
        cast(coalesce(is_cross_border_line, false) as boolean) as is_cross_border,
        cast(order_channel_id as varchar) as order_channel_id,
        cast(room_id as varchar) as live_session_id,
        cast(video_id as varchar) as video_id,
        cast(content_id as varchar) as content_id,
        cast(creator_id as varchar) as creator_id,
        cast(c_biz as integer) as c_biz,
        cast(line_source_loaded_at as timestamp with time zone) as source_loaded_at
    from joined
    {% if is_incremental() %}
        where {{ incremental_since('line_source_loaded_at') }}
    {% endif %}
)

select * from final
