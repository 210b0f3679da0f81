//! What readiness asks of the database.

use sqlx::PgPool;

use crate::error::RepoResult;
use crate::migrate;

/// `Ok(true)` when the database answers and carries every migration this build knows.
pub async fn migrations_current(pool: &PgPool) -> RepoResult<bool> {
    let mut conn = pool.acquire().await?;
    sqlx::query("select 1").execute(&mut *conn).await?;
    Ok(migrate::is_current(&mut conn).await?)
}

/// `Ok(())` when the database answers `SELECT 1`.
pub async fn ping(pool: &PgPool) -> RepoResult<()> {
    sqlx::query("select 1").execute(pool).await?;
    Ok(())
}
