-- Reconciliation: an order's lines add up to the order. Discounts by payer match exactly on both
-- platforms; Douyin pay = lines + shipping + tax exactly; RED pay = lines + shipping + tax, where RED
-- sends no tax field, so the lines plus shipping may only fall short of the pay amount, never exceed it.
with

lines as (
    select
        order_id,
        sum(pay_amount_fen) as lines_pay_fen,
        sum(discount_platform_fen) as lines_discount_platform_fen,
        sum(discount_shop_fen) as lines_discount_shop_fen,
        sum(discount_creator_fen) as lines_discount_creator_fen
    from {{ ref('fct_order_lines') }}
    group by order_id
)

select
    orders.order_id,
    orders.platform
from {{ ref('fct_orders') }} as orders
inner join lines on orders.order_id = lines.order_id
where lines.lines_discount_platform_fen is distinct from orders.discount_platform_fen
    or lines.lines_discount_shop_fen is distinct from orders.discount_shop_fen
    or (orders.platform = 'douyin' and (
        lines.lines_discount_creator_fen is distinct from orders.discount_creator_fen
        or lines.lines_pay_fen + coalesce(orders.shipping_fee_fen, 0) + coalesce(orders.tax_amount_fen, 0)
        is distinct from orders.pay_amount_fen
    ))
    or (
        orders.platform = 'red'
        and lines.lines_pay_fen + coalesce(orders.shipping_fee_fen, 0) > orders.pay_amount_fen
    )
