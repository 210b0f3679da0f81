create index if not exists keyword_terms_trgm_idx on vitae.keyword_terms using gin (term gin_trgm_ops);
drop index if exists vitae.keyword_terms_tenant_trgm_idx;

create or replace function vitae.compact_keyword_stats() returns void
language plpgsql as $$
begin
  create temporary table if not exists keyword_terms_folded (tenant_id uuid, term text, documents bigint) on commit drop;
  with gone as (delete from vitae.keyword_terms returning tenant_id, term, documents)
  insert into keyword_terms_folded select tenant_id, term, sum(documents) from gone group by 1, 2 having sum(documents) <> 0;
  insert into vitae.keyword_terms select * from keyword_terms_folded;
  drop table keyword_terms_folded;
  with gone as (delete from vitae.keyword_collections returning tenant_id, documents, words)
  insert into vitae.keyword_collections select tenant_id, sum(documents), sum(words) from gone group by 1
    having sum(documents) <> 0 or sum(words) <> 0;
end
$$;
