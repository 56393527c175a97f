-- A push's distinct commits are a subset of its commits, and GH Archive lists
-- at most 20 commits per push (the rest are only counted in `size`).
select
    event_id,
    commit_count,
    distinct_commit_count,
    listed_commit_count
from {{ ref('stg_github__push_events') }}
where distinct_commit_count > commit_count
   or listed_commit_count > commit_count
   or listed_commit_count > 20
   or (commit_count <= 20 and listed_commit_count <> commit_count)
