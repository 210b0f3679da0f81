-- The filters beside the vectors. The semantic leg filtered each vector it visited through a
-- join to its document: at a million profiles, 10,000 rows of a 1% tag cost 10,000 index
-- look-ups of the vectors (130 ms), and the vector index's iterative scan joined every row it
-- visited. With the document's filter columns copied onto its embedding, the leg reads one
-- table: the exact path through these columns' own indexes, the index path without a join.
-- Triggers keep the copies equal to the document in the same transaction, whoever writes.
alter table vitae.document_embeddings
  add column if not exists profile_id uuid,
  add column if not exists mask_slug text,
  add column if not exists skills text[] not null default '{}',
  add column if not exists tags text[] not null default '{}',
  add column if not exists country text,
  add column if not exists availability text,
  add column if not exists years_experience real,
  add column if not exists experience_ongoing boolean not null default false,
  add column if not exists years_counted_on date,
  add column if not exists profile_updated_at timestamptz;

-- A new embedding takes its document's filters.
create or replace function vitae.document_embeddings_copy_filters() returns trigger
language plpgsql as $$
begin
  select d.profile_id, d.mask_slug, d.is_default, d.skills, d.tags, d.country, d.availability,
         d.years_experience, d.experience_ongoing, d.years_counted_on, d.profile_updated_at
    into new.profile_id, new.mask_slug, new.is_default, new.skills, new.tags, new.country, new.availability,
         new.years_experience, new.experience_ongoing, new.years_counted_on, new.profile_updated_at
    from vitae.search_documents d
   where d.tenant_id = new.tenant_id and d.id = new.document_id;
  return new;
end
$$;
drop trigger if exists document_embeddings_copy_filters on vitae.document_embeddings;
create trigger document_embeddings_copy_filters before insert on vitae.document_embeddings
  for each row execute function vitae.document_embeddings_copy_filters();

-- An embedding's `updated_at` says when its vector was written (an edit that keeps the embedded
-- text keeps the vector, and its time): copying filters does not touch it.
create or replace trigger document_embeddings_touch_updated_at
  before update of model_id, embedding on vitae.document_embeddings
  for each row execute function vitae.touch_updated_at();

-- A document whose filters change passes them on to its embedding.
create or replace function vitae.search_documents_copy_filters() returns trigger
language plpgsql as $$
begin
  update vitae.document_embeddings e
     set mask_slug = new.mask_slug, is_default = new.is_default, skills = new.skills, tags = new.tags,
         country = new.country, availability = new.availability, years_experience = new.years_experience,
         experience_ongoing = new.experience_ongoing, years_counted_on = new.years_counted_on,
         profile_updated_at = new.profile_updated_at
   where e.tenant_id = new.tenant_id and e.document_id = new.id;
  return null;
end
$$;
drop trigger if exists search_documents_copy_filters on vitae.search_documents;
create trigger search_documents_copy_filters after update on vitae.search_documents
  for each row when (
    (old.mask_slug, old.is_default, old.skills, old.tags, old.country, old.availability, old.years_experience,
     old.experience_ongoing, old.years_counted_on, old.profile_updated_at)
    is distinct from
    (new.mask_slug, new.is_default, new.skills, new.tags, new.country, new.availability, new.years_experience,
     new.experience_ongoing, new.years_counted_on, new.profile_updated_at))
  execute function vitae.search_documents_copy_filters();

-- The embeddings written before (row security lifted for the owner, inside this transaction).
-- Every row grows, so each update would also insert into the vector index: at a million rows
-- that ran for over 24 minutes. The vector index is dropped first; the service's upkeep builds
-- it again (or `vitae reindex`), and until then the semantic leg ranks exactly.
do $$
declare
  i text;
begin
  for i in select indexname from pg_indexes
           where schemaname = 'vitae' and tablename = 'document_embeddings' and indexname like 'document\_embeddings\_ann\_%' loop
    execute format('drop index vitae.%I', i);
  end loop;
end
$$;
alter table vitae.document_embeddings no force row level security;
alter table vitae.search_documents no force row level security;
update vitae.document_embeddings e
   set profile_id = d.profile_id, mask_slug = d.mask_slug, is_default = d.is_default, skills = d.skills,
       tags = d.tags, country = d.country, availability = d.availability, years_experience = d.years_experience,
       experience_ongoing = d.experience_ongoing, years_counted_on = d.years_counted_on,
       profile_updated_at = d.profile_updated_at
  from vitae.search_documents d
 where d.tenant_id = e.tenant_id and d.id = e.document_id;
alter table vitae.document_embeddings force row level security;
alter table vitae.search_documents force row level security;
alter table vitae.document_embeddings
  alter column profile_id set not null,
  alter column mask_slug set not null,
  alter column availability set not null,
  alter column profile_updated_at set not null;

-- The same indexes as the documents' filters have (exact ranking of a selective filter).
create index if not exists document_embeddings_skills_idx on vitae.document_embeddings using gin (skills);
create index if not exists document_embeddings_tags_idx on vitae.document_embeddings using gin (tags);
create index if not exists document_embeddings_country_idx on vitae.document_embeddings (tenant_id, country);
create index if not exists document_embeddings_mask_slug_idx on vitae.document_embeddings (tenant_id, mask_slug);
create index if not exists document_embeddings_updated_idx on vitae.document_embeddings (tenant_id, profile_updated_at);
