//! Liveness and readiness for orchestrators.

use axum::extract::State;
use axum::Json;
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
        return Ok(Json(Readiness { status: "ready", database, migrations }));
    }
    Err(ApiError::new(ErrorCode::Unavailable)
        .with_detail(format!("not ready: database {database}, migrations {migrations}"))
        .with_extension("database", json!(database))
        .with_extension("migrations", json!(migrations))
        .retry_after(2))
}
