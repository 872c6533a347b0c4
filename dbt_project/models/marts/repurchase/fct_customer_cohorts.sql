-- First-paid-order month x months since x acquisition channel x private-domain flag. Retention =
-- active customers / cohort customers; cumulative revenue per customer = net revenue to date / cohort
-- customers. customers_without_marketing_consent shows how much of a cohort may not be targeted.
with

customer_orders as (
    select * from {{ ref('int_customers__orders') }}
),

customers as (
    select * from {{ ref('dim_customer') }}
    where first_order_at is not null
),

as_of as (
    select cast(date_trunc('month', max(paid_date)) as date) as last_month from customer_orders
),

cohorts as (
    select
        cast(date_trunc('month', first_order_date) as date) as cohort_month,
        acquisition_channel_id as acquisition_channel,
        is_private_domain_member as is_private_domain,
        count(*) as cohort_customers,
        count(*) filter (where not has_marketing_consent) as customers_without_marketing_consent
    from customers
    group by all
),

grid as (
    select
        cohorts.*,
        cast(months_since_first as integer) as months_since_first,
        cast(cohorts.cohort_month + to_months(cast(months_since_first as integer)) as date) as activity_month
    from cohorts
    cross join as_of
    cross join lateral range(0, cast(date_diff('month', cohorts.cohort_month, as_of.last_month) as bigint) + 1)
        as offsets (months_since_first)
),

activity as (
    select
        cast(date_trunc('month', customers.first_order_date) as date) as cohort_month,
        customers.acquisition_channel_id as acquisition_channel,
        customers.is_private_domain_member as is_private_domain,
        customer_orders.paid_month as activity_month,
        count(distinct customer_orders.customer_id) as active_customers,
        count(*) as orders,
        sum(customer_orders.net_revenue) as net_revenue
    from customer_orders
    inner join customers on customer_orders.customer_id = customers.customer_id
    group by all
),

joined as (
    select
        grid.*,
        coalesce(activity.active_customers, 0) as active_customers,
        coalesce(activity.orders, 0) as orders,
        coalesce(activity.net_revenue, 0) as net_revenue
    from grid
    left join activity
        on grid.cohort_month = activity.cohort_month
            and grid.acquisition_channel = activity.acquisition_channel
            and grid.is_private_domain = activity.is_private_domain
            and grid.activity_month = activity.activity_month
),

final as (
    select
        cast(cohort_month as date) as cohort_month,
        cast(months_since_first as integer) as months_since_first,
        cast(acquisition_channel as varchar) as acquisition_channel,
        cast(is_private_domain as boolean) as is_private_domain,
        cast(activity_month as date) as activity_month,
        cast(cohort_customers as bigint) as customers,
        cast(customers_without_marketing_consent as bigint) as customers_without_marketing_consent,
        cast(active_customers as bigint) as active_customers,
        {{ safe_ratio('active_customers', 'cohort_customers') }} as retention_rate,
        cast(orders as bigint) as orders,
        cast('CNY' as varchar) as currency,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(sum(net_revenue) over cohort_to_date as decimal(18, 2)) as cumulative_net_revenue,
        cast(sum(net_revenue) over cohort_to_date / cohort_customers as decimal(18, 2))
            as cumulative_net_revenue_per_customer
    from joined
    window cohort_to_date as (
        partition by cohort_month, acquisition_channel, is_private_domain
        order by months_since_first rows between unbounded preceding and current row
    )
)

select * from final
