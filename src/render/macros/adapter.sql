{#- Small adapter-level helpers that packages call through the dbt namespace. -#}
{% macro statement(name=none, fetch_result=false, auto_begin=true, language='sql') -%}
    {#- Runs only when executing against a warehouse; offline the body is just rendered. -#}
    {%- set sql = caller() -%}
    {%- do __xf_statement(name, fetch_result, sql) -%}
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

{% macro create_view_as(relation, sql) -%}
    {{ return(adapter.dispatch('create_view_as', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__create_view_as(relation, sql) -%}
create view {{ relation }} as (
{{ sql }}
);
{%- endmacro %}

{% macro bigquery__create_view_as(relation, sql) -%}
create or replace view {{ relation }} as (
{{ sql }}
);
{%- endmacro %}

{% macro create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {{ return(adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code, language)) }}
{%- endmacro %}

{% macro default__create_table_as(temporary, relation, compiled_code, language='sql') -%}
create {% if temporary %}temporary {% endif %}table {{ relation }} as (
{{ compiled_code }}
);
{%- endmacro %}

{% macro bigquery__create_table_as(temporary, relation, compiled_code, language='sql') -%}
create or replace {% if temporary %}temp {% endif %}table {{ relation }} as (
{{ compiled_code }}
);
{%- endmacro %}
