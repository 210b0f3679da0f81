drop trigger if exists search_documents_stats_insert on vitae.search_documents;
drop trigger if exists search_documents_stats_update on vitae.search_documents;
drop trigger if exists search_documents_stats_delete on vitae.search_documents;
drop function if exists vitae.keyword_stats_apply();
drop function if exists vitae.compact_keyword_stats();
drop table if exists vitae.keyword_terms;
drop table if exists vitae.keyword_collections;
alter table vitae.search_documents drop column if exists tsv;
alter table vitae.search_documents add column tsv tsvector generated always as (
    setweight(to_tsvector('english', text_a), 'A') ||
    setweight(to_tsvector('english', text_b), 'B') ||
    setweight(to_tsvector('english', text_c), 'C') ||
    setweight(to_tsvector('english', text_d), 'D')
  ) stored;
create index if not exists search_documents_tsv_idx on vitae.search_documents using gin (tsv);
drop text search configuration if exists vitae.english_unaccent;
