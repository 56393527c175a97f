-- Valid BigQuery SQL, one statement (or script) per block, blocks separated by ----. None may be reported as a syntax error by src/sql/check.rs.
select * from `project.dataset.table`
----
select * from `project`.`dataset`.`table`
----
select * from `my-project.dataset.table` t
----
select * from project.dataset.table
----
select * except(a) replace(b as c) from t
----
select * except (a, b) from t
----
select * replace (b + 1 as b) from t
----
select a, row_number() over (partition by b order by c) as rn from t qualify rn = 1
----
select a from t where true qualify row_number() over (partition by b order by c) = 1
----
select safe_cast(a as int64), safe.parse_date('%Y', b) from t
----
select cast(null as struct<a int64, b string>)
----
select struct(1 as a, 'x' as b), struct<a int64>(1)
----
select cast([] as array<string>)
----
select array<string>['a', 'b']
----
select x from unnest([1, 2, 3]) as x
----
select t.a, x from t, unnest(t.items) as x with offset as pos
----
select * from t cross join unnest(t.arr) as x
----
select date_trunc(d, month), date_trunc(d, week(monday)) from t
----
select timestamp_sub(x, interval 1 day), date_add(d, interval 3 month) from t
----
select timestamp_trunc(ts, hour), extract(dayofweek from ts) from t
----
merge into t using s on t.id = s.id when matched then update set a = s.a when not matched then insert (id, a) values (s.id, s.a) when not matched by source then delete
----
merge t using s on t.id = s.id when not matched by target then insert row when not matched by source and t.a > 1 then update set a = 0
----
create or replace table `p.d.t` partition by date(ts) cluster by a options(description = 'x') as select 1 as a, current_timestamp() as ts
----
create or replace table d.t (a int64, ts timestamp) partition by date(ts) cluster by a, b options(partition_expiration_days = 3, require_partition_filter = true)
----
create table if not exists d.t partition by date_trunc(d, month) as select 1
----
create or replace view d.v options(description = "x") as select 1
----
select json_col.a.b, json_col['x'] from t
----
select json_value(j, '$.a'), lax_int64(j.a), int64(j.b), string(j.c) from t
----
select "double quoted string", 'single' from t
----
select r"raw\d", b"bytes", '''triple''', """triple""" from t
----
declare x int64 default 1;
set x = 2;
select x
----
declare a, b string;
----
set (a, b) = (select as struct 1, 'x')
----
execute immediate 'select 1'
----
execute immediate 'select ?' using 1
----
execute immediate concat('select ', '1') into x
----
begin
  select 1;
end
----
select array_agg(a ignore nulls order by b limit 10) from t
----
select string_agg(a, ',') from t
----
select approx_count_distinct(a), countif(a > 1), logical_and(b) from t
----
select * from t for system_time as of timestamp_sub(current_timestamp(), interval 1 hour)
----
select * from `p.d.events_*` where _table_suffix between '20200101' and '20200131'
----
select as struct 1 as a
----
select as value struct(1 as a)
----
select a from t tablesample system (10 percent)
----
select generate_date_array('2020-01-01', '2020-02-01', interval 1 day)
----
select format_date('%Y', d), parse_timestamp('%Y', s) from t
----
select ifnull(a, 0), if(a > 1, 'x', 'y'), nullif(a, 0) from t
----
select date '2020-01-01', timestamp '2020-01-01 00:00:00', datetime '2020-01-01'
----
select interval 1 day, interval '1' hour
----
select * from t where a in unnest(@arr)
----
select @param, @@project_id
----
select offset(0), arr[offset(1)], arr[safe_offset(2)], arr[ordinal(1)] from t
----
select struct_col.*, t.* except (a) from t
----
with x as (select 1 as a) select * from x
----
select a from t window w as (partition by b order by c)
----
select any_value(a having max b) from t
----
select range_bucket(a, [0, 10, 20]) from t
----
insert into d.t (a, b) select a, b from s
----
insert d.t (a) values (1)
----
delete from d.t where true
----
delete d.t where a = 1
----
update d.t set a = 1 where true
----
truncate table d.t
----
create temp function f(x int64) returns int64 as (x + 1)
----
create or replace function d.f(x int64) as (x + 1)
----
create temp table t as select 1
----
select * from t pivot (sum(a) for b in ('x', 'y'))
----
select * from t unpivot (v for k in (a, b))
----
select a from t group by rollup(a)
----
select a from t order by a desc nulls last limit 10 offset 5
----
select cast(a as numeric), cast(b as bignumeric), cast(c as bytes) from t
----
select a is not distinct from b from t
----
select `select` from t
----
select x from t where regexp_contains(a, r'^x')
----
select percentile_cont(a, 0.5) over () from t
----
select 1;
----
select * from t left join u using (id) full outer join v on true
----
select * from ml.predict(model `p.d.m`, table t)
----
alter table d.t add column if not exists c string
----
drop table if exists d.t
----
select array(select 1), exists(select 1)
----
select * from d.t$20200101
----
select current_date('UTC'), current_datetime()
----
assert (select count(*) from t) > 0 as 'must have rows'
----
select st_geogpoint(1, 2)
----
select cast(x as string format 'YYYY')
----
select collate(a, 'und:ci') from t
----
select a from t limit 10
----
create or replace table d.t copy d.s
----
create schema if not exists d
----
select json '{"a": 1}', numeric '1.2', bignumeric '1'
----
select x from t, t.arr x
----
select (select as struct 1 a).a
----
select [1, 2][offset(0)]
----
select count(distinct a) from t
----
select date_diff(a, b, day), datetime_diff(a, b, week(sunday)) from t
----
select last_day(d, month) from t
----
select * from t tablesample system (1 percent)
----
call d.proc(1)
----
if true then select 1; end if
----
select 1 -- comment
# hash comment
----
select a.b.c.d from t as a
----
select * from my-project.dataset.table
----
select 1 union distinct select 2 except distinct select 3 intersect distinct select 4
----
select format('%s', a), array_length(arr), safe_divide(a, b) from t
----
select row_number() over w from t window w as (partition by a)
----
create materialized view d.v as select 1
----
select x.y[safe_offset(0)].z from t
----
select a from t where a like any ('a%', 'b%')
----
begin transaction;
commit transaction;
----
create or replace table d.t partition by range_bucket(x, generate_array(0, 100, 10)) as select 1 as x
----
select date(ts, 'UTC'), timestamp(ts), datetime(ts) from t
----
select 1 as `a b`
----
loop
  leave;
