{#- The given columns together identify a row: fails once per duplicated combination.
    Usage (model level):
        data_tests:
          - unique_combination:
              arguments:
                columns: [created_date, event_type]
-#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
