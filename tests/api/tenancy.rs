//! Row-level security confines the service's role to one tenant, whatever SQL it runs.

use sqlx::{Connection, Executor, PgConnection};
use uuid::Uuid;
use vitae_tests::TestDb;

/// Every table that holds tenant data: `tenants` itself and each table with a `tenant_id` column.
async fn tenant_tables(conn: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'vitae' and c.relkind = 'r' and (c.relname = 'tenants' or exists ( \
           select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)) \
         order by 1",
    )
    .fetch_all(conn)
    .await
    .expect("listing tenant tables")
}

async fn set_tenant(conn: &mut PgConnection, tenant: Option<Uuid>) {
    sqlx::query("select set_config('app.tenant_id', $1, false)")
        .bind(tenant.map(|t| t.to_string()).unwrap_or_default())
        .execute(conn)
        .await
        .expect("setting app.tenant_id");
}

/// One row in every tenant table for `tenant`, written through the service's role.
async fn seed_tenant(conn: &mut PgConnection, tenant: Uuid, name: &str) {
    set_tenant(conn, Some(tenant)).await;
    let profile = Uuid::now_v7();
    let mask = Uuid::now_v7();
    let document = Uuid::now_v7();
    let statements = [
        "insert into vitae.tenants (id, name) values ($1, $5)",
        "insert into vitae.api_keys (tenant_id, id, secret_hash, scopes) \
         values ($1, gen_random_uuid(), sha256('secret'::bytea), '{read}')",
        "insert into vitae.profiles (tenant_id, id, slug, display_name) values ($1, $2, 'ada', 'Ada')",
        "insert into vitae.experiences (tenant_id, id, profile_id, title, start_date) \
         values ($1, gen_random_uuid(), $2, 'Engineer', '2020-01-01')",
        "insert into vitae.skills (tenant_id, id, profile_id, name) values ($1, gen_random_uuid(), $2, 'Rust')",
        "insert into vitae.masks (tenant_id, id, profile_id, slug, name, is_default, config) \
         values ($1, $3, $2, 'public', 'Public', true, '{}')",
        "insert into vitae.search_documents (tenant_id, id, profile_id, mask_id, mask_slug, is_default, \
           text_a, availability, profile_updated_at, card, content_hash) \
         values ($1, $4, $2, $3, 'public', true, 'Ada Engineer', 'open', now(), '{}', sha256('x'::bytea))",
        "insert into vitae.document_embeddings (tenant_id, document_id, is_default, model_id, embedding) \
         values ($1, $4, true, 'test', array_fill(0.1, array[384])::real[]::vector)",
        "insert into vitae.document_passages (tenant_id, document_id, ordinal, passage, embedding) \
         values ($1, $4, 0, 'Engineer.', array_fill(0.1, array[384])::real[]::vector)",
    ];
    for statement in statements {
        sqlx::query(statement)
            .bind(tenant)
            .bind(profile)
            .bind(mask)
            .bind(document)
            .bind(name)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("seeding {name}: {statement}: {e}"));
    }
}

async fn two_tenants() -> (TestDb, PgConnection, Uuid, Uuid) {
    let db = TestDb::create().await;
    let mut conn = db.connect_as_app().await;
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    seed_tenant(&mut conn, a, "tenant-a").await;
    seed_tenant(&mut conn, b, "tenant-b").await;
    (db, conn, a, b)
}

fn tenant_column(table: &str) -> &'static str {
    if table == "tenants" { "id" } else { "tenant_id" }
}

#[tokio::test]
async fn every_tenant_table_has_row_level_security_enabled_and_forced() {
    let db = TestDb::create().await;
    let mut conn = db.connect_as_superuser().await;
    let tables = tenant_tables(&mut conn).await;
    assert!(tables.len() >= 8, "expected the tenant tables, found {tables:?}");
    for table in tables {
        let (enabled, forced): (bool, bool) =
            sqlx::query_as("select relrowsecurity, relforcerowsecurity from pg_class where oid = ('vitae.' || $1)::regclass")
                .bind(&table)
                .fetch_one(&mut conn)
                .await
                .expect("reading pg_class");
        assert!(enabled && forced, "{table}: row-level security must be enabled and forced");
    }
}

