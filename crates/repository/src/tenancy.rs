//! Tenant-scoped transactions. Row-level security admits only rows whose `tenant_id` equals the
//! transaction's `app.tenant_id`; `TenantTx` is the only way this crate hands out a transaction on
//! tenant data, and it sets that once, with SET LOCAL, so it ends with the transaction.

use std::ops::{Deref, DerefMut};

use sqlx::{AssertSqlSafe, PgPool, PgTransaction, SqlSafeStr};
use uuid::Uuid;

use crate::error::{RepoError, RepoResult};

const BEGIN_READ_ONLY: &str = "begin transaction isolation level repeatable read, read only";

pub struct TenantTx {
    tx: PgTransaction<'static>,
    tenant_id: Uuid,
}

impl TenantTx {
    /// Begins a transaction confined to `tenant_id`, in one round trip.
    pub async fn begin(pool: &PgPool, tenant_id: Uuid) -> RepoResult<Self> {
        let statement = opening("begin", tenant_id, &[]);
        let tx = pool.begin_with(AssertSqlSafe(statement)).await.map_err(|e| RepoError::on_acquire(pool, e))?;
        Ok(Self { tx, tenant_id })
    }

    /// Begins a read-only transaction confined to `tenant_id` (for searches and plain reads, which
    /// may be served by a replica). Repeatable read: every statement sees one snapshot, so a
    /// read of several statements never mixes before and after a write (read-only transactions
    /// never fail to serialise).
    pub async fn begin_read_only(pool: &PgPool, tenant_id: Uuid) -> RepoResult<Self> {
        let statement = opening(BEGIN_READ_ONLY, tenant_id, &[]);
        let tx = pool.begin_with(AssertSqlSafe(statement)).await.map_err(|e| RepoError::on_acquire(pool, e))?;
        Ok(Self { tx, tenant_id })
    }

    /// A read-only transaction with extra `SET LOCAL`s (search settings such as
    /// `ivfflat.probes`), all in one round trip. Names and values come from code and
    /// configuration, never from requests.
    pub async fn begin_read_only_with(pool: &PgPool, tenant_id: Uuid, settings: &[(&str, String)]) -> RepoResult<Self> {
        let statement = opening(BEGIN_READ_ONLY, tenant_id, settings);
        let tx = pool.begin_with(AssertSqlSafe(statement)).await.map_err(|e| RepoError::on_acquire(pool, e))?;
        Ok(Self { tx, tenant_id })
    }

    /// A second read-only transaction of the same tenant, on another connection, that reads
    /// exactly what this one reads (its snapshot, exported and imported), so two statements of
    /// one search can run side by side. `None` when the pool has no connection to spare without
    /// waiting on other requests: an idle one, or room to open one within `wait`. Never queueing
    /// behind busy connections is what keeps searches that each hold one from waiting on each
    /// other for a second.
    pub async fn sibling(
        &mut self,
        pool: &PgPool,
        settings: &[(&str, String)],
        wait: std::time::Duration,
    ) -> RepoResult<Option<Self>> {
        let connection = match pool.try_acquire() {
            Some(connection) => connection,
            None if pool.size() < pool.options().get_max_connections() => {
                match tokio::time::timeout(wait, pool.acquire()).await {
                    Ok(Ok(connection)) => connection,
                    _ => return Ok(None),
                }
            }
            None => return Ok(None),
        };
        let snapshot: String = sqlx::query_scalar("select pg_export_snapshot()").fetch_one(&mut *self.tx).await?;
        // A snapshot id is hex digits and dashes (e.g. 00000003-0000001B-1).
        if !snapshot.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(RepoError::Database(sqlx::Error::Protocol(format!("unexpected snapshot id {snapshot:?}"))));
        }
        // The snapshot must be set before the transaction's first query; SET LOCAL is none.
        let begin = format!("{BEGIN_READ_ONLY}; set transaction snapshot '{snapshot}'");
        let statement = opening(&begin, self.tenant_id, settings);
        let tx = PgTransaction::begin(connection, Some(AssertSqlSafe(statement).into_sql_str())).await?;
        Ok(Some(Self { tx, tenant_id: self.tenant_id }))
    }

    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    pub async fn commit(self) -> RepoResult<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> RepoResult<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// `begin`, then the tenant and `settings` as `SET LOCAL`s: one round trip. A Uuid prints as hex
/// and dashes only, so it is safe inside the literal.
fn opening(begin: &str, tenant_id: Uuid, settings: &[(&str, String)]) -> String {
    let mut statement = format!("{begin}; set local app.tenant_id = '{tenant_id}'");
    for (name, value) in settings {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_'));
        debug_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'));
        statement.push_str(&format!("; set local {name} = {value}"));
    }
    statement
}

impl Deref for TenantTx {
    type Target = sqlx::PgConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl TenantTx {
    /// Marks a point this transaction can roll back to without losing the work before it (one
    /// line of a bulk import).
    pub async fn savepoint(&mut self) -> RepoResult<()> {
        sqlx::query("savepoint vitae_line").execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn release_savepoint(&mut self) -> RepoResult<()> {
        sqlx::query("release savepoint vitae_line").execute(&mut *self.tx).await?;
        Ok(())
    }

    pub async fn rollback_to_savepoint(&mut self) -> RepoResult<()> {
        sqlx::query("rollback to savepoint vitae_line").execute(&mut *self.tx).await?;
        Ok(())
    }
}
