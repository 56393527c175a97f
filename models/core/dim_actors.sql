with users as (

    select * from {{ ref('stg_github__users') }}

),

activity as (

    select
        actor_id,
        min(created_at) as first_seen_at,
        max(created_at) as last_seen_at,
        count(*) as lifetime_events,
        count(distinct repo_id) as repos_touched
    from {{ ref('stg_github__events') }}
    group by actor_id

)

select
    users.actor_id,
    users.actor_login,
    users.account_type,
    users.is_bot,
    users.company,
    users.country_code,
    activity.first_seen_at,
    activity.last_seen_at,
    {{ dbt.datediff('activity.first_seen_at', 'activity.last_seen_at', 'day') }} as active_span_days,
    coalesce(activity.lifetime_events, 0) as lifetime_events,
    coalesce(activity.repos_touched, 0) as repos_touched
from users
left join activity on users.actor_id = activity.actor_id
