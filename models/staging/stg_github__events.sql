-- The raw tables are seeds read through source(), which adds no DAG edge:
-- depends_on: {{ ref('raw_events') }}

with source as (

    select * from {{ source('github', 'raw_events') }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as event_id,
        type as event_type,
        actor_id,
        lower(actor_login) as actor_login,
        repo_id,
        repo_name,
        created_at,
        {{ event_day('created_at') }} as event_date,
        payload_action,
        coalesce({{ dbt.safe_cast("payload_size", dbt.type_int()) }}, 0) as commit_count,
        public as is_public,
        {{ is_bot('actor_login') }} as is_bot
    from source
    where created_at >= cast('{{ var("start_date") }}' as {{ dbt.type_timestamp() }})

)

select * from renamed
