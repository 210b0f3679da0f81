-- Extensions Vitae needs, created by a superuser in the application database before the first
-- migration (pgvector is not a trusted extension, so its owner role cannot create it).
--   vector              embeddings and the IVFFlat / HNSW indexes
--   pg_stat_statements  the slowest statements, for `vitae stats`
create extension if not exists vector;
create extension if not exists pg_stat_statements;
