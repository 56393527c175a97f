{#- Small adapter-level helpers that packages call through the dbt namespace. -#}
{% macro statement(name=none, fetch_result=false, auto_begin=true, language='sql') -%}
    {#- Offline compilation runs no statements; the body is rendered for its side effects only. -#}
    {%- set sql = caller() -%}
{%- endmacro %}

{% macro run_hooks(hooks, inside_transaction=true) -%}
{%- endmacro %}

{% macro default__current_timestamp() -%}
    current_timestamp
{%- endmacro %}

{% macro current_timestamp() -%}
    {{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}
{%- endmacro %}

{% macro duckdb__current_timestamp() -%}
    now()
{%- endmacro %}

{% macro bigquery__current_timestamp() -%}
    current_timestamp()
{%- endmacro %}
