-- Every event, whatever its type: the common columns plus the payload's
-- `action` (set for pull-request, issue, comment, star, release and member events).
-- The raw table is a seed read through source(), which gives no DAG edge:
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events() }}

)

select
    {{ github_event_columns() }},
    {{ json_text('payload', 'action') }} as payload_action
from raw
