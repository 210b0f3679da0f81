-- Relevance: accent-insensitive full text, and per-tenant keyword statistics for BM25 ranking and
-- typo tolerance.
--
-- Text search configuration `vitae.english_unaccent`: English stemming after unaccent, so that
-- `Müller` and `Muller` are the same word, in documents and in queries alike.
create extension if not exists unaccent;
create extension if not exists pg_trgm;

do $$
begin
  if not exists (select 1 from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace
                 where n.nspname = 'vitae' and c.cfgname = 'english_unaccent') then
    create text search configuration vitae.english_unaccent (copy = pg_catalog.english);
    -- Only words with letters outside ASCII need unaccenting (`asciiword` stays as it was).
    execute format('alter text search configuration vitae.english_unaccent alter mapping for word, hword, hword_part with %s, english_stem',
      (select quote_ident(n.nspname) || '.unaccent' from pg_ts_dict d join pg_namespace n on n.oid = d.dictnamespace
       where d.dictname = 'unaccent' limit 1));
  end if;
end
$$;

-- The documents' tsvector, rebuilt with the new configuration (rewrites the table once).
alter table vitae.search_documents drop column if exists tsv;
alter table vitae.search_documents add column tsv tsvector generated always as (
    setweight(to_tsvector('vitae.english_unaccent'::regconfig, text_a), 'A') ||
    setweight(to_tsvector('vitae.english_unaccent'::regconfig, text_b), 'B') ||
    setweight(to_tsvector('vitae.english_unaccent'::regconfig, text_c), 'C') ||
    setweight(to_tsvector('vitae.english_unaccent'::regconfig, text_d), 'D')
  ) stored;
create index if not exists search_documents_tsv_idx on vitae.search_documents using gin (tsv);

-- Per-tenant statistics of the default (public) documents: how many documents hold each word,
-- and how many documents and words there are in all. One tenant's documents never change
-- another's scores. Statistics come only from what the default masks show, so a score never
-- depends on text a mask hides.
--
-- Both tables take signed deltas, appended by the statement that changes the documents (in its
-- transaction, so they are always current) and summed when read. Appending never waits on another
-- writer (no hot rows, no deadlocks); `vitae.compact_keyword_stats` folds a tenant's deltas into
-- one row per word now and then.
create table if not exists vitae.keyword_terms (
  tenant_id uuid not null,
  term text not null,
  documents bigint not null
);
create index if not exists keyword_terms_term_idx on vitae.keyword_terms (tenant_id, term);
-- Typo tolerance: a query word with no match is compared with the tenant's words by trigrams.
create index if not exists keyword_terms_trgm_idx on vitae.keyword_terms using gin (term gin_trgm_ops);

create table if not exists vitae.keyword_collections (
  tenant_id uuid not null,
  documents bigint not null,
  -- Sum of the documents' lengths (distinct words), for the average length BM25 needs.
  words bigint not null
);
create index if not exists keyword_collections_tenant_idx on vitae.keyword_collections (tenant_id);

do $$
declare
  t text;
begin
  foreach t in array array['keyword_terms', 'keyword_collections'] loop
    execute format('alter table vitae.%I enable row level security', t);
    execute format('alter table vitae.%I force row level security', t);
    execute format('drop policy if exists tenant_isolation on vitae.%I', t);
    execute format($p$create policy tenant_isolation on vitae.%I
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    -- The owner folds every tenant's deltas (compaction); the service sees only its tenant's
    -- and may only append.
    execute format('drop policy if exists owner_maintenance on vitae.%I', t);
    execute format('create policy owner_maintenance on vitae.%I for all to current_user using (true) with check (true)', t);
    execute format('grant select, insert on vitae.%I to vitae_app', t);
  end loop;
end
$$;

-- Statement-level: a bulk write appends one delta per word, not one per document.
create or replace function vitae.keyword_stats_apply() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into vitae.keyword_terms (tenant_id, term, documents)
      select n.tenant_id, u.lexeme, count(*) from changed_new n, unnest(n.tsv) u where n.is_default group by 1, 2;
    insert into vitae.keyword_collections (tenant_id, documents, words)
      select n.tenant_id, count(*), sum(length(n.tsv)) from changed_new n where n.is_default group by 1;
  elsif tg_op = 'DELETE' then
    insert into vitae.keyword_terms (tenant_id, term, documents)
      select o.tenant_id, u.lexeme, -count(*) from changed_old o, unnest(o.tsv) u where o.is_default group by 1, 2;
    insert into vitae.keyword_collections (tenant_id, documents, words)
      select o.tenant_id, -count(*), -sum(length(o.tsv)) from changed_old o where o.is_default group by 1;
  else
    insert into vitae.keyword_terms (tenant_id, term, documents)
      select tenant_id, lexeme, sum(delta) from (
        select n.tenant_id, u.lexeme, 1 as delta from changed_new n, unnest(n.tsv) u where n.is_default
        union all
        select o.tenant_id, u.lexeme, -1 from changed_old o, unnest(o.tsv) u where o.is_default
      ) d group by 1, 2 having sum(delta) <> 0;
    insert into vitae.keyword_collections (tenant_id, documents, words)
      select tenant_id, sum(docs), sum(words) from (
        select n.tenant_id, 1 as docs, length(n.tsv) as words from changed_new n where n.is_default
        union all
        select o.tenant_id, -1, -length(o.tsv) from changed_old o where o.is_default
      ) d group by 1 having sum(docs) <> 0 or sum(words) <> 0;
  end if;
  return null;
end
$$;

drop trigger if exists search_documents_stats_insert on vitae.search_documents;
drop trigger if exists search_documents_stats_update on vitae.search_documents;
drop trigger if exists search_documents_stats_delete on vitae.search_documents;
create trigger search_documents_stats_insert after insert on vitae.search_documents
  referencing new table as changed_new for each statement execute function vitae.keyword_stats_apply();
create trigger search_documents_stats_update after update on vitae.search_documents
  referencing old table as changed_old new table as changed_new for each statement execute function vitae.keyword_stats_apply();
create trigger search_documents_stats_delete after delete on vitae.search_documents
  referencing old table as changed_old for each statement execute function vitae.keyword_stats_apply();

-- Folds every tenant's deltas into one row per word (words no document holds any more go).
-- Run by the owner from the service's upkeep loop; concurrent writers keep appending meanwhile.
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

-- Statistics of the documents already written.
insert into vitae.keyword_terms (tenant_id, term, documents)
  select d.tenant_id, u.lexeme, count(*) from vitae.search_documents d, unnest(d.tsv) u where d.is_default group by 1, 2;
insert into vitae.keyword_collections (tenant_id, documents, words)
  select d.tenant_id, count(*), sum(length(d.tsv)) from vitae.search_documents d where d.is_default group by 1;
