{#- Text helpers for export quirks. All take a SQL expression and return a SQL expression. -#}

{#- A JSON field of `record` as text ('$.a.b' path without the leading '$.'). -#}
{% macro json_text(path) -%}
    json_extract_string(record, '$.{{ path }}')
{%- endmacro %}

{#- Full-width digits and punctuation to ASCII (the NFKC part we need; duckdb nfc_normalize is not NFKC). -#}
{% macro ascii_digits(expr) -%}
    translate({{ expr }}, '０１２３４５６７８９．，－：％', '0123456789.,-:%')
{%- endmacro %}

{#- Trimmed ASCII text; empty strings and placeholders ('-', '数据将于第二天更新') become null. -#}
{% macro clean_text(expr) -%}
    nullif(nullif(nullif(nullif(trim({{ ascii_digits(expr) }}), ''), '-'), '--'), '数据将于第二天更新')
{%- endmacro %}

{#- Evaluate the caller block with `s` bound to the cleaned text of `expr`, once. The parsers below use `s`
    several times; binding it through a one-element lambda keeps the planned expression small
    (inlining it repeatedly made DuckDB planning take seconds per model). -#}
{% macro with_clean_text(expr) -%}
    list_transform([{{ clean_text(expr) }}], lambda s: {{ caller() }})[1]
{%- endmacro %}

{#- True when the platform said "data arrives tomorrow" (数据将于第二天更新). -#}
{% macro is_pending(expr) -%}
    coalesce(trim({{ expr }}) = '数据将于第二天更新', false)
{%- endmacro %}

{#- An identifier kept as text (19-digit ids must never pass through a float); '' and '0' are null. -#}
{% macro id_text(expr) -%}
    nullif({{ clean_text(expr) }}, '0')
{%- endmacro %}
