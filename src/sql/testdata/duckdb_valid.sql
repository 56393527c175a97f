-- Valid DuckDB SQL, one statement (or script) per block, blocks separated by ----. None may be reported as a syntax error by src/sql/check.rs.
select * exclude (a) from t
----
select * exclude a from t
----
select * replace (a + 1 as a) from t
----
select a::int, '2020-01-01'::date, x::varchar[] from t
----
select list_value(1, 2, 3)
----
select [1, 2, 3] as l, l[1] from t
----
select {'a': 1, 'b': 'x'} as s
----
select s.a, s['a'] from t
----
select a, row_number() over (partition by b order by c) as rn from t qualify rn = 1
----
from t select a, b
----
from t
----
from t where a > 1 select a
----
pivot t on year using sum(amount)
----
select * from t pivot (sum(amount) for year in (2020, 2021))
----
select * from t unpivot (v for k in (a, b))
----
create or replace table foo as select 1 as a
----
create table if not exists foo as (select 1 as a)
----
create or replace view v as select 1
----
insert into t by name select 1 as a
----
insert into t select * from s
----
insert or replace into t select * from s
----
delete from t using s where t.id = s.id
----
merge into t using s on t.id = s.id when matched then update set a = s.a when not matched then insert (id, a) values (s.id, s.a)
----
select now() - interval 1 day
----
select now() - interval '1 day'
----
select now() - interval (3) day
----
select strftime(now(), '%Y-%m-%d')
----
select list_transform(l, x -> x + 1) from t
----
select list_filter(l, (x, i) -> x > i) from t
----
select count(*) filter (where a > 1) from t
----
select a, b, from t
----
select a, b, from t group by all order by all
----
select a from t order by a desc nulls last limit 10 offset 5
----
select * from read_csv_auto('x.csv')
----
select * from 'data/x.parquet'
----
select date_trunc('month', d) from t
----
select a from t1 union all by name select a from t2
----
with x as (select 1 as a), y as materialized (select 2) select * from x, y
----
select * from t1 asof join t2 on t1.a = t2.a and t1.ts >= t2.ts
----
select * from t1 positional join t2
----
select * from t1 anti join t2 using (a)
----
select * from t1 semi join t2 on t1.a = t2.a
----
select a from t using sample 10%
----
select columns('a.*') from t
----
select * from t where a ilike 'x%' and b similar to 'y' and c glob 'z*'
----
select a // 2, a % 2, 2 ** 3 from t
----
select case when a then 1 else 2 end from t
----
select cast(a as decimal(18, 2)), try_cast(b as int) from t
----
select "quoted col" from "main"."t"
----
select $$dollar$$
----
select e'a\nb'
----
select struct_pack(a := 1, b := 2)
----
select map {'a': 1}
----
select map([1], [2])
----
select a from t group by rollup (a)
----
select arg_max(a, b), list(a order by b) from t
----
select string_agg(a, ',' order by b) from t
----
select * from range(10) t(i)
----
select unnest([1, 2]), generate_series(1, 3)
----
select a->>'$.x', a->'$.y' from t
----
select epoch_ms(1), x.* from t x
----
select * from t limit 10 percent
----
select 1;
select 2;
----
select 1; select 2
----
create or replace macro add(a, b) as a + b
----
create schema if not exists s
----
drop table if exists t
----
drop table if exists t cascade
----
alter table t add column c int
----
select a from t where a in (select b from s)
----
update t set a = 1 from s where t.id = s.id
----
select * from t where exists (select 1)
----
select distinct on (a) a, b from t
----
select a from t window w as (partition by b) 
----
copy t to 'x.parquet' (format parquet)
----
select 'a' || 'b', a::text like '%x' from t
----
describe t
----
select * from t order by 1 limit 3
----
set threads = 4
----
install httpfs
----
load httpfs
----
attach 'x.db' as x
----
select a.b.c from t as a
----
select (a).b from t
----
select * from (values (1, 2), (3, 4)) v(a, b)
----
select -- comment
 1 /* block */
