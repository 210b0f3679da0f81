drop index if exists vitae.skills_name_key;
create unique index skills_name_key on vitae.skills (tenant_id, profile_id, lower(name));
