with

source as (
    {{ latest_version('red', 'red_orders', 'updateTime') }}
),

unnested as (
    select
        source.record as order_record,
        line.value as record,
        line.key as line_index,
        source._loaded_at
    from source,
        json_each(json_extract(source.record, '$.skuList')) as line
),

renamed as (
    select
        {{ clean_text("json_extract_string(order_record, '$.orderId')") }}
        || '-' || cast(cast(line_index as integer) + 1 as varchar) as order_line_id,
        {{ clean_text("json_extract_string(order_record, '$.orderId')") }} as order_id,
        cast(line_index as integer) + 1 as line_number,
        {{ clean_text(json_text('itemId')) }} as spu_id,
        {{ clean_text(json_text('skuId')) }} as sku_id,
        {{ json_text('skuName') }} as product_name,
        {{ parse_count(json_text('skuQuantity')) }} as quantity,
        {{ parse_fen(json_text('totalPaidAmount')) }} as pay_amount_fen,
        {{ parse_fen(json_text('totalMerchantDiscount')) }} as merchant_discount_fen,
        {{ parse_fen(json_text('totalRedDiscount')) }} as platform_discount_fen,
        {{ clean_text(json_text('noteId')) }} as note_id,
        {{ clean_text(json_text('kolId')) }} as kol_id,
        _loaded_at as loaded_at
    from unnested
)

select * from renamed
