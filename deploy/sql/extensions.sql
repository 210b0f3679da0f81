-- Extensions Vitae needs, created by a superuser in the application database before the first
-- migration (pgvector is not a trusted extension, so its owner role cannot create it).
--   vector              embeddings and the IVFFlat / HNSW indexes
--   pg_stat_statements  the slowest statements, for `vitae stats`
--   pg_trgm, unaccent   typo tolerance and accent folding in keyword search
--   btree_gin           one index over a tenant's words and their trigrams (typo look-ups)
create extension if not exists vector;
create extension if not exists pg_stat_statements;

-- Row-level security keeps a filter that is not LEAKPROOF from running before the tenant policy,
-- and so from serving as an index condition: without these, every full-text match (`@@`) and
-- every skill or tag filter (`@>`, `&&`) reads all of the tenant's documents instead of the GIN
-- index (measured: a seq scan of every document per query). These functions only compare their
-- arguments and reveal nothing through errors, which is what LEAKPROOF promises. Needs a
-- superuser, once per database (template1 passes it on to databases created later).
alter function pg_catalog.ts_match_vq(tsvector, tsquery) leakproof;
alter function pg_catalog.arraycontains(anyarray, anyarray) leakproof;
alter function pg_catalog.arrayoverlap(anyarray, anyarray) leakproof;

-- Typo tolerance and accent folding (trusted extensions: migration 0006 creates them too when the
-- owner may). Trigram similarity is LEAKPROOF for the same reason as above: without it the
-- vocabulary's trigram index cannot serve a tenant's typo lookup under row-level security.
create extension if not exists pg_trgm;
create extension if not exists unaccent;
create extension if not exists btree_gin;
alter function similarity_op(text, text) leakproof;
