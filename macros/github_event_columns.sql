{#-
    The columns every staging model of raw_github_events shares, in one place,
    so the event families cannot drift apart. Call it at the top of a select
    whose FROM reads the raw table (optionally under an alias):

        select
            {{ github_event_columns() }},
            {{ json_text('payload', 'action') }} as action
        from raw

    Emits: event_id, event_type, actor_id, actor_login, is_bot, repo_id,
    repo_name, org_login, is_public, created_at, created_date, load_timestamp.
    An empty org cell means the repository belongs to a user: org_login is NULL.
-#}
{% macro github_event_columns(relation_alias=none) -%}
    {%- set p = (relation_alias ~ '.') if relation_alias else '' -%}
    {%- set login = json_text(p ~ 'actor', 'login') -%}
    cast({{ p }}id as {{ dbt.type_string() }}) as event_id,
    cast({{ p }}type as {{ dbt.type_string() }}) as event_type,
    {{ json_int(p ~ 'actor', 'id') }} as actor_id,
    {{ login }} as actor_login,
    {{ is_bot(login) }} as is_bot,
    {{ json_int(p ~ 'repo', 'id') }} as repo_id,
    {{ json_text(p ~ 'repo', 'name') }} as repo_name,
    {{ json_text("nullif(" ~ p ~ "org, '')", 'login') }} as org_login,
    cast({{ p }}public as {{ dbt.type_boolean() }}) as is_public,
    cast({{ p }}created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ p }}created_at as date) as created_date,
    cast({{ p }}load_timestamp as {{ dbt.type_timestamp() }}) as load_timestamp
{%- endmacro %}


{#- True when a login is an automation account: GitHub App logins end in "[bot]".
    The LIKE pattern comes from var('bot_login_pattern') so a deployment can widen it;
    `[` is not special in LIKE on DuckDB or BigQuery. -#}
{% macro is_bot(login_expr) -%}
    coalesce({{ login_expr }} like '{{ var("bot_login_pattern", "%[bot]") }}', false)
{%- endmacro %}


{#-
    The raw events of the given types (all types when none), one row per event id.

    The loader appends: an event GH Archive re-delivers arrives again with a
    later load_timestamp. Staging keeps the most recently loaded copy, so every
    staging model is unique on event_id and fct_events merges the newest version.
    The result carries a helper column, load_recency, that models do not select.
-#}
{% macro github_raw_events(event_types=none) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by id
                order by load_timestamp desc
            ) as load_recency
        from {{ source('github', 'raw_github_events') }}
        {%- if event_types %}
        where type in ({% for t in event_types %}'{{ t }}'{{ ', ' if not loop.last }}{% endfor %})
        {%- endif %}
    ) as loads
    where load_recency = 1
{%- endmacro %}
