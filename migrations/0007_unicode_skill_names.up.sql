-- Skill names are unique per profile ignoring case in every script, not only ASCII: `lower()`
-- under the builtin `pg_c_utf8` collation maps each character to its Unicode lower case
-- whatever the database's own locale (C here), as the service folds names (text::fold).
-- Names that only now clash (`Ärger` beside `ärger`) keep the first and number the others, so
-- the index can be built and nothing is lost. (Row security is lifted for the owner while it
-- renames across tenants, inside this migration's transaction.)
alter table vitae.skills no force row level security;
with ranked as (
  select id, row_number() over (
           partition by tenant_id, profile_id, lower(name collate pg_c_utf8) order by created_at, id) as n
  from vitae.skills
)
update vitae.skills s set name = s.name || ' (' || r.n || ')'
from ranked r
where r.id = s.id and r.n > 1;
alter table vitae.skills force row level security;

drop index if exists vitae.skills_name_key;
create unique index skills_name_key on vitae.skills (tenant_id, profile_id, lower(name collate pg_c_utf8));
