-- One row per repository with its owner, activity bounds and interest counters.
with events as (

    select * from {{ ref('fct_events') }}

),

ranked_names as (

    select
        repo_id,
        repo_name,
        row_number() over (
            partition by repo_id
            order by created_at desc, event_id desc
        ) as recency
    from events

),

latest_name as (

    select repo_id, repo_name
    from ranked_names
    where recency = 1

),

activity as (

    select
        repo_id,
        max(org_login) as org_login,
        min(created_at) as first_seen_at,
        max(created_at) as last_seen_at,
        count(*) as event_count,
        count(distinct actor_id) as actor_count,
        sum(case when event_type = 'PushEvent' then 1 else 0 end) as push_count,
        sum(commit_count) as commit_count,
        sum(case when event_type = 'WatchEvent' then 1 else 0 end) as star_count,
        sum(case when event_type = 'ForkEvent' then 1 else 0 end) as fork_count,
        sum(case when event_type = 'ReleaseEvent' then 1 else 0 end) as release_count
    from events
    group by repo_id

)

select
    activity.repo_id,
    latest_name.repo_name,
    {{ dbt.split_part('latest_name.repo_name', "'/'", 1) }} as owner_login,
    {{ dbt.split_part('latest_name.repo_name', "'/'", 2) }} as repo_short_name,
    activity.org_login,
    activity.org_login is not null as is_org_owned,
    {{ dbt.concat(["'https://github.com/'", 'latest_name.repo_name']) }} as html_url,
    activity.first_seen_at,
    activity.last_seen_at,
    activity.event_count,
    activity.actor_count,
    activity.push_count,
    activity.commit_count,
    activity.star_count,
    activity.fork_count,
    activity.release_count
from activity
inner join latest_name on activity.repo_id = latest_name.repo_id
