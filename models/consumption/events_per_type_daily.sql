-- Events per type per calendar day (UTC), split into human and bot activity.
with daily as (

    select
        created_date,
        event_type,
        count(*) as event_count,
        sum(case when is_bot then 1 else 0 end) as bot_event_count,
        count(distinct actor_id) as actor_count,
        count(distinct repo_id) as repo_count
    from {{ ref('fct_events') }}
    group by created_date, event_type

)

select
    created_date,
    event_type,
    event_count,
    event_count - bot_event_count as human_event_count,
    bot_event_count,
    actor_count,
    repo_count,
    round(100.0 * event_count / sum(event_count) over (partition by created_date), 2) as pct_of_day
from daily
