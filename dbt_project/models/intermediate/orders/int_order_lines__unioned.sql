-- Douyin and RED order lines in one shape, with the line-level platform attribution fields and refunds
-- (Douyin after-sales by line id, RED after-sales by order and SKU).
-- Only lines of orders kept by int_orders__unioned.
with

douyin_lines as (
    select * from {{ ref('stg_douyin__order_lines') }}
),

red_lines as (
    select * from {{ ref('stg_red__order_lines') }}
),

red_aftersales as (
    -- RED after-sales name the order and the SKU: the order's first line with that SKU
    select
        lines.order_line_id,
        aftersales.*
    from {{ ref('stg_red__aftersales') }} as aftersales
    inner join red_lines as lines on aftersales.order_id = lines.order_id and aftersales.sku_id = lines.sku_id
    qualify row_number() over (partition by aftersales.aftersale_id order by lines.line_number) = 1
),

aftersales as (
    select
        order_line_id,
        is_refunded,
        aftersale_type_code,
        refund_amount_fen,
        refunded_at,
        loaded_at
    from {{ ref('stg_douyin__refunds') }}
    union all
    select
        order_line_id,
        is_refunded,
        aftersale_type_code,
        refund_amount_fen,
        refunded_at,
        loaded_at
    from red_aftersales
),

refunds as (
    -- completed after-sales only; a return = a completed return-and-refund (type 1 on both platforms;
    -- refund-only and exchanges are not returns, METRICS.md §7)
    select
        order_line_id,
        sum(refund_amount_fen) filter (where is_refunded) as refund_amount_fen,
        max(refunded_at) filter (where is_refunded) as refunded_at,
        coalesce(bool_or(is_refunded and aftersale_type_code = 1), false) as has_return,
        max(loaded_at) as refund_loaded_at
    from aftersales
    where order_line_id is not null
    group by order_line_id
),

douyin as (
    select
        order_line_id,
        order_id,
        'douyin' as platform,
        line_number,
        spu_id,
        sku_id,
        product_name,
        quantity,
        origin_amount_fen,
        pay_amount_fen,
        promotion_platform_amount_fen as discount_platform_fen,
        promotion_shop_amount_fen as discount_shop_fen,
        promotion_talent_amount_fen as discount_creator_fen,
        is_cross_border,
        room_id,
        video_id,
        coalesce(video_id, content_id) as content_id,
        author_id as creator_id,
        author_name as creator_name,
        coalesce(theme_type = 1 or ad_env_type = 'live', false) as is_live_context,
        c_biz,
        loaded_at
    from douyin_lines
),

red as (
    select
        order_line_id,
        order_id,
        'red' as platform,
        line_number,
        spu_id,
        sku_id,
        product_name,
        quantity,
        pay_amount_fen + coalesce(merchant_discount_fen, 0) + coalesce(platform_discount_fen, 0) as origin_amount_fen,
        pay_amount_fen,
        platform_discount_fen as discount_platform_fen,
        merchant_discount_fen as discount_shop_fen,
        cast(0 as bigint) as discount_creator_fen,
        cast(null as boolean) as is_cross_border,
        cast(null as varchar) as room_id,
        cast(null as varchar) as video_id,
        note_id as content_id,
        kol_id as creator_id,
        cast(null as varchar) as creator_name,
        false as is_live_context,
        cast(null as integer) as c_biz,
        loaded_at
    from red_lines
),

unioned as (
    select * from douyin
    union all by name
    select * from red
),

final as (
    select
        unioned.*,
        unioned.platform || '-' || coalesce(unioned.sku_id, unioned.spu_id, 'unknown') as product_id,
        coalesce(refunds.refund_amount_fen, 0) as refund_amount_fen,
        refunds.refunded_at,
        coalesce(refunds.has_return, false) as has_return,
        greatest(unioned.loaded_at, refunds.refund_loaded_at) as source_loaded_at
    from unioned
    left join refunds on unioned.order_line_id = refunds.order_line_id
    where unioned.order_line_id is not null
        and unioned.order_id in (select order_id from {{ ref('int_orders__unioned') }})
)

select * from final
