-- One row per repository per day with activity.
select
    repo_id,
    event_date,
    count(*) as total_events,
    {{ event_count_columns() | join(',\n    ') }},
    sum(commit_count) as commits,
    sum(case when is_contribution and not is_bot then 1 else 0 end) as human_contributions,
    sum(case when is_bot then 1 else 0 end) as bot_events,
    count(distinct actor_id) as distinct_actors
from {{ ref('int_events__classified') }}
group by repo_id, event_date
