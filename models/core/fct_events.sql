{#- Incremental settings (merge on event_id) come from dbt_project.yml;
    the partitioning below only applies on BigQuery. -#}
{{ config(
    partition_by={'field': 'event_date', 'data_type': 'date'} if target.type == 'bigquery' else none,
    cluster_by=['repo_id'] if target.type == 'bigquery' else none
) }}

with events as (

    select * from {{ ref('stg_github__events') }}

    {% if is_incremental() %}
    -- Only pick up events newer than what is already loaded.
    where created_at > (select max(created_at) from {{ this }})
    {% endif %}

)

select
    event_id,
    event_type,
    actor_id,
    repo_id,
    created_at,
    event_date,
    payload_action,
    commit_count,
    is_public,
    is_bot
from events
