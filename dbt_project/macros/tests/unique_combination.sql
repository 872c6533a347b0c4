{#- Fails on every combination of `combination` columns that occurs more than once (the grain test). -#}
{% test unique_combination(model, combination) %}
select {{ combination | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
