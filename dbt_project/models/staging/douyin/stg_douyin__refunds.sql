with

source as (
    {{ latest_version('douyin', 'douyin_refunds', 'update_time') }}
),

renamed as (
    select
        {{ id_text(json_text('aftersale_id')) }} as aftersale_id,
        {{ id_text(json_text('order_id')) }} as order_id,
        {{ id_text(json_text('sku_order_id')) }} as order_line_id,
        try_cast({{ clean_text(json_text('aftersale_type')) }} as integer) as aftersale_type_code,
        try_cast({{ clean_text(json_text('aftersale_status')) }} as integer) as aftersale_status_code,
        coalesce(try_cast({{ clean_text(json_text('aftersale_status')) }} as integer) = 12, false) as is_refunded,
        {{ parse_fen(json_text('refund_amount')) }} as refund_amount_fen,
        {{ to_utc(json_text('apply_time')) }} as applied_at,
        {{ to_utc(json_text('update_time')) }} as updated_at,
        {{ to_utc(json_text('refund_time')) }} as refunded_at,
        {{ json_text('reason_text') }} as reason_text_redacted,
        _loaded_at as loaded_at
    from source
)

select * from renamed
