//! The schema migrations in `migrations/`, embedded at compile time. They live in schema `vitae`,
//! history included (`vitae._sqlx_migrations`, see `sqlx.toml`), and run as the owner role.

use sqlx::migrate::{Migrate, MigrateError, Migrator};
use sqlx::{PgConnection, PgPool};

pub static MIGRATOR: Migrator = sqlx::migrate!();

/// One migration and whether the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub applied: bool,
    /// Applied, but the file has changed since: the database and the code disagree.
    pub checksum_mismatch: bool,
}

/// Applies every pending migration (a no-op when none is pending). Concurrent callers wait for
/// each other on an advisory lock.
pub async fn up(owner: &PgPool) -> Result<(), MigrateError> {
    MIGRATOR.run(owner).await
}

/// Reverts applied migrations newer than `target` (0 reverts them all), newest first.
pub async fn down_to(owner: &PgPool, target: i64) -> Result<(), MigrateError> {
    MIGRATOR.undo(owner, target).await
}

/// The version of the newest migration this build knows.
pub fn latest_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// A fingerprint of every migration this build carries (for naming test templates).
pub fn fingerprint() -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for m in MIGRATOR.iter() {
        let _ = write!(out, "{}:{}:", m.version, m.migration_type.is_down_migration());
        for b in m.checksum.iter() {
            let _ = write!(out, "{b:02x}");
        }
        out.push(';');
    }
    out
}

pub async fn status(conn: &mut PgConnection) -> Result<Vec<MigrationStatus>, MigrateError> {
    let applied =
        if history_exists(conn).await? { conn.list_applied_migrations(MIGRATOR.table_name.as_ref()).await? } else { Vec::new() };
    Ok(MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| {
            let found = applied.iter().find(|a| a.version == m.version);
            MigrationStatus {
                version: m.version,
                description: m.description.to_string(),
                applied: found.is_some(),
                checksum_mismatch: found.is_some_and(|a| a.checksum != m.checksum),
            }
        })
        .collect())
}

/// Whether the database carries every migration of this build (what readiness asks). Works for
/// the service role, which may read the history table but not create it.
pub async fn is_current(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    let applied: Option<i64> =
        sqlx::query_scalar("select max(version) from vitae._sqlx_migrations where success").fetch_one(&mut *conn).await?;
    Ok(applied.unwrap_or(0) >= latest_version())
}

async fn history_exists(conn: &mut PgConnection) -> Result<bool, MigrateError> {
    let exists: bool =
        sqlx::query_scalar("select to_regclass('vitae._sqlx_migrations') is not null").fetch_one(&mut *conn).await?;
    Ok(exists)
}