----
create temp table t as select 1
----
select a from t where a is distinct from b
----
select 1 as "order", 2 as "group"
----
select current_date, current_timestamp
----
select extract(year from d), date_part('year', d) from t
----
select if(a > 1, 'x', 'y') from t
----
select list_reduce(l, (a, b) -> a + b) from t
----
select [x + 1 for x in l] from t
----
select x from t where x = any (select 1)
----
select regexp_matches(a, '^x') from t
----
select 1::hugeint, 1::ubigint
----
select * from t tablesample 10%
----
summarize t
----
select * from t1 join t2 using (id) natural join t3
----
select * from t order by a collate nocase
----
select a from t limit (select 1)
----
select struct_extract(s, 'a') from t
----
select a[1:2] from t
----
select sum(a) over (order by b rows between unbounded preceding and current row) from t
----
select * from glob('*.csv')
----
with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r
----
select 1e3, .5, 0x1f
----
select a from t where a between 1 and 2
----
create or replace table t (a int primary key, b varchar default 'x', c struct(x int))
----
select {'a': 1}.a
----
select coalesce(a, b)::int as c from t
----
insert into t (a) values (1) on conflict do nothing
----
select * from t where a = ? and b = $1
----
create or replace table t as (select 1)
----
create or replace table t as from s
----
insert into t from s
----
with x as (from s) select * from x
----
from t limit 1
----
show tables
----
pragma table_info('t')
----
select list_transform(l, lambda x: x + 1) from t
----
select a ^@ 'x' from t
----
select '{"a":1}'::json->>'a'
----
create type mood as enum ('a', 'b')
----
select *, columns(*) from t
----
select * rename (a as b) from t
----
select a.* exclude (x) from t a
----
select 'it''s'
----
select a from t where a not like all ('x%')
----
copy (select 1) to 'x.csv' (header, delimiter ',')
----
describe select 1
----
select * from t order by all
----
select count(*) from t having count(*) > 1
----
select * from t1 join t2 on true
----
select x from t where x similar to 'a'
----
select 1 as x union select 2 except select 3 intersect select 4
----
select * from t where d >= current_date - interval 7 days
----
select date_diff('day', a, b), datediff('day', a, b) from t
----
select regexp_replace(a, 'x', 'y', 'g') from t
----
select a from t where a in ('x', 'y') and b not in (1, 2)
----
select cast(a as timestamp with time zone) from t
----
select a::timestamptz at time zone 'UTC' from t
----
select typeof(a), hash(a), md5(a) from t
----
create or replace table t as select * from read_parquet(['a.parquet', 'b.parquet'], union_by_name = true)
----
select * from read_csv('x.csv', columns = {'a': 'INT'})
----
select array_agg(x) filter (x is not null) from t
----
select min(a) over w, max(a) over (w rows 1 preceding) from t window w as (order by b)
----
select * from t limit 10 offset 10
----
select nullif(a, ''), coalesce(b, 0), greatest(a, b), least(a, b) from t
----
select a from t where b is not null and c is true
----
select struct_insert({'a': 1}, b := 2)
----
select l[-1], l[2:], l[:3] from t
----
select {'a': [1, 2], 'b': {'c': 3}} as nested
----
select 1 as a, -- trailing comment
 2 as b
----
select a from "db"."schema"."t"
----
begin transaction;
commit;
----
select a as "A", a "B", a c from t
----
select unnest(l, recursive := true) from t
----
select * from t where list_contains(l, 1)
----
select a from t group by cube (a, b)
----
select a from t group by grouping sets ((a), ())
----
select percentile_cont(0.5) within group (order by a) from t
----
select mode() within group (order by a) from t
----
select first(a order by b desc) from t
----
select epoch(ts), make_date(2020, 1, 1), to_timestamp(1) from t
----
select * exclude ("a b") from t
----
select sum(a)::bigint from t
----
select a from t where a = 'x' collate nocase
----
create or replace sequence s start 1
----
select nextval('s')
----
select 1 from t where a = any ([1, 2])
----
select -1 * a, +a, ~a from t
----
select a << 1, a >> 1, a & 1, a | 1, xor(a, 1) from t
----
select a from t order by a nulls first
----
with t as not materialized (select 1) select * from t
----
update t set a = default
----
create or replace table t (id integer, primary key (id))
----
select * from t, lateral (select t.a + 1)
----
select 1::decimal(38, 10)
----
select interval '1 day 2 hours', to_days(1)
----
select *exclude(a) from t
----
select 'x' as "y"
----
select a::struct(x int, y varchar) from t
----
select a::map(varchar, int) from t
----
select a::int[3] from t
----
create or replace view v as from t
----
;;
----
select 1;;
----

