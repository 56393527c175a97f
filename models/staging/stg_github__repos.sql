-- depends_on: {{ ref('raw_repos') }}

with source as (

    select * from {{ source('github', 'raw_repos') }}

)

select
    repo_id,
    repo_name,
    {{ dbt.split_part('repo_name', "'/'", 1) }} as owner_login,
    {{ dbt.split_part('repo_name', "'/'", 2) }} as repo_short_name,
    coalesce(language, 'Unknown') as primary_language,
    created_at as repo_created_date,
    stars as star_count,
    updated_at
from source
