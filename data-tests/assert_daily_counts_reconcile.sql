-- The daily per-type counts must add up to the fact table, day by day.
with mart as (

    select created_date, sum(event_count) as event_count
    from {{ ref('events_per_type_daily') }}
    group by created_date

),

facts as (

    select created_date, count(*) as event_count
    from {{ ref('fct_events') }}
    group by created_date

)

select
    facts.created_date,
    facts.event_count as fact_events,
    mart.event_count as mart_events
from facts
left join mart on facts.created_date = mart.created_date
where mart.event_count is null
   or mart.event_count <> facts.event_count
