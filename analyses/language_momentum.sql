-- Ad-hoc: which languages gained the most human contributors week over week?
-- Compiled by `dbt compile` for pasting into a notebook; never materialized.
with weekly as (

    select
        activity.week_start_date,
        repos.primary_language,
        count(distinct activity.actor_id) as contributors
    from {{ ref('actor_weekly_activity') }} as activity
    inner join {{ ref('fct_events') }} as events
        on activity.actor_id = events.actor_id
        and {{ week_start('events.event_date') }} = activity.week_start_date
    inner join {{ ref('dim_repos') }} as repos
        on events.repo_id = repos.repo_id
    where not activity.is_bot
    group by activity.week_start_date, repos.primary_language

)

select
    week_start_date,
    primary_language,
    contributors,
    contributors - lag(contributors) over (
        partition by primary_language order by week_start_date
    ) as change_vs_prior_week
from weekly
order by week_start_date, contributors desc
