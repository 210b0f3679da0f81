-- The passages' own vector index, built and dropped with the documents' (HNSW builds): a
-- search then also finds documents through their nearest passages (a role, the skills), where
-- before it only re-scored the documents nearest by their own vectors. Null: no passage index
-- (an index built before this migration, IVFFlat, or passages switched off), and searches
-- re-score the window alone, as before.
alter table vitae.ann_index_state add column if not exists passage_index_name text;
