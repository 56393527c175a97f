-- Most popular repositories per day: new stars plus new forks, ranked within
-- each day (1 = most popular; ties share a rank). Only repositories that got
-- at least one star or fork that day appear.
with interest as (

    select
        created_date,
        repo_id,
        sum(case when event_type = 'WatchEvent' then 1 else 0 end) as star_count,
        sum(case when event_type = 'ForkEvent' then 1 else 0 end) as fork_count
    from {{ ref('fct_events') }}
    where event_type in ('WatchEvent', 'ForkEvent')
    group by created_date, repo_id

)

select
    interest.created_date,
    interest.repo_id,
    repos.repo_name,
    interest.star_count,
    interest.fork_count,
    interest.star_count + interest.fork_count as popularity_score,
    rank() over (
        partition by interest.created_date
        order by interest.star_count + interest.fork_count desc, interest.star_count desc
    ) as popularity_rank
from interest
inner join {{ ref('dim_repo') }} as repos on interest.repo_id = repos.repo_id
