//! Tenant-scoped transactions. Row-level security admits only rows whose `tenant_id` equals the
//! transaction's `app.tenant_id`; `TenantTx` is the only way this crate hands out a transaction on
//! tenant data, and it sets that once, with SET LOCAL, so it ends with the transaction.

use std::ops::{Deref, DerefMut};

use sqlx::{AssertSqlSafe, PgPool, PgTransaction};
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
        // A Uuid prints as hex and dashes only, so it is safe inside the literal.
        let statement = format!("begin; set local app.tenant_id = '{tenant_id}'");
        let tx = pool.begin_with(AssertSqlSafe(statement)).await.map_err(|e| RepoError::on_acquire(pool, e))?;
        Ok(Self { tx, tenant_id })
    }

    /// Begins a read-only transaction confined to `tenant_id` (for searches and plain reads, which
    /// may be served by a replica). Repeatable read: every statement sees one snapshot, so a
    /// read of several statements never mixes before and after a write (read-only transactions
    /// never fail to serialise).
    pub async fn begin_read_only(pool: &PgPool, tenant_id: Uuid) -> RepoResult<Self> {
        let statement = format!("{BEGIN_READ_ONLY}; set local app.tenant_id = '{tenant_id}'");
        let tx = pool.begin_with(AssertSqlSafe(statement)).await.map_err(|e| RepoError::on_acquire(pool, e))?;
        Ok(Self { tx, tenant_id })
    }

    /// A read-only transaction with extra `SET LOCAL`s (search settings such as
    /// `ivfflat.probes`), all in one round trip. Names and values come from code and
    /// configuration, never from requests.
    pub async fn begin_read_only_with(pool: &PgPool, tenant_id: Uuid, settings: &[(&str, String)]) -> RepoResult<Self> {
        let mut statement = format!("{BEGIN_READ_ONLY}; set local app.tenant_id = '{tenant_id}'");
        for (name, value) in settings {
            debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_'));
            debug_assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'));
            statement.push_str(&format!("; set local {name} = {value}"));
        }
        let tx = pool.begin_with(AssertSqlSafe(statement)).await.map_err(|e| RepoError::on_acquire(pool, e))?;
        Ok(Self { tx, tenant_id })
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
