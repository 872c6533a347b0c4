-- Customer x month lifecycle (rules in int_customers__monthly and dbt_project.yml vars lifecycle_*).
-- Marketing use: only customers with has_marketing_consent = true may be targeted (is_marketing_eligible).
with

monthly as (
    select * from {{ ref('int_customers__monthly') }}
),

customers as (
    select
        customer_id,
        has_marketing_consent,
        is_private_domain_member
    from {{ ref('dim_customer') }}
),

final as (
    select
        cast(monthly.customer_id as varchar) as customer_id,
        cast(monthly.month_start as date) as month_start,
        cast(monthly.evaluated_on as date) as evaluated_on,
        cast(monthly.first_month as date) as first_order_month,
        cast(monthly.orders_in_month as bigint) as orders_in_month,
        cast('CNY' as varchar) as currency,
        cast(monthly.revenue_in_month as decimal(18, 2)) as net_revenue_in_month,
        cast(monthly.lifetime_orders as bigint) as lifetime_orders,
        cast(monthly.lifetime_revenue as decimal(18, 2)) as lifetime_net_revenue,
        cast(monthly.recency_days as integer) as recency_days,
        cast(monthly.frequency_12m as bigint) as frequency_12m,
        cast(monthly.monetary_12m as decimal(18, 2)) as monetary_12m,
        cast(monthly.last_order_date as date) as last_order_date,
        cast(monthly.lifecycle_layer as varchar) as lifecycle_layer,
        cast(monthly.previous_lifecycle_layer as varchar) as previous_lifecycle_layer,
        coalesce(monthly.previous_lifecycle_layer <> monthly.lifecycle_layer, false) as is_layer_changed,
        coalesce(customers.is_private_domain_member, false) as is_private_domain_member,
        coalesce(customers.has_marketing_consent, false) as has_marketing_consent,
        coalesce(customers.has_marketing_consent, false) as is_marketing_eligible
    from monthly
    left join customers on monthly.customer_id = customers.customer_id
)

select * from final
