-- One row per account (people and bots) with its latest login and activity bounds.
with events as (

    select * from {{ ref('fct_events') }}

),

-- Logins can change (GitHub allows renames); keep the one on the newest event.
ranked_logins as (

    select
        actor_id,
        actor_login,
        row_number() over (
            partition by actor_id
            order by created_at desc, event_id desc
        ) as recency
    from events

),

latest_login as (

    select actor_id, actor_login
    from ranked_logins
    where recency = 1

),

activity as (

    select
        actor_id,
        count(distinct actor_login) as login_count,
        min(created_at) as first_seen_at,
        max(created_at) as last_seen_at,
        count(*) as event_count,
        sum(case when event_type = 'PushEvent' then 1 else 0 end) as push_count,
        sum(commit_count) as commit_count,
        sum(case when event_type = 'PullRequestEvent' and payload_action = 'opened' then 1 else 0 end) as pull_requests_opened,
        count(distinct repo_id) as repos_touched,
        count(distinct created_date) as active_days
    from events
    group by actor_id

)

select
    activity.actor_id,
    latest_login.actor_login,
    {{ is_bot('latest_login.actor_login') }} as is_bot,
    activity.login_count,
    activity.first_seen_at,
    activity.last_seen_at,
    activity.event_count,
    activity.push_count,
    activity.commit_count,
    activity.pull_requests_opened,
    activity.repos_touched,
    activity.active_days
from activity
inner join latest_login on activity.actor_id = latest_login.actor_id
