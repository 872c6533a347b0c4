{#- Time parsers. Every source is Asia/Shanghai local time (UTC+8, no DST); marts carry UTC
    `<event>_at` (timestamp, UTC wall clock) and `<event>_at_cn` (local wall clock) where useful. -#}

{#- Any source time -> UTC timestamp: Unix s (10 digits), Unix ms (13), yyyyMMddHHmmss[fff] (14/17,
    local), local strings 'yyyy-MM-dd HH:mm:ss' / 'yyyy/MM/dd HH:mm:ss' / 'yyyy-MM-dd'. 0 / '' -> null. -#}
{% macro to_utc(expr) -%}
    {%- call with_clean_text(expr) -%}
    case
        when s is null or s similar to '0+(\.0+)?' then null::timestamp
        when s similar to '[0-9]{9,10}(\.0+)?' then make_timestamp(cast(try_cast(s as double) as bigint) * 1000000)
        when s similar to '[0-9]{12,13}(\.0+)?' then make_timestamp(cast(try_cast(s as double) as bigint) * 1000)
        when s similar to '[0-9]{14}([0-9]{3})?'
            then try_strptime(left(s, 14), '%Y%m%d%H%M%S')
                + to_milliseconds(coalesce(try_cast(nullif(substr(s, 15, 3), '') as bigint), 0))
                - interval 8 hour
        else try_strptime(
                s, ['%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M', '%Y-%m-%d', '%Y/%m/%d']
            ) - interval 8 hour
    end
    {%- endcall -%}
{%- endmacro %}

{#- UTC timestamp -> Asia/Shanghai wall clock. -#}
{% macro to_cn(expr) -%}
    ({{ expr }} + interval 8 hour)
{%- endmacro %}

{#- UTC timestamp -> Asia/Shanghai calendar date. -#}
{% macro cn_date(expr) -%}
    cast({{ expr }} + interval 8 hour as date)
{%- endmacro %}

{#- Local date strings 'yyyy-MM-dd' / 'yyyy/MM/dd' / 'yyyyMMdd' -> date. -#}
{% macro parse_local_date(expr) -%}
    cast(try_strptime({{ clean_text(expr) }}, ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y-%m-%d %H:%M:%S']) as date)
{%- endmacro %}
