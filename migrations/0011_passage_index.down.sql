-- The code before this migration does not know the passage index: drop it with its name.
do $$
declare
  name text;
begin
  select passage_index_name into name from vitae.ann_index_state;
  if name is not null then
    execute format('drop index if exists vitae.%I', name);
  end if;
end $$;
alter table vitae.ann_index_state drop column if exists passage_index_name;
