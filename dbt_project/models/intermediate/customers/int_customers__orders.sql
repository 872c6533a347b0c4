-- Paid orders of identified customers (phone token), with channel and net revenue: the input of
-- every repurchase model.
with

orders as (
    select * from {{ ref('int_orders__unioned') }}
),

attribution as (
    select * from {{ ref('int_orders__attributed') }}
),

line_refunds as (
    select order_id, sum(refund_amount_fen) as refund_amount_fen
    from {{ ref('int_order_lines__unioned') }}
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.platform,
        attribution.channel_id,
        orders.paid_at,
        {{ cn_date('orders.paid_at') }} as paid_date,
        cast(date_trunc('month', {{ cn_date('orders.paid_at') }}) as date) as paid_month,
        orders.pay_amount_fen,
        coalesce(line_refunds.refund_amount_fen, 0) as refund_amount_fen,
        {{ fen_to_yuan('orders.pay_amount_fen - coalesce(line_refunds.refund_amount_fen, 0)') }} as net_revenue
    from orders
    left join attribution on orders.order_id = attribution.order_id
    left join line_refunds on orders.order_id = line_refunds.order_id
    where orders.is_paid and orders.customer_id is not null
)

select * from final
