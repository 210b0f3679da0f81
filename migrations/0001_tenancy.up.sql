-- Tenants, their API keys, and the rules every tenant table follows.
--
-- Tenancy is enforced by PostgreSQL, not by the queries: every tenant table has row-level security
-- enabled and forced, with a policy that admits only rows of the tenant named by the transaction's
-- `app.tenant_id` setting (set with SET LOCAL by the service). `nullif` because a pooled connection
-- reads a SET LOCAL setting back as '' after its transaction, and ''::uuid is an error: with no
-- tenant set, no row is visible and no row can be written.
--
-- The service connects as `vitae_app` (deploy/sql/roles.sql), which owns nothing and is granted row
-- access only. Migrations run as the owner role.

create or replace function vitae.touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create table if not exists vitae.tenants (
  id uuid primary key,
  name text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint tenants_name_key unique (name),
  constraint tenants_name_check check (length(name) between 1 and 100)
);
create or replace trigger tenants_touch_updated_at before update on vitae.tenants
  for each row execute function vitae.touch_updated_at();

create table if not exists vitae.api_keys (
  tenant_id uuid not null references vitae.tenants (id) on delete cascade,
  id uuid not null,
  name text not null default '',
  -- SHA-256 of the key's secret part: the secret itself is shown once and never stored.
  secret_hash bytea not null,
  scopes text[] not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (tenant_id, id),
  constraint api_keys_scopes_check
    check (cardinality(scopes) > 0 and scopes <@ array['read', 'write', 'admin']::text[]),
  constraint api_keys_secret_hash_check check (length(secret_hash) = 32)
);
-- Authentication looks a key up by id before the tenant is known.
create index if not exists api_keys_id_idx on vitae.api_keys (id);
create or replace trigger api_keys_touch_updated_at before update on vitae.api_keys
  for each row execute function vitae.touch_updated_at();

alter table vitae.tenants enable row level security;
alter table vitae.tenants force row level security;
drop policy if exists tenant_isolation on vitae.tenants;
create policy tenant_isolation on vitae.tenants
  using (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (id = nullif(current_setting('app.tenant_id', true), '')::uuid);

alter table vitae.api_keys enable row level security;
alter table vitae.api_keys force row level security;
drop policy if exists tenant_isolation on vitae.api_keys;
create policy tenant_isolation on vitae.api_keys
  using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The two look-ups that must happen before a tenant is known run as the owner through these
-- SECURITY DEFINER functions; each answers for one exact key id or tenant name, never a list.
-- The owner (who could switch row security off anyway) may read these two tables for them.
drop policy if exists owner_lookup on vitae.tenants;
create policy owner_lookup on vitae.tenants for select to current_user using (true);
drop policy if exists owner_lookup on vitae.api_keys;
create policy owner_lookup on vitae.api_keys for select to current_user using (true);

create or replace function vitae.find_api_key(p_key_id uuid)
returns table (tenant_id uuid, secret_hash bytea, scopes text[], revoked_at timestamptz)
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select k.tenant_id, k.secret_hash, k.scopes, k.revoked_at from vitae.api_keys k where k.id = p_key_id
$$;

create or replace function vitae.find_tenant(p_id_or_name text)
returns table (id uuid, name text)
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
  select t.id, t.name from vitae.tenants t
  where t.name = p_id_or_name
     or t.id = case when p_id_or_name ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'
                    then p_id_or_name::uuid end
$$;

revoke all on function vitae.find_api_key(uuid) from public;
revoke all on function vitae.find_tenant(text) from public;

grant usage on schema vitae to vitae_app;
grant select on vitae._sqlx_migrations to vitae_app;
grant select, insert, update, delete on vitae.tenants, vitae.api_keys to vitae_app;
grant execute on function vitae.find_api_key(uuid), vitae.find_tenant(text) to vitae_app;
