drop trigger if exists search_documents_copy_filters on vitae.search_documents;
drop function if exists vitae.search_documents_copy_filters();
drop trigger if exists document_embeddings_copy_filters on vitae.document_embeddings;
drop function if exists vitae.document_embeddings_copy_filters();
drop index if exists vitae.document_embeddings_skills_idx;
drop index if exists vitae.document_embeddings_tags_idx;
drop index if exists vitae.document_embeddings_country_idx;
drop index if exists vitae.document_embeddings_mask_slug_idx;
drop index if exists vitae.document_embeddings_updated_idx;
alter table vitae.document_embeddings
  drop column if exists profile_id,
  drop column if exists mask_slug,
  drop column if exists skills,
  drop column if exists tags,
  drop column if exists country,
  drop column if exists availability,
  drop column if exists years_experience,
  drop column if exists experience_ongoing,
  drop column if exists years_counted_on,
  drop column if exists profile_updated_at;
create or replace trigger document_embeddings_touch_updated_at before update on vitae.document_embeddings
  for each row execute function vitae.touch_updated_at();
