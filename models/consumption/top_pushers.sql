-- The most active people by pushes: pushes, commits and repositories pushed to
-- over the whole period. Bots are left out (they push generated changes); the
-- top var('top_pushers_limit') ranks are kept, ties included.
{% set keep_ranks = var('top_pushers_limit', 25) | int %}

with pushes as (

    select
        actor_id,
        count(*) as push_count,
        sum(commit_count) as commit_count,
        count(distinct repo_id) as repos_pushed_to,
        count(distinct created_date) as push_days,
        min(created_at) as first_push_at,
        max(created_at) as last_push_at
    from {{ ref('fct_events') }}
    where event_type = 'PushEvent'
    group by actor_id

),

ranked as (

    select
        pushes.actor_id,
        actors.actor_login,
        pushes.push_count,
        pushes.commit_count,
        pushes.repos_pushed_to,
        pushes.push_days,
        pushes.first_push_at,
        pushes.last_push_at,
        rank() over (order by pushes.push_count desc, pushes.commit_count desc) as pusher_rank
    from pushes
    inner join {{ ref('dim_actor') }} as actors on pushes.actor_id = actors.actor_id
    where not actors.is_bot

)

select *
from ranked
where pusher_rank <= {{ keep_ranks }}
