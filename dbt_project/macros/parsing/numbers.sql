{#- Number parsers for export quirks. Each returns null for placeholders and garbage, never an error. -#}

{#- Yuan strings '¥12,345.60', '"1,234.00"', '１２.５' -> decimal(18,2). -#}
{% macro parse_yuan(expr) -%}
    try_cast(regexp_replace({{ clean_text(expr) }}, '[¥￥,"\s]', '', 'g') as decimal(18, 2))
{%- endmacro %}

{#- Fen integers (numbers or digit strings) -> exact bigint fen. -#}
{% macro parse_fen(expr) -%}
    try_cast(try_cast({{ clean_text(expr) }} as decimal(20, 2)) as bigint)
{%- endmacro %}

{#- Exact bigint fen -> decimal(18,2) yuan. -#}
{% macro fen_to_yuan(expr) -%}
    cast(cast({{ expr }} as bigint) * 0.01 as decimal(18, 2))
{%- endmacro %}

{#- Counts '80.0w' / '80.0万' / '1.2w' / '3亿' / '12,345' / 42 -> bigint. -#}
{% macro parse_count(expr) -%}
    {%- call with_clean_text(expr) -%}
    cast(round(
        case
            when lower(replace(s, ',', '')) similar to '[0-9.]+(w|万)'
                then try_cast(regexp_replace(lower(replace(s, ',', '')), '(w|万)$', '') as decimal(18, 4)) * 10000
            when replace(s, ',', '') similar to '[0-9.]+亿'
                then try_cast(regexp_replace(replace(s, ',', ''), '亿$', '') as decimal(18, 4)) * 100000000
            else try_cast(replace(s, ',', '') as decimal(18, 4))
        end
    ) as bigint)
    {%- endcall -%}
{%- endmacro %}

{#- Rates '35.2%' -> 0.352; bare numbers are taken as ratios already. decimal(12,6). -#}
{% macro parse_ratio(expr) -%}
    {%- call with_clean_text(expr) -%}
    cast(
        case
            when s like '%\%%' escape '\' then try_cast(replace(replace(s, '%', ''), ',', '') as decimal(18, 6)) / 100
            else try_cast(replace(s, ',', '') as decimal(18, 6))
        end
    as decimal(12, 6))
    {%- endcall -%}
{%- endmacro %}

{#- Durations '04:39:26' / '39:26' / '1分5秒' / '1小时2分' / '65' -> integer seconds. -#}
{% macro parse_duration_seconds(expr) -%}
    {%- call with_clean_text(expr) -%}
    case
        when s similar to '[0-9]+:[0-9]{1,2}:[0-9]{1,2}'
            then cast(split_part(s, ':', 1) as bigint) * 3600 + cast(split_part(s, ':', 2) as bigint) * 60
                + cast(split_part(s, ':', 3) as bigint)
        when s similar to '[0-9]+:[0-9]{1,2}'
            then cast(split_part(s, ':', 1) as bigint) * 60 + cast(split_part(s, ':', 2) as bigint)
        when regexp_matches(s, '(小时|时|分|秒)')
            then coalesce(try_cast(regexp_extract(s, '([0-9]+)\s*(小时|时)', 1) as bigint), 0) * 3600
                + coalesce(try_cast(regexp_extract(s, '([0-9]+)\s*分', 1) as bigint), 0) * 60
                + coalesce(try_cast(regexp_extract(s, '([0-9]+)\s*秒', 1) as bigint), 0)
        else try_cast(try_cast(s as double) as bigint)
    end
    {%- endcall -%}
{%- endmacro %}

{#- Ratio numerator / denominator as decimal(18,6); null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast(cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0) as decimal(18, 6))
{%- endmacro %}
