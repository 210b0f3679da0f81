//! Tenants and their API keys.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::{RepoError, RepoResult};
use crate::tenancy::TenantTx;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// Creates a tenant. Runs under the new tenant's own id, so row-level security admits the row.
pub async fn create(pool: &PgPool, name: &str) -> RepoResult<Tenant> {
    let id = Uuid::now_v7();
    let mut tx = TenantTx::begin(pool, id).await?;
    let tenant =
        sqlx::query_as::<_, Tenant>("insert into vitae.tenants (id, name) values ($1, $2) returning id, name, created_at")
            .bind(id)
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(tenant)
}

/// Finds a tenant by id or by exact name (through the owner's look-up function).
pub async fn find(pool: &PgPool, id_or_name: &str) -> RepoResult<Tenant> {
    let (id, name): (Uuid, String) = sqlx::query_as("select id, name from vitae.find_tenant($1)")
        .bind(id_or_name)
        .fetch_optional(pool)
        .await?
        .ok_or(RepoError::NotFound)?;
    let mut tx = TenantTx::begin_read_only(pool, id).await?;
    let tenant = sqlx::query_as::<_, Tenant>("select id, name, created_at from vitae.tenants where id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    debug_assert_eq!(tenant.name, name);
    Ok(tenant)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What authentication needs to know about a key id, before any tenant is known.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyCredentials {
    pub tenant_id: Uuid,
    pub secret_hash: Vec<u8>,
    pub scopes: Vec<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_key(
    tx: &mut TenantTx,
    id: Uuid,
    name: &str,
    secret_hash: &[u8; 32],
    scopes: &[String],
) -> RepoResult<ApiKeyRecord> {
    let tenant = tx.tenant_id();
    Ok(sqlx::query_as::<_, ApiKeyRecord>(
        "insert into vitae.api_keys (tenant_id, id, name, secret_hash, scopes) values ($1, $2, $3, $4, $5) \
         returning id, name, scopes, created_at, revoked_at",
    )
    .bind(tenant)
    .bind(id)
    .bind(name)
    .bind(secret_hash.as_slice())
    .bind(scopes)
    .fetch_one(&mut **tx)
    .await?)
}

/// Revokes a key of the transaction's tenant; revoking twice keeps the first time.
pub async fn revoke_key(tx: &mut TenantTx, id: Uuid) -> RepoResult<ApiKeyRecord> {
    sqlx::query_as::<_, ApiKeyRecord>(
        "update vitae.api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 \
         returning id, name, scopes, created_at, revoked_at",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(RepoError::NotFound)
}

pub async fn list_keys(tx: &mut TenantTx) -> RepoResult<Vec<ApiKeyRecord>> {
    Ok(sqlx::query_as::<_, ApiKeyRecord>("select id, name, scopes, created_at, revoked_at from vitae.api_keys order by id")
        .fetch_all(&mut **tx)
        .await?)
}

/// The credentials of one key id, across tenants (the owner's look-up function answers for this
/// exact id only).
pub async fn key_credentials(pool: &PgPool, key_id: Uuid) -> RepoResult<Option<KeyCredentials>> {
    sqlx::query_as::<_, KeyCredentials>("select tenant_id, secret_hash, scopes, revoked_at from vitae.find_api_key($1)")
        .bind(key_id)
        .fetch_optional(pool)
        .await
        .map_err(|e| RepoError::on_acquire(pool, e))
}

/// Every tenant's id. Needs the owner role (maintenance across tenants); the service role sees
/// only its request's tenant.
pub async fn all_ids(owner: &PgPool) -> RepoResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar("select id from vitae.tenants order by id").fetch_all(owner).await?)
}
