with

source as (
    {{ latest_version('douyin', 'douyin_orders', 'update_time') }}
),

unnested as (
    select
        source.record as order_record,
        line.value as record,
        line.key as line_index,
        source._loaded_at
    from source,
        json_each(json_extract(source.record, '$.sku_order_list')) as line
),

renamed as (
    select
        {{ id_text(json_text('sku_order_id')) }} as order_line_id,
        {{ id_text("json_extract_string(order_record, '$.order_id')") }} as order_id,
        cast(line_index as integer) + 1 as line_number,
        {{ id_text(json_text('product_id_str')) }} as spu_id,
        {{ id_text(json_text('sku_id')) }} as sku_id,
        {{ json_text('product_name') }} as product_name,
        {{ parse_count(json_text('item_num')) }} as quantity,
        {{ parse_fen(json_text('origin_amount')) }} as origin_amount_fen,
        {{ parse_fen(json_text('pay_amount')) }} as pay_amount_fen,
        {{ parse_fen(json_text('promotion_shop_amount')) }} as promotion_shop_amount_fen,
        {{ parse_fen(json_text('promotion_platform_amount')) }} as promotion_platform_amount_fen,
        {{ parse_fen(json_text('promotion_talent_amount')) }} as promotion_talent_amount_fen,
        {{ id_text(json_text('author_id')) }} as author_id,
        {{ clean_text(json_text('author_name')) }} as author_name,
        {{ id_text(json_text('room_id_str')) }} as room_id,
        {{ id_text(json_text('video_id')) }} as video_id,
        {{ id_text(json_text('content_id')) }} as content_id,
        try_cast({{ clean_text(json_text('theme_type')) }} as integer) as theme_type,
        try_cast({{ clean_text(json_text('c_biz')) }} as integer) as c_biz,
        {{ clean_text(json_text('ad_env_type')) }} as ad_env_type,
        coalesce(try_cast({{ json_text('is_cross_border') }} as boolean), false) as is_cross_border,
        _loaded_at as loaded_at
    from unnested
)

select * from renamed
