//! `POST /v1/profiles:import`: bulk import of NDJSON profiles (see `service::import`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Principal;
use super::problem::{ApiError, ErrorCode};
use crate::auth::Scope;
use crate::service::import::{self, ImportReport};
use crate::state::AppState;

/// NDJSON text: one JSON profile per line.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, min_length = 1, pattern = "^\\s*\\{[\\s\\S]*$")]
#[allow(dead_code)]
pub struct NdjsonBody(String);

pub fn router(body_limit: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_profiles)).layer(axum::extract::DefaultBodyLimit::max(body_limit))
}

/// Import many profiles: one JSON profile per line (as `create_profile` takes it), each with an
/// `external_id`. A line whose `external_id` exists updates that profile (its experiences,
/// skills and masks are replaced); others are created. Lines are committed in batches; a bad
/// line fails alone and the report names its line and fields.
#[utoipa::path(post, path = "/v1/profiles:import", tag = "profiles", operation_id = "import_profiles",
    request_body(content = NdjsonBody, content_type = "application/x-ndjson",
        description = "One profile per line, as `create_profile` takes it, with an `external_id`.",
        example = "{\"external_id\": \"crm-1\", \"display_name\": \"Ada Lovelace\", \"skills\": [{\"name\": \"Mathematics\"}]}\n{\"external_id\": \"crm-2\", \"display_name\": \"Grace Hopper\"}\n"),
    responses((status = 200, description = "What happened to each line", body = ImportReport)),
    security(("api_key" = ["write"])))]
pub async fn import_profiles(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    principal.require(Scope::Write)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !matches!(essence.as_str(), "application/x-ndjson" | "application/jsonl" | "application/x-jsonlines") {
        return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
            .with_detail("send one JSON profile per line with Content-Type: application/x-ndjson"));
    }
    let text = std::str::from_utf8(&body).map_err(|e| ApiError::malformed(format!("the body is not UTF-8: {e}")))?;
    // Lines that are bad profiles are reported one by one; a body with no JSON object on any
    // line is not NDJSON of profiles at all.
    let objects = text.lines().filter(|l| l.trim_start().starts_with('{')).count();
    if objects == 0 {
        return Err(ApiError::malformed("the body has no JSON object lines: send one JSON profile per line"));
    }
    let report = import::run(
        &state.pools.primary,
        &state.indexer,
        &state.contract,
        principal.tenant_id,
        text,
        import::DEFAULT_BATCH,
        &|_, _| {},
    )
    .await;
    Ok(Json(report))
}
