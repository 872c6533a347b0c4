-- One row per SKU per platform, from the persisted order facts (so products outlive raw-data retention).
-- Category and origin country are derived from the product name by keyword (the shops send no
-- catalogue); domestic products are origin CN.
with

lines as (
    select * from {{ ref('fct_order_lines') }}
),

orders as (
    select
        order_id,
        platform,
        is_cross_border,
        created_at
    from {{ ref('fct_orders') }}
),

products as (
    select
        lines.product_id,
        lines.platform,
        any_value(lines.sku_id) as sku_id,
        arg_max(lines.spu_id, orders.created_at) as spu_id,
        arg_max(lines.product_name, orders.created_at) as product_name,
        coalesce(bool_or(lines.is_cross_border), false) or coalesce(bool_or(orders.is_cross_border), false)
            as is_cross_border,
        min(orders.created_at) as first_ordered_at
    from lines
    left join orders on lines.order_id = orders.order_id and lines.platform = orders.platform
    group by lines.product_id, lines.platform
),

final as (
    select
        cast(product_id as varchar) as product_id,
        cast(platform as varchar) as platform,
        cast(sku_id as varchar) as sku_id,
        cast(spu_id as varchar) as spu_id,
        cast(product_name as varchar) as product_name,
        case
            when regexp_matches(product_name, '面霜|精华|口红|唇|面膜|粉底|眼霜|防晒|洗面奶|洁面|护肤|乳液|爽肤水|卸妆|香水|彩妆|化妆')
                then 'beauty'
            when regexp_matches(product_name, '奶粉|纸尿裤|尿不湿|婴|宝宝|儿童|辅食|奶瓶|孕') then 'mother_baby'
            when regexp_matches(product_name, '零食|咖啡|茶|坚果|麦片|巧克力|蜂蜜|保健|维生素|益生菌|鱼油|食品|饮料')
                then 'food_health'
            when regexp_matches(product_name, '衣|裤|裙|外套|T恤|卫衣|鞋|袜|帽|包') then 'apparel'
            else 'other'
        end as category,
        cast(is_cross_border as boolean) as is_cross_border,
        case
            when regexp_matches(product_name, '日本|日系') then 'JP'
            when regexp_matches(product_name, '韩国|韩系') then 'KR'
            when regexp_matches(product_name, '法国') then 'FR'
            when regexp_matches(product_name, '澳洲|澳大利亚') then 'AU'
            when regexp_matches(product_name, '新西兰') then 'NZ'
            when regexp_matches(product_name, '美国') then 'US'
            when regexp_matches(product_name, '德国') then 'DE'
            when regexp_matches(product_name, '英国') then 'GB'
            when regexp_matches(product_name, '意大利') then 'IT'
            when not is_cross_border then 'CN'
        end as origin_country,
        first_ordered_at
    from products
)

select * from final
