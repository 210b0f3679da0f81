//! Databases for tests: a migrated template per set of migrations, and a fresh clone per test.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor, PgConnection};
use url::Url;

use vitae_repository::{DatabaseSettings, migrate};

const LOCAL_SUPERUSER_URL: &str = "postgres://postgres:postgres@127.0.0.1:54329/postgres";
/// Serialises template creation across the test processes nextest runs in parallel.
const TEMPLATE_LOCK: i64 = 0x7669_7461_6501;
/// Leaked test databases older than this are dropped when a template is (re)built.
const STALE_AFTER_SECS: u64 = 6 * 3600;

const ROLES_SQL: &str = include_str!("../../deploy/sql/roles.sql");
const EXTENSIONS_SQL: &str = include_str!("../../deploy/sql/extensions.sql");

/// A fresh database with the whole schema, dropped when this value is dropped.
pub struct TestDb {
    pub name: String,
    server: Url,
}

impl TestDb {
    pub async fn create() -> Self {
        let server = superuser_url();
        let template = ensure_template(&server).await;
        let name = format!("vitae_test_{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
        let mut conn = connect(&server, "postgres").await;
        conn.execute(sqlx::AssertSqlSafe(format!(r#"create database "{name}" template "{template}" owner vitae_owner"#)))
            .await
            .expect("cloning the template database");
        conn.close().await.ok();
        Self { name, server }
    }

    /// An empty database (extensions, no migrations): what a restore starts from.
    pub async fn create_empty() -> Self {
        let server = superuser_url();
        let name = format!("vitae_test_{}_{}", unix_now(), uuid::Uuid::new_v4().simple());
        let mut conn = connect(&server, "postgres").await;
        conn.execute(sqlx::AssertSqlSafe(format!(r#"create database "{name}" owner vitae_owner"#)))
            .await
            .expect("creating an empty database");
        conn.close().await.ok();
        let mut conn = connect(&server, &name).await;
        conn.execute(EXTENSIONS_SQL).await.expect("creating extensions");
        conn.close().await.ok();
        Self { name, server }
    }

    /// A database that already exists on another server (`superuser` is that server's URL).
    pub fn existing(superuser: Url, name: &str) -> Self {
        Self { name: name.to_owned(), server: superuser }
    }

    /// The service's role (`vitae_app`), which owns nothing and is confined by row-level security.
    pub fn app_url(&self) -> String {
        role_url(&self.server, "vitae_app", "vitae_app", &self.name)
    }

    /// The owner role, as migrations and index upkeep use.
    pub fn owner_url(&self) -> String {
        role_url(&self.server, "vitae_owner", "vitae_owner", &self.name)
    }

    /// A superuser on this database.
    pub fn superuser_url(&self) -> String {
        let mut url = self.server.clone();
        url.set_path(&self.name);
        url.to_string()
    }

    pub async fn connect_as_app(&self) -> PgConnection {
        PgConnection::connect(&self.app_url()).await.expect("connecting as vitae_app")
    }

    pub async fn connect_as_owner(&self) -> PgConnection {
        PgConnection::connect(&self.owner_url()).await.expect("connecting as vitae_owner")
    }

    pub async fn connect_as_superuser(&self) -> PgConnection {
        PgConnection::connect(&self.superuser_url()).await.expect("connecting as superuser")
    }

    pub fn owner_pool(&self) -> sqlx::PgPool {
        DatabaseSettings::new(self.owner_url()).pool().expect("owner pool")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs outside async; a short-lived runtime on its own thread does the work.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut conn) = try_connect(&server, "postgres").await {
                        let _ =
                            conn.execute(sqlx::AssertSqlSafe(format!(r#"drop database if exists "{name}" with (force)"#))).await;
                        let _ = conn.close().await;
                    }
                });
            }
        })
        .join();
    }
}

pub fn superuser_url() -> Url {
    let raw = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| LOCAL_SUPERUSER_URL.to_owned());
    Url::parse(&raw).expect("TEST_DATABASE_URL must be a postgres:// URL")
}

fn role_url(server: &Url, user: &str, password: &str, database: &str) -> String {
    let mut url = server.clone();
    url.set_username(user).expect("URL with a host");
    url.set_password(Some(password)).expect("URL with a host");
    url.set_path(database);
    url.to_string()
}

async fn try_connect(server: &Url, database: &str) -> Result<PgConnection, sqlx::Error> {
    let mut url = server.clone();
    url.set_path(database);
    PgConnection::connect(url.as_str()).await
}

async fn connect(server: &Url, database: &str) -> PgConnection {
    try_connect(server, database).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach the test PostgreSQL at {}:{} ({e}). Start it with `scripts/dev-db start` \
             or point TEST_DATABASE_URL at a server (superuser URL).",
            server.host_str().unwrap_or("?"),
            server.port().unwrap_or(5432)
        )
    })
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The template for this build's migrations, built once per server (and per change of migrations).
async fn ensure_template(server: &Url) -> String {
    let mut hasher = DefaultHasher::new();
    migrate::fingerprint().hash(&mut hasher);
    EXTENSIONS_SQL.hash(&mut hasher);
    let template = format!("vitae_tpl_{:016x}", hasher.finish());

    let mut conn = connect(server, "postgres").await;
    if database_exists(&mut conn, &template).await {
        conn.close().await.ok();
        return template;
    }

    conn.execute(sqlx::query("select pg_advisory_lock($1)").bind(TEMPLATE_LOCK)).await.expect("taking the template lock");
    if !database_exists(&mut conn, &template).await {
        conn.execute(ROLES_SQL).await.expect("creating the vitae roles");
        drop_stale_databases(&mut conn, &template).await;
        let building = format!("{template}_building");
        conn.execute(sqlx::AssertSqlSafe(format!(r#"drop database if exists "{building}" with (force)"#)))
            .await
            .expect("dropping a half-built template");
        conn.execute(sqlx::AssertSqlSafe(format!(r#"create database "{building}" owner vitae_owner"#)))
            .await
            .expect("creating the template database");

        let mut superuser = connect(server, &building).await;
        superuser.execute(EXTENSIONS_SQL).await.expect("creating extensions in the template");
        superuser.close().await.ok();

        let owner = DatabaseSettings::new(role_url(server, "vitae_owner", "vitae_owner", &building)).pool().expect("owner pool");
        migrate::up(&owner).await.expect("migrating the template");
        owner.close().await;

        conn.execute(sqlx::AssertSqlSafe(format!(r#"alter database "{building}" rename to "{template}""#)))
            .await
            .expect("publishing the template");
        conn.execute(sqlx::AssertSqlSafe(format!(r#"alter database "{template}" is_template true"#)))
            .await
            .expect("marking the template");
    }
    conn.execute(sqlx::query("select pg_advisory_unlock($1)").bind(TEMPLATE_LOCK)).await.expect("releasing the template lock");
    conn.close().await.ok();
    template
}

async fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    sqlx::query_scalar("select exists (select from pg_database where datname = $1)")
        .bind(name)
        .fetch_one(conn)
        .await
        .expect("querying pg_database")
}

/// Templates of older migrations, and test databases a crashed run left behind.
async fn drop_stale_databases(conn: &mut PgConnection, keep: &str) {
    let names: Vec<String> = sqlx::query_scalar(
        "select datname from pg_database where datname like 'vitae\\_tpl\\_%' or datname like 'vitae\\_test\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    let now = unix_now();
    for name in names {
        let stale = if let Some(rest) = name.strip_prefix("vitae_test_") {
            let created: u64 = rest.split('_').next().and_then(|s| s.parse().ok()).unwrap_or(0);
            now.saturating_sub(created) > STALE_AFTER_SECS
        } else {
            name != keep && !name.ends_with("_building")
        };
        if stale {
            let _ = conn.execute(sqlx::AssertSqlSafe(format!(r#"alter database "{name}" is_template false"#))).await;
            let _ = conn.execute(sqlx::AssertSqlSafe(format!(r#"drop database if exists "{name}" with (force)"#))).await;
        }
    }
}
