-- Search upkeep: the approximate-nearest-neighbour index is shared by every tenant and built by
-- the owner role (CREATE INDEX needs ownership), so its state is recorded here, outside row-level
-- security: which kind, with which parameters, trained on how many rows.

create table if not exists vitae.ann_index_state (
  -- One row: the index that serves now.
  id boolean primary key default true constraint ann_index_state_single check (id),
  index_name text not null,
  kind text not null constraint ann_index_state_kind_check check (kind in ('ivfflat', 'hnsw')),
  -- ivfflat: number of lists; hnsw: m.
  lists integer not null,
  rows_at_build bigint not null,
  -- ivfflat.probes / hnsw.ef_search found to give recall@10 >= 0.95 on a sample at build time.
  probes integer not null,
  measured_recall real,
  build_ms bigint not null,
  built_at timestamptz not null default now()
);
grant select on vitae.ann_index_state to vitae_app;

-- A document's passages (headline, skills, each role, summary, ...) with vectors pooled from
-- the same model pass as the document's: the passage nearest to a query explains a semantic
-- match. Written with the document's embedding, removed with the document.
create table if not exists vitae.document_passages (
  tenant_id uuid not null,
  document_id uuid not null,
  ordinal smallint not null,
  passage text not null,
  embedding vector(384) not null,
  primary key (tenant_id, document_id, ordinal),
  constraint document_passages_document_fkey foreign key (tenant_id, document_id)
    references vitae.search_documents (tenant_id, id) on delete cascade
);
alter table vitae.document_passages alter column embedding set storage plain;
alter table vitae.document_passages enable row level security;
alter table vitae.document_passages force row level security;
drop policy if exists tenant_isolation on vitae.document_passages;
create policy tenant_isolation on vitae.document_passages
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
grant select, insert, update, delete on vitae.document_passages to vitae_app;

-- Filters that narrow search documents (skills and tags have GIN indexes already).
create index if not exists search_documents_country_idx on vitae.search_documents (tenant_id, country);
create index if not exists search_documents_mask_slug_idx on vitae.search_documents (tenant_id, mask_slug);
create index if not exists search_documents_updated_idx on vitae.search_documents (tenant_id, profile_updated_at);

-- Index upkeep (probe calibration) reads vectors across tenants as the owner, who could lift
-- row-level security anyway; the service role still sees only its request's tenant.
drop policy if exists owner_maintenance on vitae.document_embeddings;
create policy owner_maintenance on vitae.document_embeddings for select to current_user using (true);
