with

source as (
    {{ latest_version('red', 'red_orders', 'updateTime') }}
),

renamed as (
    select
        {{ clean_text(json_text('orderId')) }} as order_id,
        try_cast({{ clean_text(json_text('orderStatus')) }} as integer) as order_status_code,
        try_cast({{ clean_text(json_text('orderType')) }} as integer) as order_type_code,
        {{ to_utc(json_text('createdTime')) }} as created_at,
        {{ to_utc(json_text('paidTime')) }} as paid_at,
        {{ to_utc(json_text('updateTime')) }} as updated_at,
        {{ to_utc(json_text('deliveryTime')) }} as shipped_at,
        {{ to_utc(json_text('finishTime')) }} as finished_at,
        {{ parse_fen(json_text('totalPayAmount')) }} as pay_amount_fen,
        {{ parse_fen(json_text('totalShippingFree')) }} as shipping_fee_fen,
        {{ parse_fen(json_text('totalMerchantDiscount')) }} as merchant_discount_fen,
        {{ parse_fen(json_text('totalRedDiscount')) }} as platform_discount_fen,
        try_cast({{ clean_text(json_text('logisticsMode')) }} as integer) as logistics_mode_code,
        coalesce(
            try_cast({{ clean_text(json_text('logisticsMode')) }} as integer) in (2, 3, 4), false
        ) as is_cross_border,
        {{ clean_text(json_text('customsCode')) }} as customs_code,
        {{ json_text('user_token') }} as buyer_user_token,
        {{ json_text('customerRemark') }} as customer_remark_redacted,
        {{ json_text('receiver.receiverName') }} as receiver_name_mask,
        {{ json_text('receiver.receiver_phone_token') }} as receiver_phone_token,
        {{ json_text('receiver.receiverProvinceName') }} as receiver_province,
        {{ json_text('receiver.receiverCityName') }} as receiver_city,
        {{ json_text('receiver.declare.buyerName') }} as declare_buyer_name_mask,
        {{ json_text('receiver.declare.buyer_phone_token') }} as declare_buyer_phone_token,
        {{ json_text('receiver.declare.buyer_id_token') }} as buyer_id_token,
        try_cast({{ json_text('receiver.declare.buyer_id_is_valid') }} as boolean) as buyer_id_is_valid,
        try_cast({{ json_text('receiver.declare.buyer_id_is_under_14') }} as boolean) as buyer_id_is_under_14,
        {{ json_text('receiver.declare.buyer_id_age_band') }} as buyer_id_age_band,
        _loaded_at as loaded_at,
        _run_id as load_run_id
    from source
)

select * from renamed
