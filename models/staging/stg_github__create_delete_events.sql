-- Branches, tags and repositories created, and branches and tags deleted.
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events(['CreateEvent', 'DeleteEvent']) }}

)

select
    {{ github_event_columns() }},
    case when type = 'CreateEvent' then 'create' else 'delete' end as ref_action,
    {{ json_text('payload', 'ref_type') }} as ref_type,
    -- NULL when a whole repository is created.
    {{ json_text('payload', 'ref') }} as ref_name
from raw
