{{ config(materialized='ephemeral') }}

-- Adds a coarse category and a "counts as a contribution" flag to each event.
select
    event_id,
    event_type,
    actor_id,
    repo_id,
    event_date,
    commit_count,
    is_bot,
    case
        when event_type in ('PushEvent', 'PullRequestEvent', 'CreateEvent') then 'code'
        when event_type in ('IssuesEvent', 'IssueCommentEvent') then 'discussion'
        else 'interest'
    end as event_category,
    (
        event_type = 'PushEvent'
        or (event_type = 'PullRequestEvent' and payload_action = 'opened')
        or (event_type = 'IssuesEvent' and payload_action = 'opened')
    ) as is_contribution
from {{ ref('fct_events') }}
