{#- Hours from one instant to another, 2 decimals (METRICS.md §8.5); NULL when either end is NULL. -#}
{% macro hours_between(start_at, end_at) -%}
    round(date_diff('second', {{ start_at }}, {{ end_at }}) / 3600.0, 2)
{%- endmacro %}
