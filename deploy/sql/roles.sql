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
