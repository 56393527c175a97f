-- Share of each day's events that came from automation accounts.
with daily as (

    select
        event_date,
        sum(total_events) as total_events,
        sum(bot_events) as bot_events,
        count(*) as active_repos
    from {{ ref('fct_daily_repo_activity') }}
    group by event_date

)

select
    event_date,
    total_events,
    bot_events,
    total_events - bot_events as human_events,
    active_repos,
    round(100.0 * bot_events / nullif(total_events, 0), 2) as bot_share_pct
from daily
