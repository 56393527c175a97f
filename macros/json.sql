{#-
    Reading fields out of the JSON text columns of raw_github_events.

    The seed stores actor, repo, org and payload as JSON object text, because a
    CSV cannot carry structs on every warehouse. These macros take the column
    (any SQL expression yielding JSON text) and a dotted path below the root,
    e.g. json_text('payload', 'pull_request.merged'), and return a scalar.
    A missing key or a JSON null gives SQL NULL on both engines.

    Each macro dispatches, so a project can add its own adapter version
    (`<adapter>__json_text`) without touching the models.
-#}

{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'github_activity')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro duckdb__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro bigquery__json_text(column, path) -%}
    json_extract_scalar({{ column }}, '$.{{ path }}')
{%- endmacro %}


{#- Whole numbers (ids, counts). Text that is not a number gives NULL rather than an error. -#}
{% macro json_int(column, path) -%}
    {{ return(adapter.dispatch('json_int', 'github_activity')(column, path)) }}
{%- endmacro %}

{% macro default__json_int(column, path) -%}
    cast({{ json_text(column, path) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__json_int(column, path) -%}
    try_cast(json_extract_string({{ column }}, '$.{{ path }}') as bigint)
{%- endmacro %}

{% macro bigquery__json_int(column, path) -%}
    safe_cast(json_extract_scalar({{ column }}, '$.{{ path }}') as int64)
{%- endmacro %}


{#- JSON true/false. -#}
{% macro json_bool(column, path) -%}
    {{ return(adapter.dispatch('json_bool', 'github_activity')(column, path)) }}
{%- endmacro %}

{% macro default__json_bool(column, path) -%}
    cast({{ json_text(column, path) }} as {{ dbt.type_boolean() }})
{%- endmacro %}

{% macro duckdb__json_bool(column, path) -%}
    try_cast(json_extract_string({{ column }}, '$.{{ path }}') as boolean)
{%- endmacro %}

{% macro bigquery__json_bool(column, path) -%}
    safe_cast(json_extract_scalar({{ column }}, '$.{{ path }}') as bool)
{%- endmacro %}


{#- Number of elements of a JSON array; NULL when the key is absent. -#}
{% macro json_list_length(column, path) -%}
    {{ return(adapter.dispatch('json_list_length', 'github_activity')(column, path)) }}
{%- endmacro %}

{% macro default__json_list_length(column, path) -%}
    json_array_length({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro duckdb__json_list_length(column, path) -%}
    cast(json_array_length({{ column }}, '$.{{ path }}') as bigint)
{%- endmacro %}

{% macro bigquery__json_list_length(column, path) -%}
    array_length(json_extract_array({{ column }}, '$.{{ path }}'))
{%- endmacro %}
