{#- The latest version of each record of a raw table: a raw table keeps every re-extraction, staging
    keeps one row per record_key ordered by the entity's updated_at field (when it has one), then the
    extraction interval end, then the load time, then the line in the file. -#}
{% macro latest_version(source_name, table_name, updated_at_path=none) -%}
    select *
    from {{ source(source_name, table_name) }}
    where record_key is not null
    qualify row_number() over (
        partition by record_key
        order by
            {% if updated_at_path %}try_cast(json_extract_string(record, '$.{{ updated_at_path }}') as double) desc nulls last,{% endif %}
            _interval_end desc nulls last,
            _loaded_at desc nulls last,
            _line_number desc
    ) = 1
{%- endmacro %}
