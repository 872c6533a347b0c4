-- One row per external member (type 2) of a brand 社群 group chat in the latest snapshot (METRICS.md §5.2).
-- Staff (type 1) are left out. The snapshot has no leavers, so joins by join_date are a lower bound.
-- customer_id maps member -> external_userid -> WeCom contact -> remark_mobiles phone token (never unionid);
-- is_mapped says whether it worked. bought_30d = 1 when the mapped customer has an O_valid order (paid, not
-- fully refunded) with joined_at < paid_at <= joined_at + 30 days; NULL for unmapped or immature members
-- (joined_at > order watermark - 30 days), so group_member_buyer_rate_30d = sum(bought_30d) /
-- count_if(is_mapped and is_mature_30d) and group_mapping_coverage = count_if(is_mapped) / count(*).
with

members as (
    select
        chat_id,
        member_token,
        min(joined_at) as joined_at
    from {{ ref('stg_wecom__group_members') }}
    where member_type = 2 and member_token is not null and chat_id is not null
    group by chat_id, member_token
),

contact_phones as (
    select
        external_user_token,
        min(customer_id) as customer_id
    from (
        select
            external_user_token,
            unnest(remark_mobile_tokens) as customer_id
        from {{ ref('stg_wecom__contacts') }}
    )
    where customer_id is not null
    group by external_user_token
),

valid_orders as (
    select
        customer_id,
        paid_at
    from {{ ref('fct_orders') }}
    where is_paid and not is_fully_refunded and customer_id is not null
),

watermark as (
    select max(paid_at) as order_watermark_at from {{ ref('fct_orders') }}
    where is_paid
),

bought as (
    select
        members.chat_id,
        members.member_token,
        count(*) > 0 as has_order
    from members
    inner join contact_phones on members.member_token = contact_phones.external_user_token
    inner join valid_orders
        on contact_phones.customer_id = valid_orders.customer_id
            and members.joined_at < valid_orders.paid_at
            and members.joined_at + interval 30 day >= valid_orders.paid_at
    group by members.chat_id, members.member_token
),

final as (
    select
        cast(members.chat_id as varchar) as chat_id,
        cast(members.member_token as varchar) as member_token,
        cast(members.joined_at as timestamp) as joined_at,
        {{ cn_date('members.joined_at') }} as join_date,
        cast(contact_phones.customer_id as varchar) as customer_id,
        contact_phones.customer_id is not null as is_mapped,
        members.joined_at <= watermark.order_watermark_at - interval 30 day as is_mature_30d,
        case
            when contact_phones.customer_id is not null
                and members.joined_at <= watermark.order_watermark_at - interval 30 day
                then cast(coalesce(bought.has_order, false) as integer)
        end as bought_30d
    from members
    cross join watermark
    left join contact_phones on members.member_token = contact_phones.external_user_token
    left join bought on members.chat_id = bought.chat_id and members.member_token = bought.member_token
)

select * from final
