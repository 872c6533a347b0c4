-- Paid orders of identified customers (phone token), with channel and net revenue: the input of every
-- repurchase model. Read from the persisted fct_orders so customer history outlives raw-data retention.
with

orders as (
    select * from {{ ref('fct_orders') }}
),

final as (
    select
        order_id,
        customer_id,
        platform,
        channel_id,
        paid_at,
        paid_date,
        cast(date_trunc('month', paid_date) as date) as paid_month,
        pay_amount_fen,
        refund_amount_fen,
        {{ fen_to_yuan('pay_amount_fen - refund_amount_fen') }} as net_revenue
    from orders
    where is_paid and customer_id is not null
)

select * from final
