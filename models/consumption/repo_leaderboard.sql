-- Repositories ranked by human activity over the trailing window that ends on
-- the latest day present in the data (not today), so results are reproducible.
{% set window_days = var('leaderboard_days', 28) | int %}

with bounds as (

    select max(event_date) as window_end from {{ ref('fct_events') }}

),

recent as (

    select events.*
    from {{ ref('fct_events') }} as events
    cross join bounds
    where events.event_date > cast({{ dbt.dateadd('day', -1 * window_days, 'bounds.window_end') }} as date)
      and not events.is_bot

),

scored as (

    select
        repo_id,
        sum(commit_count) as commits,
        sum(case when event_type = 'PullRequestEvent' and payload_action = 'opened' then 1 else 0 end) as prs_opened,
        sum(case when event_type = 'WatchEvent' then 1 else 0 end) as new_stars,
        sum(case when event_type = 'ForkEvent' then 1 else 0 end) as forks,
        count(distinct actor_id) as active_contributors
    from recent
    group by repo_id

)

select
    rank() over (order by scored.commits + 3 * scored.prs_opened + 2 * scored.new_stars + 2 * scored.forks desc) as leaderboard_rank,
    repos.repo_name,
    repos.primary_language,
    scored.*,
    scored.commits + 3 * scored.prs_opened + 2 * scored.new_stars + 2 * scored.forks as score
from scored
inner join {{ ref('dim_repos') }} as repos on scored.repo_id = repos.repo_id
