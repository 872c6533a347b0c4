-- One row per gap between a customer's consecutive O_valid orders (paid, not fully refunded), sorted by
-- (paid_at, order_id), dated by the later order (METRICS.md §6.2). days_between_orders = paid_date_k -
-- paid_date_(k-1) in calendar days (0 = same day). Aggregate with the median and the mean over gap rows,
-- never a mean of customer means; short windows cut off long gaps, so compare equal windows only.
with

valid_orders as (
    select
        customer_id,
        order_id,
        paid_at,
        paid_date,
        lag(order_id) over customer_orders as previous_order_id,
        lag(paid_date) over customer_orders as previous_paid_date
    from {{ ref('fct_orders') }}
    where is_paid and not is_fully_refunded and customer_id is not null
    window customer_orders as (partition by customer_id order by paid_at, order_id)
),

final as (
    select
        cast(customer_id as varchar) as customer_id,
        cast(order_id as varchar) as order_id,
        cast(previous_order_id as varchar) as previous_order_id,
        cast(paid_at as timestamp) as paid_at,
        cast(paid_date as date) as paid_date,
        cast(date_diff('day', previous_paid_date, paid_date) as integer) as days_between_orders
    from valid_orders
    where previous_order_id is not null
)

select * from final
