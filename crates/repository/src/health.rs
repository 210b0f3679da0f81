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

/// One normalised statement from `pg_stat_statements` (constants replaced by `$n`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatementStats {
    pub query: String,
    pub calls: i64,
    pub mean_ms: f64,
    pub max_ms: f64,
    pub total_ms: f64,
    pub rows: i64,
}

/// The slowest statements of this database by mean execution time. Needs the extension and, to
/// see every role's statements, `pg_read_all_stats` (deploy/sql/roles.sql grants it to the owner).
pub async fn slowest_statements(pool: &PgPool, limit: i64) -> RepoResult<Vec<StatementStats>> {
    Ok(sqlx::query_as(
        "select left(regexp_replace(query, '\\s+', ' ', 'g'), 500) as query, calls, mean_exec_time as mean_ms, \
           max_exec_time as max_ms, total_exec_time as total_ms, rows \
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) \
           and query not ilike '%pg_stat_statements%' \
         order by mean_exec_time desc limit $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
