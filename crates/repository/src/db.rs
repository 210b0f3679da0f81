//! Connection pools. The service talks to PostgreSQL as a role that owns nothing (`vitae_app`);
//! migrations and index upkeep need the owner role and get their own small pool.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

/// How to reach one database and how large a pool to keep.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub min_connections: u32,
    pub idle_timeout: Duration,
    pub acquire_timeout: Duration,
    pub statement_timeout: Duration,
    /// Statements slower than this are logged with their duration.
    pub slow_statement_threshold: Duration,
    pub application_name: String,
}

impl DatabaseSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            min_connections: 0,
            idle_timeout: Duration::from_secs(30),
            acquire_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(30),
            slow_statement_threshold: Duration::from_secs(1),
            application_name: "vitae".into(),
        }
    }

    pub fn connect_options(&self) -> Result<PgConnectOptions, sqlx::Error> {
        let statement_timeout = format!("{}", self.statement_timeout.as_millis());
        Ok(PgConnectOptions::from_str(&self.url)?
            .application_name(&self.application_name)
            .options([("statement_timeout", statement_timeout.as_str())])
            .log_statements(log::LevelFilter::Trace)
            .log_slow_statements(log::LevelFilter::Warn, self.slow_statement_threshold))
    }

    /// A pool that connects lazily: the service starts (and reports itself unready) while the
    /// database is still down, and recovers by itself when it comes back.
    pub fn pool(&self) -> Result<PgPool, sqlx::Error> {
        Ok(PgPoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(self.min_connections)
            .idle_timeout(Some(self.idle_timeout))
            .acquire_timeout(self.acquire_timeout)
            .connect_lazy_with(self.connect_options()?))
    }
}

/// The pools the service holds.
#[derive(Debug, Clone)]
pub struct Pools {
    /// Writes, and reads that must see their own writes.
    pub primary: PgPool,
    /// Searches and plain reads; the primary again when no replica is configured.
    pub read: PgPool,
    /// The owner role, for migrations and index upkeep; absent when not configured.
    pub owner: Option<PgPool>,
}

impl Pools {
    pub async fn close(&self) {
        self.primary.close().await;
        self.read.close().await;
        if let Some(owner) = &self.owner {
            owner.close().await;
        }
    }
}