#[tokio::test]
async fn a_tenant_session_sees_only_its_own_rows_in_every_table() {
    let (_db, mut conn, a, b) = two_tenants().await;
    let tables = tenant_tables(&mut conn).await;
    for (me, other) in [(a, b), (b, a)] {
        set_tenant(&mut conn, Some(me)).await;
        for table in &tables {
            // No WHERE clause: the policy alone decides what is visible.
            let column = tenant_column(table);
            let owners: Vec<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select {column} from vitae.{table}")))
                .fetch_all(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{table}: {e}"));
            assert!(!owners.is_empty(), "{table}: the tenant sees its own row");
            assert!(owners.iter().all(|o| *o == me), "{table}: saw a row of {other}");
        }
    }
}

#[tokio::test]
async fn with_no_tenant_set_nothing_is_visible_and_nothing_can_be_written() {
    let (_db, mut conn, _a, _b) = two_tenants().await;
    let tables = tenant_tables(&mut conn).await;
    for tenant_setting in [None, Some(Uuid::nil())] {
        set_tenant(&mut conn, tenant_setting).await;
        for table in &tables {
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from vitae.{table}")))
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{table}: {e}"));
            assert_eq!(count, 0, "{table} with app.tenant_id = {tenant_setting:?}");
        }
    }
    set_tenant(&mut conn, None).await;
    let error = conn
        .execute("insert into vitae.tenants (id, name) values (gen_random_uuid(), 'sneaky')")
        .await
        .expect_err("no tenant, no insert");
    assert!(error.to_string().contains("row-level security"), "{error}");
}

#[tokio::test]
async fn a_tenant_session_cannot_insert_or_update_rows_of_another_tenant() {
    let (_db, mut conn, a, b) = two_tenants().await;
    set_tenant(&mut conn, Some(a)).await;

    let insert = sqlx::query(
        "insert into vitae.profiles (tenant_id, id, slug, display_name) values ($1, gen_random_uuid(), 'mallory', 'Mallory')",
    )
    .bind(b)
    .execute(&mut conn)
    .await
    .expect_err("inserting a row of B from A's session must fail");
    assert!(insert.to_string().contains("row-level security"), "{insert}");

    // B's rows are invisible to A's session, so an update cannot reach them.
    for table in tenant_tables(&mut conn).await {
        let column = tenant_column(&table);
        // Append-only tables (keyword statistics' deltas): the service may not update them at all.
        let may_update: bool = sqlx::query_scalar("select has_table_privilege(current_user, 'vitae.' || $1, 'UPDATE')")
            .bind(&table)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        if !may_update {
            let refused = sqlx::query(sqlx::AssertSqlSafe(format!("update vitae.{table} set {column} = {column}")))
                .execute(&mut conn)
                .await
                .expect_err("no update privilege");
            assert!(refused.to_string().contains("permission denied"), "{table}: {refused}");
            continue;
        }
        let touched =
            sqlx::query(sqlx::AssertSqlSafe(format!("update vitae.{table} set {column} = {column} where {column} = $1")))
                .bind(b)
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{table}: {e}"))
                .rows_affected();
        assert_eq!(touched, 0, "{table}: A's session updated a row of B");
    }

    // Moving one of A's rows to B is refused by the policy's WITH CHECK.
    let moved = sqlx::query("update vitae.skills set tenant_id = $1")
        .bind(b)
        .execute(&mut conn)
        .await
        .expect_err("moving a row to another tenant must fail");
    assert!(moved.to_string().contains("row-level security") || moved.to_string().contains("foreign key"), "{moved}");

    // And B still has exactly its own rows.
    set_tenant(&mut conn, Some(b)).await;
    let b_profiles: i64 = sqlx::query_scalar("select count(*) from vitae.profiles").fetch_one(&mut conn).await.expect("count");
    assert_eq!(b_profiles, 1);
}

#[tokio::test]
async fn a_setting_made_with_set_local_does_not_outlive_its_transaction() {
    let (_db, mut conn, a, _b) = two_tenants().await;
    set_tenant(&mut conn, None).await;
    let mut tx = conn.begin().await.expect("begin");
    sqlx::query(sqlx::AssertSqlSafe(format!("set local app.tenant_id = '{a}'"))).execute(&mut *tx).await.expect("set local");
    let inside: i64 = sqlx::query_scalar("select count(*) from vitae.profiles").fetch_one(&mut *tx).await.expect("count");
    tx.commit().await.expect("commit");
    // The pooled connection now reads the setting back as '' (hence nullif in the policy).
    let after: i64 = sqlx::query_scalar("select count(*) from vitae.profiles")
        .fetch_one(&mut conn)
        .await
        .expect("count after the transaction");
    assert_eq!((inside, after), (1, 0));
}

#[tokio::test]
async fn the_service_role_cannot_disable_security_or_change_the_schema() {
    let (_db, mut conn, a, _b) = two_tenants().await;
    set_tenant(&mut conn, Some(a)).await;
    let forbidden = [
        "alter table vitae.profiles disable row level security",
        "alter table vitae.profiles no force row level security",
        "drop policy tenant_isolation on vitae.profiles",
        "alter table vitae.profiles add column sneaky text",
        "drop table vitae.search_documents",
        "truncate vitae.profiles",
        "create table vitae.sneaky (id int)",
        "set role vitae_owner",
        "set session authorization vitae_owner",
        "alter role vitae_app bypassrls",
    ];
    for statement in forbidden {
        let result = conn.execute(statement).await;
        assert!(result.is_err(), "the service role could run: {statement}");
    }
    let owns: i64 = sqlx::query_scalar(
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'vitae' and pg_get_userbyid(c.relowner) = 'vitae_app'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("ownership");
    assert_eq!(owns, 0, "vitae_app owns nothing");
    conn.close().await.ok();
}

#[tokio::test]
async fn a_read_only_tenant_transaction_sees_one_snapshot_throughout() {
    let (db, mut writer, a, _b) = two_tenants().await;
    let pool = vitae_repository::DatabaseSettings::new(db.app_url()).pool().expect("app pool");
    let count = "select count(*) from vitae.profiles";
    for settings in [vec![], vec![("hnsw.ef_search", "50".to_owned())]] {
        let mut tx = vitae_repository::TenantTx::begin_read_only_with(&pool, a, &settings).await.expect("begin");
        let before: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await.expect("count");
        // Another session adds a profile and commits meanwhile.
        set_tenant(&mut writer, Some(a)).await;
        sqlx::query("insert into vitae.profiles (tenant_id, id, slug, display_name) values ($1, $2, $3, 'Bo')")
            .bind(a)
            .bind(Uuid::now_v7())
            .bind(format!("bo-{}", settings.len()))
            .execute(&mut writer)
            .await
            .expect("insert");
        let after: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await.expect("count");
        assert_eq!(after, before, "a search's statements all read the data as it was when it began");
        tx.commit().await.expect("commit");
        let mut next = vitae_repository::TenantTx::begin_read_only(&pool, a).await.expect("begin");
        let now: i64 = sqlx::query_scalar(count).fetch_one(&mut *next).await.expect("count");
        assert_eq!(now, before + 1, "the next transaction sees the write");
        next.commit().await.expect("commit");
    }
}
