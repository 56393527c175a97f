{#- Each row's column must not be earlier than another column of the same row,
    e.g. an event cannot be loaded before it happened. Rows where either side
    is NULL are not checked. -#}
{% test not_earlier_than(model, column_name, other_column) %}

select
    {{ column_name }},
    {{ other_column }}
from {{ model }}
where {{ column_name }} < {{ other_column }}

{% endtest %}
