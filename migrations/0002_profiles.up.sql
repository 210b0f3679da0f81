-- Profiles and what belongs to them: experiences, skills and masks (named views of a profile).
-- `tenant_id` leads every primary and unique key, and every foreign key carries it, so the tables
-- can later be distributed by tenant without a rewrite. `version` is the optimistic-concurrency
-- counter behind ETag / If-Match.

create table if not exists vitae.profiles (
  tenant_id uuid not null references vitae.tenants (id) on delete cascade,
  id uuid not null,
  slug text not null,
  -- The caller's own key for this person, so that re-running an import updates instead of duplicating.
  external_id text,
  display_name text not null,
  headline text not null default '',
  summary text not null default '',
  location text not null default '',
  country text,
  contact jsonb not null default '{}'::jsonb,
  tags text[] not null default '{}',
  availability text not null default 'open',
  is_active boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint profiles_slug_key unique (tenant_id, slug),
  constraint profiles_external_id_key unique (tenant_id, external_id),
  constraint profiles_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
  constraint profiles_country_check check (country ~ '^[A-Z]{2}$'),
  constraint profiles_availability_check
    check (availability in ('open', 'not_looking', 'open_to_contract'))
);
create index if not exists profiles_updated_at_idx on vitae.profiles (tenant_id, updated_at);
create index if not exists profiles_tags_idx on vitae.profiles using gin (tags);
create or replace trigger profiles_touch_updated_at before update on vitae.profiles
  for each row execute function vitae.touch_updated_at();

create table if not exists vitae.experiences (
  tenant_id uuid not null,
  id uuid not null,
  profile_id uuid not null,
  title text not null,
  organization text not null default '',
  description text not null default '',
  start_date date not null,
  end_date date,
  location text not null default '',
  tags text[] not null default '{}',
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint experiences_profile_fkey foreign key (tenant_id, profile_id)
    references vitae.profiles (tenant_id, id) on delete cascade,
  constraint experiences_dates_check check (end_date is null or end_date >= start_date)
);
create index if not exists experiences_profile_id_idx on vitae.experiences (tenant_id, profile_id);
create index if not exists experiences_start_date_idx on vitae.experiences (tenant_id, start_date);
create or replace trigger experiences_touch_updated_at before update on vitae.experiences
  for each row execute function vitae.touch_updated_at();

create table if not exists vitae.skills (
  tenant_id uuid not null,
  id uuid not null,
  profile_id uuid not null,
  name text not null,
  category text not null default '',
  level smallint,
  years real,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint skills_profile_fkey foreign key (tenant_id, profile_id)
    references vitae.profiles (tenant_id, id) on delete cascade,
  constraint skills_level_check check (level between 1 and 5),
  constraint skills_years_check check (years >= 0 and years <= 80)
);
-- A skill name is unique per profile, ignoring case.
create unique index if not exists skills_name_key on vitae.skills (tenant_id, profile_id, lower(name));
create index if not exists skills_profile_id_idx on vitae.skills (tenant_id, profile_id);
create index if not exists skills_category_idx on vitae.skills (tenant_id, category);
create or replace trigger skills_touch_updated_at before update on vitae.skills
  for each row execute function vitae.touch_updated_at();

create table if not exists vitae.masks (
  tenant_id uuid not null,
  id uuid not null,
  profile_id uuid not null,
  slug text not null,
  name text not null,
  is_default boolean not null default false,
  -- Validated by the service against the versioned mask schema before it is written.
  config jsonb not null,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  constraint masks_profile_fkey foreign key (tenant_id, profile_id)
    references vitae.profiles (tenant_id, id) on delete cascade,
  constraint masks_slug_key unique (tenant_id, profile_id, slug),
  constraint masks_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 64),
  constraint masks_config_check check (jsonb_typeof(config) = 'object')
);
-- At most one default mask per profile; the service keeps it at exactly one.
create unique index if not exists masks_one_default_key on vitae.masks (tenant_id, profile_id) where is_default;
create or replace trigger masks_touch_updated_at before update on vitae.masks
  for each row execute function vitae.touch_updated_at();

do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'experiences', 'skills', 'masks'] loop
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
