-- SQLite allocation workload recorded with the LD_PRELOAD recorder (workloads/suite/record-all).
create table t(a integer, b text);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 20000)
insert into t select x, hex(randomblob(20)) from c;
create index i on t(b);
create table u as select a % 97 as k, count(*) as n, group_concat(substr(b, 1, 4)) as g from t group by a % 97;
update t set b = b || 'x' where a % 3 = 0;
delete from t where a % 5 = 0;
select count(*), sum(length(b)) from t;
select k, n, length(g) from u order by n desc limit 5;
vacuum;
