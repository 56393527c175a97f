-- Fails (returns rows) for any event stamped in the future or with a negative
-- commit count; either means the loader or staging mangled the record.
select
    event_id,
    created_at,
    commit_count
from {{ ref('stg_github__events') }}
where created_at > {{ dbt.current_timestamp() }}
   or commit_count < 0
