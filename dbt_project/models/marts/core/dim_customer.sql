-- One row per pseudonymous customer: the phone token (customer_id) of anyone who placed an order, is
-- a CRM member or is a WeCom contact with a phone remark. Never a phone number.
with

customer_orders as (
    select * from {{ ref('int_customers__orders') }}
),

members as (
    select *
    from {{ ref('stg_crm__members') }}
    where mobile_token is not null
    qualify row_number() over (partition by mobile_token order by joined_at desc nulls last, member_id asc) = 1
),

contacts as (
    select
        customer_id,
        min(added_at) as first_added_at
    from (
        select
            unnest(remark_mobile_tokens) as customer_id,
            added_at
        from {{ ref('stg_wecom__contacts') }}
    )
    group by customer_id
),

monthly as (
    select * from {{ ref('int_customers__monthly') }}
),

customer_ids as (
    select customer_id from {{ ref('fct_orders') }}
    union
    select mobile_token from members
    union
    select customer_id from contacts
    where customer_id is not null
),

first_orders as (
    select
        customer_id,
        arg_min(channel_id, paid_at) as acquisition_channel_id,
        arg_min(platform, paid_at) as first_order_platform,
        min(paid_at) as first_order_at,
        count(*) as paid_orders,
        sum(net_revenue) as lifetime_net_revenue
    from customer_orders
    group by customer_id
),

current_layer as (
    select
        customer_id,
        arg_max(lifecycle_layer, month_start) as lifecycle_layer
    from monthly
    group by customer_id
),

final as (
    select
        cast(customer_ids.customer_id as varchar) as customer_id,
        cast(first_orders.first_order_at as timestamp) as first_order_at,
        {{ cn_date('first_orders.first_order_at') }} as first_order_date,
        cast(first_orders.first_order_platform as varchar) as first_order_platform,
        cast(coalesce(
            first_orders.acquisition_channel_id,
            case when members.mobile_token is not null or contacts.customer_id is not null then 'private_domain' end,
            'organic_unknown'
        ) as varchar) as acquisition_channel_id,
        members.mobile_token is not null as is_private_domain_member,
        contacts.customer_id is not null as is_wecom_contact,
        cast(private_since.private_since_at as timestamp) as private_since_at,
        cast(coalesce(members.member_tier, 'non_member') as varchar) as member_tier,
        cast(members.age_band as varchar) as age_band,
        coalesce(members.has_marketing_consent, false) as has_marketing_consent,
        coalesce(members.has_crossborder_consent, false) as has_crossborder_consent,
        cast(coalesce(first_orders.paid_orders, 0) as bigint) as paid_orders,
        cast(coalesce(first_orders.lifetime_net_revenue, 0) as decimal(18, 2)) as lifetime_net_revenue,
        cast(coalesce(current_layer.lifecycle_layer, 'potential') as varchar) as current_lifecycle_layer
    from customer_ids
    left join first_orders on customer_ids.customer_id = first_orders.customer_id
    left join members on customer_ids.customer_id = members.mobile_token
    left join contacts on customer_ids.customer_id = contacts.customer_id
    left join current_layer on customer_ids.customer_id = current_layer.customer_id
    left join {{ ref('int_customers__private_since') }} as private_since
        on customer_ids.customer_id = private_since.customer_id
    where customer_ids.customer_id is not null
)

select * from final
