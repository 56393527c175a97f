-- Pull-request activity: PullRequestEvent (opened, closed, reopened) and
-- PullRequestReviewEvent (a review submitted on a pull request).
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events(['PullRequestEvent', 'PullRequestReviewEvent']) }}

)

select
    {{ github_event_columns() }},
    {{ json_text('payload', 'action') }} as action,
    {{ json_int('payload', 'pull_request.number') }} as pr_number,
    {{ json_text('payload', 'pull_request.title') }} as pr_title,
    case
        when type = 'PullRequestEvent'
            then coalesce({{ json_bool('payload', 'pull_request.merged') }}, false)
    end as is_merged,
    {{ json_int('payload', 'pull_request.additions') }} as lines_added,
    {{ json_int('payload', 'pull_request.deletions') }} as lines_deleted,
    {{ json_text('payload', 'review.state') }} as review_state
from raw
