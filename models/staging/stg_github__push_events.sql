-- Pushes: one row per PushEvent with the size of the push and the branch it went to.
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events(['PushEvent']) }}

),

pushes as (

    select
        {{ github_event_columns() }},
        {{ json_int('payload', 'push_id') }} as push_id,
        {{ json_text('payload', 'ref') }} as git_ref,
        {{ json_text('payload', 'head') }} as head_sha,
        {{ json_int('payload', 'size') }} as commit_count,
        {{ json_int('payload', 'distinct_size') }} as distinct_commit_count,
        {{ json_list_length('payload', 'commits') }} as listed_commit_count
    from raw

)

select
    *,
    {{ dbt.replace('git_ref', "'refs/heads/'", "''") }} as branch_name,
    git_ref in ('refs/heads/main', 'refs/heads/master') as is_default_branch
from pushes
