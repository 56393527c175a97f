{#-
    Reading fields out of the JSON text columns of raw_github_events.

    The seed stores actor, repo, org and payload as JSON object text, because a
    CSV cannot carry structs on every warehouse. These macros take the column
    (any SQL expression yielding JSON text) and a dotted path below the root,
    e.g. json_text('payload', 'pull_request.merged'), and return a scalar.
    A missing key or a JSON null gives SQL NULL on both engines.

    The DuckDB versions follow BigQuery's semantics (json_extract_scalar plus
    safe_cast), so both warehouses read the same values: json_text is NULL for
    an object or an array, json_int NULL for anything but whole-number text,
    json_bool NULL for anything but true/false, json_list_length NULL for
    anything but an array. Known leftovers: DuckDB re-prints JSON numbers
    (json_text of 1e3 is '1000.0', of -0 is '0'; BigQuery keeps the text),
    json_int of negative hex text ('-0x1F') is NULL on DuckDB, and text that is
    not JSON at all is an error on DuckDB but NULL on BigQuery.

    Each macro dispatches, so a project can add its own adapter version
    (`<adapter>__json_text`) without touching the models.
-#}

{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'github_activity')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{{ path }}')
{%- endmacro %}

{#- json_value is NULL for an object or an array, as BigQuery's json_extract_scalar is
    (json_extract_string would return the JSON text of either). -#}
{% macro duckdb__json_text(column, path) -%}
    json_extract_string(json_value({{ column }}, '$.{{ path }}'), '$')
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

{#- BigQuery casts only whole-number text (optional sign, decimal or 0x hex digits, surrounding
    whitespace) to INT64 and gives NULL for '1.0', '2.5' or '1e3'; DuckDB's try_cast would round
    those, so only text of that shape is cast. -#}
{% macro duckdb__json_int(column, path) -%}
    {%- set text = "json_extract_string(" ~ column ~ ", '$." ~ path ~ "')" -%}
    try_cast(case when regexp_full_match({{ text }}, '\s*[+-]?([0-9]+|0[xX][0-9a-fA-F]+)\s*') then {{ text }} end as bigint)
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

{#- Only true/false (any case), as BigQuery's cast to BOOL: DuckDB's try_cast would also
    read 1/0, 't' or 'yes'. -#}
{% macro duckdb__json_bool(column, path) -%}
    case lower(json_extract_string({{ column }}, '$.{{ path }}')) when 'true' then true when 'false' then false end
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

{#- json_array_length gives 0 for a scalar or a JSON null; BigQuery gives NULL for anything but an array. -#}
{% macro duckdb__json_list_length(column, path) -%}
    case when json_type({{ column }}, '$.{{ path }}') = 'ARRAY' then cast(json_array_length({{ column }}, '$.{{ path }}') as bigint) end
{%- endmacro %}

{% macro bigquery__json_list_length(column, path) -%}
    array_length(json_extract_array({{ column }}, '$.{{ path }}'))
{%- endmacro %}
