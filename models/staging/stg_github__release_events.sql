-- Releases published on a repository.
-- depends_on: {{ ref('raw_github_events') }}

with raw as (

    {{ github_raw_events(['ReleaseEvent']) }}

)

select
    {{ github_event_columns() }},
    {{ json_text('payload', 'action') }} as action,
    {{ json_int('payload', 'release.id') }} as release_id,
    {{ json_text('payload', 'release.tag_name') }} as tag_name,
    {{ json_text('payload', 'release.name') }} as release_name,
    coalesce({{ json_bool('payload', 'release.prerelease') }}, false) as is_prerelease
from raw
