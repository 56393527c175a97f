{#-
    One row per event, merged on event_id.

    Incremental runs pick up every row loaded after the newest load_timestamp
    already in the table, not the newest created_at: an event that arrives a
    day late (a GH Archive backfill) has an old created_at but a new
    load_timestamp, so it is still merged in. A re-delivered event updates its
    existing row instead of duplicating it.

    partition_by / cluster_by only apply on BigQuery; other adapters get none
    (dbt-duckdb rejects a BigQuery-style partition_by dict).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='event_id',
    on_schema_change='append_new_columns',
    partition_by=({'field': 'created_date', 'data_type': 'date', 'granularity': 'day'} if target.type == 'bigquery' else none),
    cluster_by=(['event_type', 'repo_id'] if target.type == 'bigquery' else none)
) }}

with events as (

    select * from {{ ref('stg_github__events') }}

    {% if is_incremental() %}
    where load_timestamp > (select max(load_timestamp) from {{ this }})
    {% endif %}

),

pushes as (

    select event_id, commit_count
    from {{ ref('stg_github__push_events') }}

)

select
    events.event_id,
    events.event_type,
    events.actor_id,
    events.actor_login,
    events.is_bot,
    events.repo_id,
    events.repo_name,
    events.org_login,
    events.is_public,
    events.payload_action,
    coalesce(pushes.commit_count, 0) as commit_count,
    events.created_at,
    events.created_date,
    events.load_timestamp
from events
left join pushes on events.event_id = pushes.event_id
