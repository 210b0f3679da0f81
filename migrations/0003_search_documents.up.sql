-- What search can see. For each profile and each of its masks, one search document holds the text
-- visible through that mask (nothing a mask hides is ever copied here), its weighted tsvector, and
-- the visible facets that filters and facet counts read. Its embedding lives in a narrow table of
-- its own: vector scans read a compact heap of PLAIN-stored vectors, while full-text queries read
-- text without dragging 1.5 kB vectors through their pages.

create table if not exists vitae.search_documents (
  tenant_id uuid not null,
  id uuid not null,
  profile_id uuid not null,
  mask_id uuid not null,
  mask_slug text not null,
  is_default boolean not null,
  -- Visible text by full-text weight: A name, headline and experience titles; B skills;
  -- C experience organisations, descriptions and locations; D summary.
  text_a text not null default '',
  text_b text not null default '',
  text_c text not null default '',
  text_d text not null default '',
  tsv tsvector generated always as (
    setweight(to_tsvector('english', text_a), 'A') ||
    setweight(to_tsvector('english', text_b), 'B') ||
    setweight(to_tsvector('english', text_c), 'C') ||
    setweight(to_tsvector('english', text_d), 'D')
  ) stored,
  -- Visible facets (lower-cased) for filters and facet counts.
  skills text[] not null default '{}',
  tags text[] not null default '{}',
  country text,
  availability text not null,
  years_experience real,
  profile_updated_at timestamptz not null,
  -- The visible display fields returned with a hit.
  card jsonb not null,
  -- SHA-256 of the text that was embedded: an edit that leaves it unchanged keeps the embedding.
  content_hash bytea not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint search_documents_mask_key unique (tenant_id, profile_id, mask_id),
  constraint search_documents_profile_fkey foreign key (tenant_id, profile_id)
    references vitae.profiles (tenant_id, id) on delete cascade,
  constraint search_documents_mask_fkey foreign key (tenant_id, mask_id)
    references vitae.masks (tenant_id, id) on delete cascade
);
create index if not exists search_documents_tsv_idx on vitae.search_documents using gin (tsv);
create index if not exists search_documents_skills_idx on vitae.search_documents using gin (skills);
create index if not exists search_documents_tags_idx on vitae.search_documents using gin (tags);
create index if not exists search_documents_profile_id_idx on vitae.search_documents (tenant_id, profile_id);
create or replace trigger search_documents_touch_updated_at before update on vitae.search_documents
  for each row execute function vitae.touch_updated_at();

create table if not exists vitae.document_embeddings (
  tenant_id uuid not null,
  document_id uuid not null,
  -- Copied from the document so the vector scan can keep to default masks without a join.
  is_default boolean not null,
  model_id text not null,
  embedding vector(384) not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, document_id),
  constraint document_embeddings_document_fkey foreign key (tenant_id, document_id)
    references vitae.search_documents (tenant_id, id) on delete cascade
);
-- Inline, uncompressed vectors: an exact scan reads them without TOAST lookups (about 3x faster).
alter table vitae.document_embeddings alter column embedding set storage plain;
create index if not exists document_embeddings_model_id_idx on vitae.document_embeddings (model_id);
create or replace trigger document_embeddings_touch_updated_at before update on vitae.document_embeddings
  for each row execute function vitae.touch_updated_at();

do $$
declare
  t text;
begin
  foreach t in array array['search_documents', 'document_embeddings'] loop
    execute format('alter table vitae.%I enable row level security', t);
    execute format('alter table vitae.%I force row level security', t);
    execute format('drop policy if exists tenant_isolation on vitae.%I', t);
    execute format($p$create policy tenant_isolation on vitae.%I
      using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    execute format('grant select, insert, update, delete on vitae.%I to vitae_app', t);
  end loop;
end
$$;
