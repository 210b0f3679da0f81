//! Liveness and readiness for orchestrators.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::json;

use super::problem::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
}

/// The process is alive and serving HTTP. Touches nothing else, so a database outage never gets
/// the process restarted.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "get_health",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    status: &'static str,
    database: &'static str,
    migrations: &'static str,
    /// The embedding model serving queries (loaded before the server accepts requests).
    model: String,
}

/// Ready to take traffic: the database answers `SELECT 1` and carries every migration this build
/// knows. When not, a 503 problem document says which check failed.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "get_readiness",
    responses((status = 200, description = "Ready", body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    let (database, migrations) = match vitae_repository::health::migrations_current(&state.pools.primary).await {
        Ok(true) => ("ok", "current"),
        Ok(false) => ("ok", "pending"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            ("unreachable", "unknown")
        }
    };
    if database == "ok" && migrations == "current" {
        return Ok(Json(Readiness {
            status: "ready",
            database,
            migrations,
            model: state.indexer.embedder().model_id().to_owned(),
        }));
    }
    Err(ApiError::new(ErrorCode::Unavailable)
        .with_detail(format!("not ready: database {database}, migrations {migrations}"))
        .with_extension("database", json!(database))
        .with_extension("migrations", json!(migrations))
        .retry_after(2))
}

/// The slowest statements by mean time (`pg_stat_statements`; constants shown as `$n`, so no
/// tenant's data appears). Shared by every tenant of this deployment.
#[utoipa::path(get, path = "/v1/admin/statements", tag = "operations", operation_id = "list_statements",
    responses((status = 200, description = "Up to 20 statements, slowest first", body = Vec<StatementStatsBody>)),
    security(("api_key" = ["admin"])))]
pub async fn list_statements(
    State(state): State<AppState>,
    principal: super::auth::Principal,
) -> Result<Json<Vec<StatementStatsBody>>, ApiError> {
    principal.require(crate::auth::Scope::Admin)?;
    let pool = state.pools.owner.as_ref().unwrap_or(&state.pools.primary);
    let rows = vitae_repository::health::slowest_statements(pool, 20)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Unavailable).with_detail(format!("pg_stat_statements is not readable: {e}")))?;
    Ok(Json(
        rows.into_iter()
            .map(|r| StatementStatsBody {
                query: r.query,
                calls: r.calls,
                mean_ms: r.mean_ms,
                max_ms: r.max_ms,
                total_ms: r.total_ms,
                rows: r.rows,
            })
            .collect(),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatementStatsBody {
    /// Normalised text: constants replaced by `$n`.
    pub query: String,
    pub calls: i64,
    pub mean_ms: f64,
    pub max_ms: f64,
    pub total_ms: f64,
    pub rows: i64,
}
