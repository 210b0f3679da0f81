revoke all on vitae._sqlx_migrations from vitae_app;
revoke all on schema vitae from vitae_app;
drop function if exists vitae.find_tenant(text);
drop function if exists vitae.find_api_key(uuid);
drop table if exists vitae.api_keys;
drop table if exists vitae.tenants;
drop function if exists vitae.touch_updated_at();
