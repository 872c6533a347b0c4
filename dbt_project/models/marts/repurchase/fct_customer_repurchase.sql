-- One row per identified customer with an O_paid order: the entry order and the 30 / 90-day repurchase
-- outcome of METRICS.md §6.1. entry = first O_paid order (earliest paid_at, ties -> smallest order_id);
-- a repeat is another O_valid order (paid, not fully refunded, any platform or channel) with
-- entry_at < paid_at <= entry_at + N days. An entry is mature for N when entry_at <= order_watermark_at -
-- N days (order_watermark_at = max paid_at over O_paid); immature customers carry NULL in the outcome and
-- FALSE in is_mature_{N}d, so they leave numerator and denominator together. Domain at entry is taken at
-- the entry order's created_at (§1.8); is_pre_history = CRM joined before var('order_history_start_date').
-- repurchase_rate_{N}d over any set of rows = sum(repurchased_{N}d) / count_if(is_mature_{N}d).
-- private_domain_join_rate_30d (§5.3) = sum(became_private_30d) / count(became_private_30d); time to add =
-- hours_entry_to_private of public-at-entry customers (entry order created_at, the domain instant ->
-- private_since_at).
with

orders as (
    select
        order_id,
        customer_id,
        platform,
        channel_id,
        customer_domain,
        created_at,
        paid_at,
        paid_date,
        is_fully_refunded
    from {{ ref('fct_orders') }}
    where is_paid and customer_id is not null
),

watermark as (
    select max(paid_at) as order_watermark_at from {{ ref('fct_orders') }}
    where is_paid
),

entries as (
    select *
    from orders
    qualify row_number() over (partition by customer_id order by paid_at, order_id) = 1
),

second_orders as (
    select
        entries.customer_id,
        min(orders.paid_at) as second_order_at,
        min(orders.paid_date) as second_order_date
    from entries
    inner join orders
        on entries.customer_id = orders.customer_id
            and entries.paid_at < orders.paid_at
            and not orders.is_fully_refunded
    group by entries.customer_id
),

private_since as (
    select
        customer_id,
        crm_joined_at,
        private_since_at
    from {{ ref('int_customers__private_since') }}
),

final as (
    select
        cast(entries.customer_id as varchar) as customer_id,
        cast(entries.order_id as varchar) as entry_order_id,
        cast(entries.paid_at as timestamp) as entry_at,
        cast(entries.paid_date as date) as entry_date,
        cast(date_trunc('month', entries.paid_date) as date) as entry_month,
        cast(entries.platform as varchar) as entry_platform,
        cast(entries.channel_id as varchar) as acquisition_channel_id,
        cast(entries.customer_domain as varchar) as domain_at_entry,
        coalesce(
            {{ cn_date('private_since.crm_joined_at') }} < date '{{ var("order_history_start_date") }}', false
        ) as is_pre_history,
        cast(watermark.order_watermark_at as timestamp) as order_watermark_at,
        entries.paid_at <= watermark.order_watermark_at - interval 30 day as is_mature_30d,
        entries.paid_at <= watermark.order_watermark_at - interval 90 day as is_mature_90d,
        case when entries.paid_at <= watermark.order_watermark_at - interval 30 day then
                cast(coalesce(second_orders.second_order_at <= entries.paid_at + interval 30 day, false) as integer)
        end as repurchased_30d,
        case when entries.paid_at <= watermark.order_watermark_at - interval 90 day then
                cast(coalesce(second_orders.second_order_at <= entries.paid_at + interval 90 day, false) as integer)
        end as repurchased_90d,
        -- §5.3 public -> private: customers public at entry, 30-day mature, who became private within 30 days
        cast(private_since.private_since_at as timestamp) as private_since_at,
        case when entries.customer_domain = 'public'
                and entries.paid_at <= watermark.order_watermark_at - interval 30 day then
                cast(coalesce(private_since.private_since_at <= entries.paid_at + interval 30 day, false) as integer)
        end as became_private_30d,
        case when entries.customer_domain = 'public' then
                cast({{ hours_between('entries.created_at', 'private_since.private_since_at') }} as decimal(18, 2))
        end as hours_entry_to_private,
        cast(second_orders.second_order_at as timestamp) as second_order_at,
        cast(date_diff('day', entries.paid_date, second_orders.second_order_date) as integer) as days_to_second_order
    from entries
    cross join watermark
    left join second_orders on entries.customer_id = second_orders.customer_id
    left join private_since on entries.customer_id = private_since.customer_id
)

select * from final
