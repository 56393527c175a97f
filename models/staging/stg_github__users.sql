-- depends_on: {{ ref('raw_users') }}

with source as (

    select * from {{ source('github', 'raw_users') }}

)

select
    actor_id,
    lower(login) as actor_login,
    type as account_type,
    (type = 'Bot' or {{ is_bot('lower(login)') }}) as is_bot,
    nullif(trim(company), '') as company,
    nullif(upper(country), '') as country_code
from source
