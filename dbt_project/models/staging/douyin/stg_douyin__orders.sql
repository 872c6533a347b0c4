with

source as (
    {{ latest_version('douyin', 'douyin_orders', 'update_time') }}
),

renamed as (
    select
        {{ id_text(json_text('order_id')) }} as order_id,
        {{ id_text(json_text('shop_id')) }} as shop_id,
        try_cast({{ clean_text(json_text('order_status')) }} as integer) as order_status_code,
        {{ to_utc(json_text('create_time')) }} as created_at,
        {{ to_utc(json_text('pay_time')) }} as paid_at,
        {{ to_utc(json_text('update_time')) }} as updated_at,
        {{ to_utc(json_text('finish_time')) }} as finished_at,
        {{ parse_fen(json_text('order_amount')) }} as order_amount_fen,
        {{ parse_fen(json_text('pay_amount')) }} as pay_amount_fen,
        {{ parse_fen(json_text('post_amount')) }} as post_amount_fen,
        {{ parse_fen(json_text('promotion_amount')) }} as promotion_amount_fen,
        {{ parse_fen(json_text('promotion_shop_amount')) }} as promotion_shop_amount_fen,
        {{ parse_fen(json_text('promotion_platform_amount')) }} as promotion_platform_amount_fen,
        {{ parse_fen(json_text('promotion_talent_amount')) }} as promotion_talent_amount_fen,
        {{ parse_fen(json_text('tax_amount')) }} as tax_amount_fen,
        try_cast({{ clean_text(json_text('biz')) }} as integer) as biz_code,
        coalesce(try_cast({{ clean_text(json_text('biz')) }} as integer) in (21, 22, 23), false) as is_cross_border,
        try_cast({{ clean_text(json_text('b_type')) }} as integer) as app_code,
        {{ json_text('buyer_open_id_token') }} as buyer_open_id_token,
        {{ json_text('receiver_phone_token') }} as receiver_phone_token,
        {{ json_text('mask_post_tel') }} as receiver_phone_mask,
        {{ json_text('mask_post_receiver') }} as receiver_name_mask,
        {{ json_text('post_addr.province.name') }} as receiver_province,
        {{ json_text('post_addr.city.name') }} as receiver_city,
        {{ json_text('buyer_words') }} as buyer_words_redacted,
        {{ json_text('payment_no_token') }} as payment_no_token,
        {{ json_text('user_id_info.buyer_id_token') }} as buyer_id_token,
        try_cast({{ json_text('user_id_info.buyer_id_is_valid') }} as boolean) as buyer_id_is_valid,
        try_cast({{ json_text('user_id_info.buyer_id_is_under_14') }} as boolean) as buyer_id_is_under_14,
        {{ json_text('user_id_info.buyer_id_age_band') }} as buyer_id_age_band,
        {{ json_text('user_id_info.id_card_name') }} as buyer_id_name_mask,
        _loaded_at as loaded_at,
        _run_id as load_run_id
    from source
)

select * from renamed
