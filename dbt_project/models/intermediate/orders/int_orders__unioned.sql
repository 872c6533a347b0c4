-- Douyin and RED shop orders in one shape: status names, paid flag, discounts split by payer, customer key.
-- Paid (O_paid) = a pay time, a status that is neither unpaid nor cancelled/closed, and no CEB622 700
-- (returned by customs). customs_mode_hint: 1210 bonded, 9610 direct mail, CC personal parcel (METRICS.md
-- §8.1: CC is not CBEC and never 9610). Orders whose id is not a clean platform id (e.g. Excel-mangled
-- '4.78132E+18') are dropped.
with

douyin_orders as (
    select * from {{ ref('stg_douyin__orders') }}
),

red_orders as (
    select * from {{ ref('stg_red__orders') }}
),

douyin as (
    select
        order_id,
        'douyin' as platform,
        order_status_code,
        case order_status_code
            when 1 then 'unpaid' when 105 then 'paid' when 2 then 'stocking' when 101 then 'part_shipped'
            when 3 then 'shipped' when 4 then 'cancelled' when 5 then 'completed'
            else 'unknown'
        end as order_status,
        receiver_phone_token as customer_id,
        buyer_open_id_token as buyer_platform_token,
        created_at,
        paid_at,
        updated_at,
        finished_at,
        order_amount_fen,
        pay_amount_fen,
        post_amount_fen as shipping_fee_fen,
        promotion_platform_amount_fen as discount_platform_fen,
        promotion_shop_amount_fen as discount_shop_fen,
        promotion_talent_amount_fen as discount_creator_fen,
        tax_amount_fen,
        is_cross_border,
        case biz_code when 21 then '1210' when 22 then '9610' when 23 then 'CC' end as customs_mode_hint,
        receiver_province,
        receiver_city,
        payment_no_token,
        buyer_id_token,
        loaded_at
    from douyin_orders
),

red as (
    select
        order_id,
        'red' as platform,
        order_status_code,
        case order_status_code
            when 1 then 'unpaid' when 2 then 'paid' when 3 then 'customs_clearance' when 4 then 'stocking'
            when 5 then 'part_shipped' when 6 then 'shipped' when 7 then 'completed' when 8 then 'cancelled'
            when 9 then 'cancelled' when 10 then 'after_sale'
            else 'unknown'
        end as order_status,
        receiver_phone_token as customer_id,
        buyer_user_token as buyer_platform_token,
        created_at,
        paid_at,
        updated_at,
        finished_at,
        pay_amount_fen + coalesce(merchant_discount_fen, 0) + coalesce(platform_discount_fen, 0) as order_amount_fen,
        pay_amount_fen,
        shipping_fee_fen,
        platform_discount_fen as discount_platform_fen,
        merchant_discount_fen as discount_shop_fen,
        cast(0 as bigint) as discount_creator_fen,
        cast(null as bigint) as tax_amount_fen,
        is_cross_border,
        case logistics_mode_code when 2 then '1210' when 3 then '9610' when 4 then 'CC' end as customs_mode_hint,
        receiver_province,
        receiver_city,
        cast(null as varchar) as payment_no_token,
        buyer_id_token,
        loaded_at
    from red_orders
),

unioned as (
    select * from douyin
    union all by name
    select * from red
),

customs_returns as (
    -- CEB622 700 (退运): returned by customs, so never in O_paid (METRICS.md §1.4). Its load time joins the
    -- order's, so incremental facts rebuild the order when the receipt arrives after it.
    select
        order_id,
        max(loaded_at) as returned_loaded_at
    from {{ ref('stg_customs__receipts') }}
    where return_status = 700
    group by order_id
),

final as (
    select
        unioned.* replace (greatest(unioned.loaded_at, customs_returns.returned_loaded_at) as loaded_at),
        unioned.paid_at is not null and unioned.order_status not in ('unpaid', 'cancelled')
        and customs_returns.order_id is null as is_paid,
        unioned.order_status = 'cancelled' as is_cancelled,
        customs_returns.order_id is not null as is_returned_by_customs
    from unioned
    left join customs_returns on unioned.order_id = customs_returns.order_id
    where regexp_full_match(unioned.order_id, '[0-9A-Za-z_-]+')
)

select * from final  -- noqa: AM04
