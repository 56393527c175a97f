-- Per account and ISO week (Monday start): how much they did and where.
with events as (

    select
        actor_id,
        repo_id,
        event_type,
        commit_count,
        {{ week_start('event_date') }} as week_start_date
    from {{ ref('fct_events') }}

)

select
    events.week_start_date,
    events.actor_id,
    actors.actor_login,
    actors.is_bot,
    count(*) as events,
    count(distinct events.repo_id) as repos_touched,
    sum(events.commit_count) as commits,
    sum(case when events.event_type = 'PullRequestEvent' then 1 else 0 end) as pull_request_events,
    sum(case when events.event_type in ('IssuesEvent', 'IssueCommentEvent') then 1 else 0 end) as discussion_events
from events
inner join {{ ref('dim_actors') }} as actors on events.actor_id = actors.actor_id
group by events.week_start_date, events.actor_id, actors.actor_login, actors.is_bot
