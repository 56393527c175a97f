-- Ad-hoc: how much of each event type comes from bots, over the whole period?
-- Compiled by `dbt compile` for pasting into a notebook; never materialized.
select
    event_type,
    sum(event_count) as events,
    sum(bot_event_count) as bot_events,
    round(100.0 * sum(bot_event_count) / sum(event_count), 1) as bot_share_pct
from {{ ref('events_per_type_daily') }}
group by event_type
order by bot_share_pct desc, events desc
