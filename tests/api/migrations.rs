//! Migrations are reversible, idempotent and complete.

use std::process::Command;

use sqlx::{Connection, Executor};
use vitae_repository::migrate;
use vitae_tests::TestDb;
use vitae_tests::pg_tools::{pg_bin, repo_root};

fn schema_dump(db: &TestDb) -> String {
    let output = Command::new(pg_bin("pg_dump"))
        .args(["--schema-only", "--no-comments", "--restrict-key=vitaedrifttest", "--dbname"])
        .arg(db.superuser_url())
        .output()
        .expect("running pg_dump");
    assert!(output.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("pg_dump prints UTF-8")
}

async fn vitae_relations(db: &TestDb) -> Vec<String> {
    let mut conn = db.connect_as_superuser().await;
    let names = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'vitae' and c.relname not like '\\_sqlx\\_migrations%' order by 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("listing relations");
    conn.close().await.ok();
    names
}

#[tokio::test]
async fn up_down_up_leaves_an_identical_schema() {
    let db = TestDb::create().await;
    let owner = db.owner_pool();
    let migrated = schema_dump(&db);
    assert!(migrated.contains("CREATE TABLE vitae.profiles"), "the template is migrated");

    migrate::down_to(&owner, 0).await.expect("reverting every migration");
    assert_eq!(vitae_relations(&db).await, Vec::<String>::new(), "down leaves no table, index or sequence");

    migrate::up(&owner).await.expect("migrating up again");
    assert_eq!(schema_dump(&db), migrated, "up, down, up must give the same schema");
}

#[tokio::test]
async fn running_up_twice_is_a_no_op() {
    let db = TestDb::create().await;
    let owner = db.owner_pool();
    let before = schema_dump(&db);
    let history = |pool: sqlx::PgPool| async move {
        sqlx::query_as::<_, (i64, chrono::DateTime<chrono::Utc>)>(
            "select version, installed_on from vitae._sqlx_migrations order by version",
        )
        .fetch_all(&pool)
        .await
        .expect("reading the history")
    };
    let history_before = history(owner.clone()).await;
    migrate::up(&owner).await.expect("second up");
    migrate::up(&owner).await.expect("third up");
    assert_eq!(history(owner.clone()).await, history_before, "nothing re-applied");
    assert_eq!(schema_dump(&db), before);
}

#[tokio::test]
async fn each_migration_can_be_reverted_and_reapplied_one_at_a_time() {
    let db = TestDb::create().await;
    let owner = db.owner_pool();
    let full = schema_dump(&db);
    let latest = migrate::latest_version();
    for version in (0..latest).rev() {
        migrate::down_to(&owner, version).await.expect("stepping down");
    }
    migrate::up(&owner).await.expect("up");
    assert_eq!(schema_dump(&db), full);
}

#[test]
fn every_up_migration_has_a_down_migration() {
    let dir = repo_root().join("migrations");
    let mut ups = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("reading migrations/") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".up.sql") {
            ups.push(stem.to_owned());
            assert!(dir.join(format!("{stem}.down.sql")).exists(), "{name} has no {stem}.down.sql");
        } else if let Some(stem) = name.strip_suffix(".down.sql") {
            assert!(dir.join(format!("{stem}.up.sql")).exists(), "{name} has no {stem}.up.sql");
        } else {
            panic!("{name}: migrations are NNNN_name.up.sql and NNNN_name.down.sql");
        }
        let prefix = name.split('_').next().unwrap_or_default();
        assert!(prefix.len() == 4 && prefix.bytes().all(|b| b.is_ascii_digit()), "{name}: NNNN_ prefix");
    }
    assert!(!ups.is_empty());
}

#[tokio::test]
async fn migrations_keep_everything_in_the_vitae_schema() {
    let db = TestDb::create().await;
    let mut conn = db.connect_as_superuser().await;
    let public_tables: i64 = sqlx::query_scalar(
        "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p')",
    )
    .fetch_one(&mut conn)
    .await
    .expect("counting");
    assert_eq!(public_tables, 0, "no table in public");
    let history: bool = sqlx::query_scalar("select to_regclass('vitae._sqlx_migrations') is not null")
        .fetch_one(&mut conn)
        .await
        .expect("history table");
    assert!(history);
    conn.execute("select 1").await.expect("ping");
}
