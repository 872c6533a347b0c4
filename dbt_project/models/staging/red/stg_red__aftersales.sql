with

source as (
    {{ latest_version('red', 'red_aftersales', 'updateTime') }}
),

renamed as (
    select
        {{ id_text(json_text('returnsId')) }} as aftersale_id,
        {{ id_text(json_text('orderId')) }} as order_id,
        {{ clean_text(json_text('skuId')) }} as sku_id,
        try_cast({{ clean_text(json_text('returnType')) }} as integer) as aftersale_type_code,
        try_cast({{ clean_text(json_text('status')) }} as integer) as aftersale_status_code,
        coalesce(try_cast({{ clean_text(json_text('status')) }} as integer) = 3, false) as is_refunded,
        {{ parse_fen(json_text('refundFee')) }} as refund_amount_fen,
        {{ to_utc(json_text('applyTime')) }} as applied_at,
        {{ to_utc(json_text('updateTime')) }} as updated_at,
        {{ to_utc(json_text('refundTime')) }} as refunded_at,
        {{ json_text('reason') }} as reason_text_redacted,
        _loaded_at as loaded_at
    from source
)

select * from renamed