end loop
----
while x < 10 do
  set x = x + 1;
end while
----
begin
  select 1;
exception when error then
  select @@error.message;
end
----
raise using message = 'boom'
----
for r in (select 1 as x) do
  select r.x;
end for
----
create or replace procedure d.p(x int64) begin select x; end
----
export data options(uri = 'gs://b/*.csv', format = 'CSV') as select 1
----
create or replace table d.t like d.s
----
select * from unnest(generate_array(1, 3)) as x with offset
----
select json_query(j, '$.a'), json_extract_scalar(j, '$.b') from t
----
select x.* except (a) from (select 1 as a, 2 as b) x
----
select a from t group by 1 having count(*) > 1
----
select sum(x) over (order by d range between 1 preceding and current row) from t
----
select * from t where a = b'x'
----
select array_concat_agg(x) from t
----
select * from t where struct(a, b) in (select as struct 1, 2)
----
select * from `p.d.t` as t where t._partitiondate = '2020-01-01'
----
create external table d.e options(format = 'CSV', uris = ['gs://x'])
----
select * from external_query('conn', 'select 1')
----
select a from t limit 1 offset 1
----
select ts at time zone 'UTC' from t
----
select timestamp_diff(a, b, second), time_add(t, interval 1 minute) from t
----
select cast(a as timestamp), parse_json('{}'), to_json_string(s) from t
----
select struct(a, b).a from t
----
select generate_uuid(), farm_fingerprint(a), to_hex(md5(a)) from t
----
select array(select as struct a, b from t)
----
select * from t join u on t.a = u.a and t.b = u.b
----
select * from `p`.d.t
----
select coalesce(a.b, c.d).e from t
----
select x from t where x between date_sub(current_date(), interval 7 day) and current_date()
----
select case a when 1 then 'x' else 'y' end from t
----
create or replace table d.t as with x as (select 1 as a) select * from x
----
insert into d.t with x as (select 1 as a) select * from x
----
select 1 as x from t order by x limit 1
----
select * from d.t for system_time as of '2020-01-01'
----
select string_agg(distinct a, ',' order by a) from t
----
select * from t where a is not null qualify rank() over (order by b) = 1
----
select ml.feature_cross(struct(a, b)) from t
----
select -a, ~b, a << 1, a | b, a ^ b from t
----
select 'a' || 'b', concat('a', 'b') from t
----
select timestamp_millis(1), unix_seconds(ts) from t
----
select regexp_extract_all(a, r'\d+') from t
----
select * from t where date(_partitiontime) = '2020-01-01'
----
declare d date default current_date();
create temp table x as select d as dd;
select * from x
----
set @@dataset_id = 'd'
----
return
----
select array_agg(struct(a, b)) from t
----
select json_col.a[0].b from t
----
select j['a']['b'], j.a.b.c from t
----
select cast(j.a as int64), safe.int64(j.a) from t
----
select (select max(a) from unnest(arr) a) from t
----
select a, b, from t
----
create or replace temp table t as select 1
----
create or replace temp function f(x int64) as (x)
----
create or replace table function d.f(x int64) as select x
----
create or replace aggregate function d.f(x int64) as (sum(x))
----
create or replace materialized view d.v as select 1
----
create or replace external table d.e options(format = 'CSV', uris = ['gs://x'])
----
create snapshot table d.s clone d.t
----
create or replace table d.t clone d.s
----
create or replace row access policy p on d.t grant to ('user:a@b.c') filter using (true)
----
create search index i on d.t(all columns)
----
create or replace model d.m options(model_type = 'linear_reg') as select 1 as label
----
repeat
  set x = x + 1;
  until x > 3
