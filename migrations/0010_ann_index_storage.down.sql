-- An index over half-precision vectors cannot serve the statements of the code before this
-- migration (they order by the stored vectors): drop it, and search ranks exactly until the
-- next build.
do $$
declare
  name text;
begin
  select index_name into name from vitae.ann_index_state where storage = 'halfvec';
  if name is not null then
    execute format('drop index if exists vitae.%I', name);
    delete from vitae.ann_index_state;
  end if;
end $$;
alter table vitae.ann_index_state drop column if exists storage;
