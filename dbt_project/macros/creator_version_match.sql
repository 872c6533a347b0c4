{#- Join condition picking the SCD2 creator version valid on `on_date` (the current version when the
    date is null). `versions` is the alias of int_creators__versions / dim_creator. -#}
{% macro creator_version_match(versions, platform, creator_id, on_date) -%}
    {{ versions }}.platform = {{ platform }}
    and {{ versions }}.creator_id = {{ creator_id }}
    and (
        ({{ on_date }} is null and {{ versions }}.is_current)
        or ({{ on_date }} >= {{ versions }}.valid_from
            and ({{ versions }}.valid_to is null or {{ on_date }} < {{ versions }}.valid_to))
    )
{%- endmacro %}
