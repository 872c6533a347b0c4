{#- Incremental filter: rebuild the rows whose inputs were loaded at or after the newest
    source_loaded_at already in the table, minus var('incremental_lookback_hours') so a load whose
    transaction committed while the previous build was reading is not missed. -#}
{% macro incremental_since(column) -%}
    {{ column }} >= (
        select coalesce(max(source_loaded_at), timestamptz '1900-01-01 00:00:00+00')
            - to_hours({{ var('incremental_lookback_hours') }})
        from {{ this }}
    )
{%- endmacro %}
