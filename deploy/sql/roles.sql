-- The two database roles Vitae uses. Run once per cluster by a superuser (or a role with CREATEROLE).
--   vitae_owner  owns the schema and its tables; migrations, index upkeep and backups run as it.
--   vitae_app    what the service connects as: owns nothing, may only read and write rows, and row-level
--                security confines every statement to the tenant of the request.
-- The passwords below are for the local development server only; in production create the roles with
-- your own secrets (docs/operations.md).
do $$
begin
  if not exists (select from pg_roles where rolname = 'vitae_owner') then
    create role vitae_owner login password 'vitae_owner';
  end if;
  if not exists (select from pg_roles where rolname = 'vitae_app') then
    create role vitae_app login password 'vitae_app' noinherit;
  end if;
end
$$;
-- `vitae stats` and GET /v1/admin/statements read every role's statements from pg_stat_statements.
grant pg_read_all_stats to vitae_owner;
-- Backups (pg_dump / pg_restore as the owner) must read and write every tenant's rows, and
-- forced row-level security would stop them. The owner could lift the policies anyway (it owns
-- the tables), so BYPASSRLS gives it no power it lacks; the service role never gets it.
alter role vitae_owner bypassrls;
