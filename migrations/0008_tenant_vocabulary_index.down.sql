create index if not exists keyword_terms_trgm_idx on vitae.keyword_terms using gin (term gin_trgm_ops);
drop index if exists vitae.keyword_terms_tenant_trgm_idx;
