-- Privacy: no published row of the customer-facing marts holds a clear mobile number or resident ID
-- number in any column (tokens, masks and redacted text only).
{%- set published = ['dim_customer', 'fct_orders', 'fct_order_lines', 'fct_crossborder_shipments',
                     'fct_customs_events', 'dim_content', 'fct_live_sessions', 'fct_customer_lifecycle_monthly'] %}
{%- set mobile = '(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)' %}
{%- set resident_id = '(^|[^0-9])[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])[0-9]{5}[0-9Xx]([^0-9]|$)' %}
{%- for model in published %}
    select
        '{{ model }}' as model_name,
        count(*) as offending_rows
    from {{ ref(model) }}
    where regexp_matches(concat_ws('|', columns(*)), '{{ mobile }}|{{ resident_id }}')
    having count(*) > 0
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