end repeat
----
begin
  declare x int64;
  loop
    leave;
  end loop;
end
----
select * from d.t$__UNPARTITIONED__
----
select * from ml.evaluate(model d.m)
----
select * from vector_search(table d.t, 'emb', (select 1))
----
select a ^ b, a & b from t
----
select a << 1 from t
----
select timestamp '2020-01-01 00:00:00 UTC'
----
select @@error.message
----
if x then select 1; elseif y then select 2; else select 3; end if
----
case when x then select 1; else select 2; end case
----
break
----
continue
----
iterate
----
leave
----
begin transaction
----
rollback transaction
----
call d.p()
----
select * from t, unnest(['a', 'b']) as x
----
select a from t where a = 1 and b = """x"""
----
load data into d.t from files(format = 'CSV', uris = ['gs://x'])
----
grant `roles/bigquery.dataViewer` on schema d to 'user:a@b.c'
----
alter table d.t set options(description = 'x')
----
alter schema d set options(description = 'x')
----
create or replace schema d options(location = 'us')
----
drop view if exists d.v
----
drop schema if exists d cascade
----
select * from `p.d.INFORMATION_SCHEMA.COLUMNS`
----
select * from p.d.INFORMATION_SCHEMA.COLUMNS
----
select * from `region-us`.INFORMATION_SCHEMA.JOBS
----
select * from region-us.INFORMATION_SCHEMA.JOBS
----
select struct<a array<struct<b int64>>>([struct(1)])
----
select cast(a as array<struct<x string>>) from t
----
select a from t tablesample system (10 percent) where true
----
select array(select x from unnest(arr) x order by x)
----
select if(a, struct(1 as x), null).x from t
----
select array_agg(struct(a, b) order by c limit 1)[offset(0)].* from t group by id
----
select as value array_agg(t order by ts desc limit 1)[offset(0)] from t group by id
----
select datetime_add(cast(x as datetime), interval 1 day) from t
----
select * from t where x in unnest([1, 2])
----
select date_trunc(x, isoweek), extract(isoyear from x), timestamp_trunc(ts, week(monday)) from t
----
select format_timestamp('%Y', ts), parse_date('%Y%m%d', _table_suffix) from t
----
select * from t left join unnest(arr) as a on true
----
select if(cond, error('x'), null), safe.divide(a, b), net.host(u) from t
----
select current_timestamp, current_date from t
----
select interval '1:2' hour to minute
----
select range<date> '[2020-01-01, 2020-12-31)'
----
select array_agg(x ignore nulls), string_agg(x, ',' order by y) from t
----
select * from t where ts between timestamp('2020-01-01') and timestamp('2020-02-01')
----
select a is true, b is not false from t
----
select * from t, unnest(x) as y with offset off
----
select t.* from t
----
select s.* except (x) from s
----
select json_extract_array(j, '$.a') from t
----
select a from t where date(ts) = current_date() - 1
----
select * from t tablesample system (10 percent)
----
select countif(a), approx_quantiles(b, 100)[offset(50)] from t
----
select struct(a as x, b as y) as s from t
----
select array(select as struct a, b from unnest(arr))
----
select * from `p`.`d`.`t` as t
----
select cast(a as int64) as a from `p-1.d.t`
----
select * from p-1.d.t
----
select timestamp_seconds(cast(a as int64)) from t
----
select row_number() over (partition by a order by b desc) = 1 as is_latest from t
----
select * from t qualify row_number() over (partition by a order by b desc) = 1
----
select * from (select 1 as a) as x
----
select * from t where regexp_contains(a, r'[0-9]+') and a like '%x%'
----
select split(a, ',')[safe_offset(0)] as first from t
----
select (select count(*) from unnest(arr)) as n from t
----
select date_diff(current_date(), d, day) as days from t
----
select a from t where b = @b
----
select ARRAY<STRUCT<a INT64, b STRING>>[(1, 'x'), (2, 'y')]
----
select * from unnest(array<struct<a int64>>[(1)])
----
select hll_count.merge(h) from t
----
select keys.new_keyset('AEAD_AES_GCM_256')
----
select `p.d.f`(1)
----
select d.f(1)
----
create temp function f(x string) returns string language js as r"""return x;"""
----
select * from t where _partitiontime >= timestamp_sub(current_timestamp(), interval 3 day)
