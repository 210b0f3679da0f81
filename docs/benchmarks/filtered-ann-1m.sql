-- What a filtered search through the HNSW index costs at a million profiles, by window, ef_search
-- and storage (vector or halfvec), in raw SQL: the figures in filtered-ann-1m.txt.
--
-- Run against the bench's set (`vitae-bench search --profiles 1000000 --reuse` loads it) as the
-- superuser: `scripts/dev-db psql -d vitae_bench_search_real_1000000 -f docs/benchmarks/filtered-ann-1m.sql`.
-- Before, fill public.exp_queries (id serial, q vector(384)) with the 30 query texts of
-- apps/bench/src/search.rs as the service embeds them: they were copied from the statements'
-- parameters logged by auto_explain while the service answered them (stored vectors as queries
-- sit on the graph and make the index look far better than real texts do).
-- The halfvec rows need the experiment's index:
--   create index exp_halfvec_hnsw on vitae.document_embeddings
--     using hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) with (m = 16, ef_construction = 128);
-- Drop it and the public.exp_* objects afterwards: the service does not use them.

-- Exact top 10 by id per query and tag (ties not counted: recall here is only for comparing rows).
create table if not exists public.exp_exact as
select q.id, t.tag,
       (select array_agg(document_id) from (
          select document_id from vitae.document_embeddings d
          where d.tenant_id = (select id from vitae.tenants where name = 'bench') and d.is_default and d.tags @> array[t.tag]
          order by 1 + (d.embedding <#> q.q), document_id limit 10) s) ids
from public.exp_queries q, (values ('sel10'), ('sel1')) t(tag);
grant select on public.exp_queries, public.exp_exact to vitae_app;

-- p50 and mean ms over the 30 queries of the filtered index scan the service runs (iterative
-- scan, relaxed order), and top-10 recall by id against exact.
create or replace function public.exp_ann(ef int, tag text, half bool, win int default 200)
returns table (p50 float8, mean float8, recall float8) language plpgsql as $$
declare
  r record; t0 timestamptz; ms float8[] := '{}'; hits int := 0; total int := 0; ids uuid[];
begin
  perform set_config('hnsw.ef_search', ef::text, true);
  perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
  -- The index path, as the service's generic plan takes it.
  perform set_config('enable_bitmapscan', 'off', true);
  perform set_config('enable_seqscan', 'off', true);
  for r in select * from public.exp_queries order by id loop
    t0 := clock_timestamp();
    if half then
      execute 'select array_agg(document_id) from (select document_id from vitae.document_embeddings d where d.is_default and d.tags @> array[$2] order by d.embedding::halfvec(384) <=> $1::halfvec(384) limit $3) s' into ids using r.q, tag, win;
    else
      execute 'select array_agg(document_id) from (select document_id from vitae.document_embeddings d where d.is_default and d.tags @> array[$2] order by d.embedding <=> $1 limit $3) s' into ids using r.q, tag, win;
    end if;
    ms := ms || extract(epoch from clock_timestamp() - t0) * 1000;
    select count(*) into hits from (select unnest(ids[1:10]) intersect select unnest(e.ids) from public.exp_exact e where e.id = r.id and e.tag = exp_ann.tag) x;
    total := total + hits;
  end loop;
  return query select percentile_cont(0.5) within group (order by m), avg(m), total::float8 / (10 * (select count(*) from public.exp_queries)) from unnest(ms) m;
end $$;

-- The same without a filter (p50, mean).
create or replace function public.exp_plain(ef int, half bool, win int default 200)
returns table (p50 float8, mean float8) language plpgsql as $$
declare
  r record; t0 timestamptz; ms float8[] := '{}'; ids uuid[];
begin
  perform set_config('hnsw.ef_search', ef::text, true);
  perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
  perform set_config('enable_bitmapscan', 'off', true);
  perform set_config('enable_seqscan', 'off', true);
  for r in select * from public.exp_queries order by id loop
    t0 := clock_timestamp();
    if half then
      execute 'select array_agg(document_id) from (select document_id from vitae.document_embeddings d where d.is_default order by d.embedding::halfvec(384) <=> $1::halfvec(384) limit $2) s' into ids using r.q, win;
    else
      execute 'select array_agg(document_id) from (select document_id from vitae.document_embeddings d where d.is_default order by d.embedding <=> $1 limit $2) s' into ids using r.q, win;
    end if;
    ms := ms || extract(epoch from clock_timestamp() - t0) * 1000;
  end loop;
  return query select percentile_cont(0.5) within group (order by m), avg(m) from unnest(ms) m;
end $$;

select pg_size_pretty(pg_relation_size('vitae.exp_halfvec_hnsw')) as halfvec_index;
select pg_prewarm('vitae.exp_halfvec_hnsw');
begin;
set local role vitae_app;
select set_config('app.tenant_id', (select id::text from vitae.tenants where name = 'bench'), true);
-- Once untimed, then each variant (run the file twice to see the spread).
select 'warm' k, * from public.exp_ann(600, 'sel10', false);
select 'warm' k, * from public.exp_ann(600, 'sel10', true);
select 'vector ef600 w200' k, * from public.exp_ann(600, 'sel10', false);
select 'halfvec ef600 w200' k, * from public.exp_ann(600, 'sel10', true);
select 'vector ef1000 w200' k, * from public.exp_ann(1000, 'sel10', false);
select 'vector ef200 w200' k, * from public.exp_ann(200, 'sel10', false);
select 'halfvec ef200 w200' k, * from public.exp_ann(200, 'sel10', true);
select 'vector ef100 w200' k, * from public.exp_ann(100, 'sel10', false);
select 'halfvec ef100 w200' k, * from public.exp_ann(100, 'sel10', true);
select 'vector ef600 w100' k, * from public.exp_ann(600, 'sel10', false, 100);
select 'halfvec ef600 w100' k, * from public.exp_ann(600, 'sel10', true, 100);
select 'vector ef600 w50' k, * from public.exp_ann(600, 'sel10', false, 50);
select 'vector ef600 w10' k, * from public.exp_ann(600, 'sel10', false, 10);
select 'unfiltered vector ef600 w200' k, * from public.exp_plain(600, false);
select 'unfiltered halfvec ef600 w200' k, * from public.exp_plain(600, true);
commit;
