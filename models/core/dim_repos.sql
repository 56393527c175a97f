with repos as (

    select * from {{ ref('stg_github__repos') }}

),

activity as (

    select
        repo_id,
        min(created_at) as first_event_at,
        max(created_at) as last_event_at,
        count(*) as lifetime_events
    from {{ ref('stg_github__events') }}
    group by repo_id

)

select
    repos.repo_id,
    repos.repo_name,
    repos.owner_login,
    repos.repo_short_name,
    repos.primary_language,
    repos.repo_created_date,
    repos.star_count,
    activity.first_event_at,
    activity.last_event_at,
    coalesce(activity.lifetime_events, 0) as lifetime_events
from repos
left join activity on repos.repo_id = activity.repo_id
