{#- Fails on every row where `expression` is false (null counts as passing only if allow_null). -#}
{% test expression_is_true(model, expression, allow_null=false) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), {{ 'true' if allow_null else 'false' }})
{% endtest %}