----
-- only a comment
----
create or replace temp table t as select 1
----
create or replace temporary view v as select 1
----
select $tag$x$tag$
----
checkpoint
----
vacuum
----
export database 'x'
----
import database 'x'
----
detach x
----
use x
----
reset threads
----
call f()
----
prepare p as select 1
----
execute p
----
set variable x = 1
----
create or replace secret s (type s3)
----
force install httpfs
----
install spatial from community
----
create or replace temp macro m(a) as a
----
create macro m() as table select 1
----
unpivot t on a, b into name k value v
----
with x as (pivot t on y using sum(z)) select * from x
----
select * from (pivot t on y using sum(z))
----
create sequence s
----
create table t (a int default nextval('s'))
----
select a from t where a glob '*'
----
select a from t where a ~~ 'x'
----
select 2 ** 3
----
select 2 ^ 3
----
select a from t qualify row_number() over () = 1 order by a
----
insert into t by position select 1
----
insert or ignore into t by name select 1
----
select list_transform(l, x -> x.a) from t
----
select [1,2,3][2]
----
select * from t where a = 'x' and -- c
 b = 1
----
select md5(cast(coalesce(cast(a as TEXT), '_null_') || '-' || coalesce(cast(b as TEXT), '_null_') as TEXT)) as sk from t
----
select * from t where ts > (select max(ts) from "db"."main"."t")
----
select try(a), x::DOUBLE, l.list_transform(x -> x * 2), 'abc'.upper(), x::VARCHAR.length() from t
----
select s.* from t
----
select count(distinct (a, b)) from t
----
select date '2020-01-01' + interval (n) day from t
----
select * from t where a ilike any (['a%', 'b%'])
----
select a from t union all select b from u order by 1
----
values (1), (2)
----
select sum(a) over (order by b rows between 1 preceding and 1 following exclude current row) from t
----
select * from t natural join u
----
select 1 as x, x + 1 as y
----
create table "db"."main"."t__dbt_tmp" as (select 1 as a)
----
select #1 from t
----
select * from t order by a limit 1
----
select try_strptime(a, '%Y') from t
----
select x from t where x = any(l)
----
select * from read_json_auto('s3://x/*.json')
----
select a from t where a::date between '2020-01-01' and current_date
----
select a, count(*) from t group by all having count(*) > 1 order by all desc
----
select count_star() from t
----
select list_aggregate(l, 'sum'), list_sort(l), array_length(l) from t
----
select a from t where a not in (select b from u where b is not null)
----
select generate_series(date '2020-01-01', date '2020-12-31', interval 1 month) as d
----
select d::date from generate_series(timestamp '2020-01-01', timestamp '2020-12-31', interval '1 day') as t(d)
----
select *, row_number() over () from t
----
select a.*, b.* exclude (id) from a join b using (id)
----
select 'x' similar to 'y', regexp_full_match('a', 'a')
----
select * from t where exists (from u where u.id = t.id)
----
select printf('%d', 1), format('{}', 1)
----
select make_timestamp(2020, 1, 1, 0, 0, 0), age(ts), date_add(d, interval 1 day) from t
----
select struct_pack(a := 1).a
----
select map_from_entries([('a', 1)])
----
select (1, 2) as r
----
select row(1, 2)
----
select [a, b][1] from t
----
select a from t order by random() limit 1
----
select * from t using sample 10 rows
