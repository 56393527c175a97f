{#- Calendar day of a timestamp, typed as DATE on every adapter. -#}
{% macro event_day(ts_col) -%}
    {%- if target.type == 'bigquery' -%}
        date({{ ts_col }})
    {%- else -%}
        cast({{ dbt.date_trunc('day', ts_col) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- Monday of the ISO week containing a date. BigQuery's plain `week` part
    starts on Sunday, so it needs `isoweek` to agree with DuckDB. -#}
{% macro week_start(date_col) -%}
    {%- if target.type == 'bigquery' -%}
        date_trunc({{ date_col }}, isoweek)
    {%- else -%}
        cast({{ dbt.date_trunc('week', date_col) }} as date)
    {%- endif -%}
{%- endmacro %}
