-- Warn (not fail) when more than 5% of a day's events arrived a day or more
-- after they happened: backfills are expected, but a large share points at a
-- stalled loader.
{{ config(severity='warn') }}

with loads as (

    select
        created_date,
        count(*) as event_count,
        sum(
            case
                when load_timestamp >= cast({{ dbt.dateadd('day', 1, 'created_at') }} as {{ dbt.type_timestamp() }}) then 1
                else 0
            end
        ) as late_count
    from {{ ref('fct_events') }}
    group by created_date

)

select *
from loads
where late_count > 0.05 * event_count
