-- Typo look-ups search one tenant's vocabulary, not every tenant's. The trigram index of 0006
-- covered the words of all tenants, and the tenant was filtered after the trigram match: a small
-- tenant sharing a database with a large one paid for the large one's words (measured at one
-- million profiles: 42 ms for four mistyped words of a 1,000-profile tenant, 4 ms with this
-- index). `btree_gin` lets one GIN index hold the tenant beside the trigrams (a trusted contrib
-- extension, like pg_trgm: `deploy/sql/extensions.sql` creates it where the owner may not).
create extension if not exists btree_gin;
create index if not exists keyword_terms_tenant_trgm_idx
  on vitae.keyword_terms using gin (tenant_id, term gin_trgm_ops);
drop index if exists vitae.keyword_terms_trgm_idx;

-- Folding rewrites only the words that have more than one row. The fold of 0006 deleted and
-- re-inserted every row of every tenant: 54 s at a million profiles, on each service start
-- (the service folds once the rows have doubled since its last fold, and a new process has not
-- folded yet), though bulk writes had left one row per word already.
create or replace function vitae.compact_keyword_stats() returns void
language plpgsql as $$
begin
  create temporary table if not exists keyword_terms_folded (tenant_id uuid, term text, documents bigint) on commit drop;
  with repeated as (
    select tenant_id, term from vitae.keyword_terms group by 1, 2 having count(*) > 1
  ), gone as (
    delete from vitae.keyword_terms k using repeated r
    where k.tenant_id = r.tenant_id and k.term = r.term
    returning k.tenant_id, k.term, k.documents
  )
  insert into keyword_terms_folded select tenant_id, term, sum(documents) from gone group by 1, 2 having sum(documents) <> 0;
  insert into vitae.keyword_terms select * from keyword_terms_folded;
  drop table keyword_terms_folded;
  with gone as (delete from vitae.keyword_collections returning tenant_id, documents, words)
  insert into vitae.keyword_collections select tenant_id, sum(documents), sum(words) from gone group by 1
    having sum(documents) <> 0 or sum(words) <> 0;
end
$$;
