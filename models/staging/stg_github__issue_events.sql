-- Issue activity: IssuesEvent (opened, closed, reopened) and IssueCommentEvent
-- (a comment on an issue or a pull request; both share GitHub's issue numbers).
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events(['IssuesEvent', 'IssueCommentEvent']) }}

)

select
    {{ github_event_columns() }},
    {{ json_text('payload', 'action') }} as action,
    {{ json_int('payload', 'issue.number') }} as issue_number,
    {{ json_text('payload', 'issue.title') }} as issue_title,
    {{ json_int('payload', 'comment.id') }} as comment_id,
    type = 'IssueCommentEvent' as is_comment
from raw
