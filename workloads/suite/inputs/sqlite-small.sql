-- Small SQLite workload recorded under Lackey (workloads/suite/record-all).
create table t(id integer primary key, name text, score real);
with recursive c(x) as (select 1 union all select x + 1 from c where x < 300)
insert into t(name, score) select 'item' || x, (x * 7919) % 1000 / 10.0 from c;
create index t_score on t(score);
select count(*), round(avg(score), 3), max(name) from t where score > 50;
select name from t order by score desc, id limit 3;
