//! A real `vitae serve` (the release binary) against a fresh database, for benchmarks through
//! HTTP. Stopped when dropped.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::{Connection, Executor, PgConnection};
use url::Url;

#[allow(dead_code)] // Not every benchmark reads every URL.
pub struct BenchServer {
    pub base_url: String,
    pub key: String,
    pub app_url: String,
    pub owner_url: String,
    pub superuser_url: String,
    env: Vec<(String, String)>,
    child: Child,
}

fn role_url(server: &Url, user: &str, password: &str, database: &str) -> String {
    let mut url = server.clone();
    let _ = url.set_username(user);
    let _ = url.set_password(Some(password));
    url.set_path(database);
    url.to_string()
}

pub fn vitae_binary() -> PathBuf {
    std::env::var_os("VITAE_DEV_BENCH_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/release/vitae"))
}

impl BenchServer {
    /// Creates database `name` afresh (dropping an old one), migrates it, makes a tenant with an
    /// admin key and starts the server. `env` adds settings.
    pub async fn start(name: &str, env: &[(&str, String)]) -> anyhow::Result<Self> {
        Self::start_or_reuse(name, false, env).await
    }

    /// As `start`, but with `reuse` an existing database `name` is kept (with a new key).
    pub async fn start_or_reuse(name: &str, reuse: bool, env: &[(&str, String)]) -> anyhow::Result<Self> {
        let server = Url::parse(
            &std::env::var("BENCH_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:54329/postgres".into()),
        )?;
        let mut admin = PgConnection::connect(server.as_str()).await.context("connecting as superuser (scripts/dev-db start)")?;
        let exists: bool = sqlx::query_scalar("select exists (select from pg_database where datname = $1)")
            .bind(name)
            .fetch_one(&mut admin)
            .await?;
        let fresh = !(reuse && exists);
        if fresh {
            admin.execute(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)"))).await?;
            admin.execute(sqlx::AssertSqlSafe(format!("create database {name} owner vitae_owner"))).await?;
        }
        let mut db_url = server.clone();
        db_url.set_path(name);
        let mut conn = PgConnection::connect(db_url.as_str()).await?;
        conn.execute("create extension if not exists vector; create extension if not exists pg_stat_statements").await?;

        let app_url = role_url(&server, "vitae_app", "vitae_app", name);
        let owner_url = role_url(&server, "vitae_owner", "vitae_owner", name);
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut base_env: Vec<(String, String)> = vec![
            ("VITAE_DATABASE_URL".into(), app_url.clone()),
            ("VITAE_OWNER_DATABASE_URL".into(), owner_url.clone()),
            ("VITAE_LISTEN".into(), format!("127.0.0.1:{port}")),
            ("VITAE_LOG_FILTER".into(), "warn".into()),
            ("VITAE_RATE_LIMIT_PER_SECOND".into(), "0".into()),
        ];
        base_env.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let run = |args: &[&str]| run_vitae(&base_env, args);
        run(&["migrate", "up"])?;
        if fresh {
            run(&["tenant", "create", "bench"])?;
        }
        let key = run(&["key", "create", "--tenant", "bench", "--scopes", "admin"])?;
        let child = Command::new(vitae_binary())
            .arg("serve")
            .envs(base_env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting vitae serve (build it with cargo build --release)")?;
        let base_url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if http.get(format!("{base_url}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { base_url, key, app_url, owner_url, superuser_url: db_url.to_string(), env: base_env, child });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not become ready")
    }
}

impl BenchServer {
    /// Another tenant in the same database (created when missing) and a new read key of it.
    pub async fn tenant(&self, name: &str) -> anyhow::Result<(uuid::Uuid, String)> {
        let mut conn = PgConnection::connect(&self.superuser_url).await?;
        let find = "select id from vitae.tenants where name = $1";
        if sqlx::query_scalar::<_, uuid::Uuid>(find).bind(name).fetch_optional(&mut conn).await?.is_none() {
            self.cli(&["tenant", "create", name])?;
        }
        let id = sqlx::query_scalar(find).bind(name).fetch_one(&mut conn).await?;
        Ok((id, self.cli(&["key", "create", "--tenant", name, "--scopes", "read"])?))
    }

    /// Runs a `vitae` command against the server's database; returns its standard output.
    pub fn cli(&self, args: &[&str]) -> anyhow::Result<String> {
        run_vitae(&self.env, args)
    }
}

/// Runs `vitae ARGS` with `env`; its standard output, or its standard error as the failure.
fn run_vitae(env: &[(String, String)], args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(vitae_binary()).args(args).envs(env.iter().cloned()).output()?;
    if !output.status.success() {
        bail!("vitae {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
