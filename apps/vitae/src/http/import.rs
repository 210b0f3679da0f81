//! `POST /v1/profiles:import`: bulk import of NDJSON profiles (see `service::import`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Principal;
use super::contract::Contract;
use super::extract::{checked_body, parse_json};
use super::problem::{ApiError, ErrorCode, FieldError};
use crate::api::profiles::ProfileCreate;
use crate::auth::Scope;
use crate::service::import::{self, ImportReport, ParsedLine};
use crate::service::profiles::NewProfile;
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
    let lines = parse_lines(&state.contract, text);
    let report =
        import::run(&state.pools.primary, &state.indexer, principal.tenant_id, lines, import::DEFAULT_BATCH, &|_, _| {}).await;
    Ok(Json(report))
}

/// The non-blank lines of an NDJSON import, each parsed and checked as `POST /v1/profiles`
/// checks a body; import lines also need an `external_id`.
pub fn parse_lines(contract: &Contract, text: &str) -> Vec<ParsedLine> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(line, raw)| {
            let profile = parse_line(contract, raw);
            let external_id = match &profile {
                Ok(p) => p.fields.external_id.clone(),
                Err(_) => external_id_of(raw),
            };
            ParsedLine { line, external_id, profile }
        })
        .collect()
}

fn parse_line(contract: &Contract, raw: &str) -> Result<NewProfile, Vec<FieldError>> {
    let value: serde_json::Value = parse_json(raw.as_bytes()).map_err(|e| problem_errors(e, "line"))?;
    let needs_id = value.get("external_id").and_then(|v| v.as_str()).is_none_or(|id| id.trim().is_empty());
    let body: ProfileCreate = checked_body(contract, value).map_err(|e| problem_errors(e, "line"))?;
    if needs_id {
        return Err(vec![FieldError::new("external_id", "required", "import lines need an external_id")]);
    }
    body.parse().map_err(|e| problem_errors(e, ""))
}

/// Best effort, for reporting a line that did not parse.
fn external_id_of(raw: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(raw).ok()?.get("external_id")?.as_str().map(str::to_owned)
}

/// An `ApiError`'s field errors, or one error carrying its detail.
fn problem_errors(error: ApiError, field: &str) -> Vec<FieldError> {
    if error.errors.is_empty() {
        vec![FieldError::new(field, error.code.code(), error.detail.unwrap_or_default())]
    } else {
        error.errors
    }
}
