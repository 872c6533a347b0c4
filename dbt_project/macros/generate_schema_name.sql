{#- Custom schemas are used verbatim (staging, intermediate, core, seeding, ...), never prefixed
    with the target schema, so the published file has exactly the subject schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
