drop policy if exists owner_maintenance on vitae.document_embeddings;
drop index if exists vitae.search_documents_updated_idx;
drop index if exists vitae.search_documents_mask_slug_idx;
drop index if exists vitae.search_documents_country_idx;
drop table if exists vitae.ann_index_state;
drop table if exists vitae.document_passages;
-- The ANN index is built at run time by the service (see ann_index_state); remove it too.
do $$
declare
  name text;
begin
  for name in select indexname from pg_indexes
              where schemaname = 'vitae' and indexname like 'document\_embeddings\_ann\_%'
  loop
    execute format('drop index if exists vitae.%I', name);
  end loop;
end
$$;
