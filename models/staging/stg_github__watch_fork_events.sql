-- Interest in a repository: stars (WatchEvent, action `started`) and forks.
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events(['WatchEvent', 'ForkEvent']) }}

)

select
    {{ github_event_columns() }},
    type = 'WatchEvent' as is_star,
    type = 'ForkEvent' as is_fork,
    {{ json_int('payload', 'forkee.id') }} as forkee_repo_id,
    {{ json_text('payload', 'forkee.full_name') }} as forkee_repo_name
from raw
