-- Every event in staging must be in fct_events, and with the same load time.
-- A row here means the incremental filter skipped a late-loaded event (or a
-- re-delivered event was not merged).
select
    staged.event_id,
    staged.load_timestamp as staged_load_timestamp,
    facts.load_timestamp as fact_load_timestamp
from {{ ref('stg_github__events') }} as staged
left join {{ ref('fct_events') }} as facts on staged.event_id = facts.event_id
where facts.event_id is null
   or facts.load_timestamp <> staged.load_timestamp
