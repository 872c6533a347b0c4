-- Customer x month from the first paid month to the data's last month, with recency / frequency /
-- monetary evaluated at the month end (or the data's last paid day for the current month) and the
-- lifecycle layer by the configurable rules (dbt_project.yml vars lifecycle_*):
--   new        first paid order in this month
--   high_value recency <= active max and (12-month paid orders >= min orders or 12-month net revenue >= min)
--   active     recency <= lifecycle_active_max_recency_days
--   at_risk    recency <= lifecycle_at_risk_max_recency_days
--   churned    otherwise
with

customer_orders as (
    select * from {{ ref('int_customers__orders') }}
),

as_of as (
    select max(paid_date) as as_of_date from customer_orders
),

customers as (
    -- is_pre_history (METRICS.md §6 / §6.7): CRM joined before var('order_history_start_date'); such a
    -- customer's first observed month is never 'new'
    select
        customer_orders.customer_id,
        min(customer_orders.paid_month) as first_month,
        coalesce(
            {{ cn_date('any_value(private_since.crm_joined_at)') }} < date '{{ var("order_history_start_date") }}',
            false
        ) as is_pre_history
    from customer_orders
    left join {{ ref('int_customers__private_since') }} as private_since
        on customer_orders.customer_id = private_since.customer_id
    group by customer_orders.customer_id
),

customer_months as (
    select
        customers.customer_id,
        customers.first_month,
        customers.is_pre_history,
        cast(month_start as date) as month_start,
        least(cast(month_start + interval 1 month - interval 1 day as date), as_of.as_of_date) as evaluated_on
    from customers
    cross join as_of
    cross join lateral unnest(
        generate_series(customers.first_month, cast(date_trunc('month', as_of.as_of_date) as date), interval 1 month)
    ) as months (month_start)
),

measured as (
    select
        customer_months.customer_id,
        customer_months.month_start,
        customer_months.evaluated_on,
        customer_months.first_month,
        customer_months.is_pre_history,
        count(*) filter (where customer_orders.paid_month = customer_months.month_start) as orders_in_month,
        coalesce(sum(customer_orders.net_revenue) filter (
            where customer_orders.paid_month = customer_months.month_start
        ), 0) as revenue_in_month,
        count(customer_orders.order_id) as lifetime_orders,
        coalesce(sum(customer_orders.net_revenue), 0) as lifetime_revenue,
        count(*) filter (
            where customer_orders.paid_date > customer_months.evaluated_on - interval 365 day
        ) as frequency_12m,
        coalesce(sum(customer_orders.net_revenue) filter (
            where customer_orders.paid_date > customer_months.evaluated_on - interval 365 day
        ), 0) as monetary_12m,
        max(customer_orders.paid_date) as last_order_date
    from customer_months
    left join customer_orders
        on customer_months.customer_id = customer_orders.customer_id
            and customer_months.evaluated_on >= customer_orders.paid_date
    group by all
),

layered as (
    select
        *,
        cast(evaluated_on - last_order_date as integer) as recency_days,
        case
            when month_start = first_month and not is_pre_history then 'new'
            when evaluated_on - last_order_date <= {{ var('lifecycle_active_max_recency_days') }}
                and (
                    frequency_12m >= {{ var('lifecycle_high_value_min_orders_12m') }}
                    or monetary_12m >= {{ var('lifecycle_high_value_min_revenue_12m_yuan') }}
                )
                then 'high_value'
            when evaluated_on - last_order_date <= {{ var('lifecycle_active_max_recency_days') }} then 'active'
            when evaluated_on - last_order_date <= {{ var('lifecycle_at_risk_max_recency_days') }} then 'at_risk'
            else 'churned'
        end as lifecycle_layer
    from measured
),

final as (
    select
        *,
        lag(lifecycle_layer) over (partition by customer_id order by month_start) as previous_lifecycle_layer
    from layered
)

select * from final
