//! Bulk import: NDJSON, one whole profile per line (as `POST /v1/profiles` takes it), keyed by
//! `external_id` so that running the same import again updates instead of duplicating.
//!
//! Lines are committed in batches, one transaction each; every line runs inside a savepoint, so
//! a line the database refuses rolls back alone. Each batch embeds all its changed documents in
//! one call before it commits, so every imported profile is searchable once its batch returns.
//! A bad line never aborts or half-writes the others; the report names its line and fields.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use vitae_domain::mask::ProfileAggregate;
use vitae_repository::{PgPool, TenantTx, profiles};

use super::indexer::Indexer;
use crate::api::profiles::ProfileCreate;
use crate::http::contract::Contract;
use crate::http::extract::{checked_body, parse_json};
use crate::http::problem::{ApiError, FieldError};
use crate::service;

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Created,
    Updated,
    Failed,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineResult {
    /// 1-based line number in the request body.
    pub line: usize,
    pub status: LineStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The profile's id (created or updated lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Why the line failed; `field` paths are within the line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The outcome of an import, line by line.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// Non-blank lines read.
    pub lines: usize,
    pub created: usize,
    pub updated: usize,
    pub failed: usize,
    pub results: Vec<LineResult>,
}

impl ImportReport {
    fn push(&mut self, result: LineResult) {
        match result.status {
            LineStatus::Created => self.created += 1,
            LineStatus::Updated => self.updated += 1,
            LineStatus::Failed => self.failed += 1,
        }
        self.results.push(result);
    }
}

pub const DEFAULT_BATCH: usize = 100;

/// Imports `text` (NDJSON) into the tenant's profiles. `progress` is told how many lines are
/// done after each batch.
pub async fn run(
    pool: &PgPool,
    indexer: &Indexer,
    contract: &Contract,
    tenant_id: Uuid,
    text: &str,
    batch_size: usize,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> ImportReport {
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    let mut report = ImportReport { lines: lines.len(), ..ImportReport::default() };
    let mut done = 0;
    for batch in lines.chunks(batch_size.max(1)) {
        let mut parsed = Vec::with_capacity(batch.len());
        for &(line, raw) in batch {
            match parse_line(contract, raw) {
                Ok(body) => parsed.push((line, body)),
                Err(errors) => report.push(failed(line, external_id_of(raw), errors)),
            }
        }
        for result in import_batch(pool, indexer, tenant_id, &parsed).await {
            report.push(result);
        }
        done += batch.len();
        progress(done, lines.len());
    }
    report.results.sort_by_key(|r| r.line);
    report
}

fn failed(line: usize, external_id: Option<String>, errors: Vec<FieldError>) -> LineResult {
    LineResult { line, status: LineStatus::Failed, external_id, id: None, errors }
}

/// Best effort, for reporting a line that did not parse.
fn external_id_of(raw: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(raw).ok()?.get("external_id")?.as_str().map(str::to_owned)
}

/// A line's profile, checked as `POST /v1/profiles` checks it; import lines need an `external_id`.
fn parse_line(contract: &Contract, raw: &str) -> Result<ProfileCreate, Vec<FieldError>> {
    let value: serde_json::Value = parse_json(raw.as_bytes()).map_err(|e| problem_errors(e, "line"))?;
    let needs_id = value.get("external_id").and_then(|v| v.as_str()).is_none_or(|id| id.trim().is_empty());
    let body: ProfileCreate = checked_body(contract, value).map_err(|e| problem_errors(e, "line"))?;
    if needs_id {
        return Err(vec![FieldError::new("external_id", "required", "import lines need an external_id")]);
    }
    Ok(body)
}

/// An `ApiError`'s field errors, or one error carrying its detail.
fn problem_errors(error: ApiError, field: &str) -> Vec<FieldError> {
    if error.errors.is_empty() {
        vec![FieldError::new(field, error.code.code(), error.detail.unwrap_or_default())]
    } else {
        error.errors
    }
}

/// One batch in one transaction. On a failure of the whole batch (database or embedding
/// provider gone), every line of it is reported failed and nothing of it is written.
async fn import_batch(pool: &PgPool, indexer: &Indexer, tenant_id: Uuid, lines: &[(usize, ProfileCreate)]) -> Vec<LineResult> {
    if lines.is_empty() {
        return Vec::new();
    }
    let mut results = Vec::with_capacity(lines.len());
    let outcome: Result<(), ApiError> = async {
        let mut tx = TenantTx::begin(pool, tenant_id).await?;
        let mut aggregates: Vec<ProfileAggregate> = Vec::with_capacity(lines.len());
        for (line, body) in lines {
            let external_id = body.external_id.clone();
            tx.savepoint().await?;
            match import_line(&mut tx, body).await {
                Ok((aggregate, created)) => {
                    tx.release_savepoint().await?;
                    results.push(LineResult {
                        line: *line,
                        status: if created { LineStatus::Created } else { LineStatus::Updated },
                        external_id,
                        id: Some(aggregate.profile.id),
                        errors: Vec::new(),
                    });
                    // A later line with the same external_id supersedes this one.
                    aggregates.retain(|a| a.profile.id != aggregate.profile.id);
                    aggregates.push(aggregate);
                }
                Err(error) if error.code.status().is_client_error() => {
                    tx.rollback_to_savepoint().await?;
                    results.push(failed(*line, external_id, problem_errors(error, "")));
                }
                Err(error) => return Err(error),
            }
        }
        indexer.reindex(&mut tx, &aggregates).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(error) = outcome {
        tracing::warn!(error = ?error.internal, "an import batch failed as a whole");
        let reason = FieldError::new(
            "",
            error.code.code(),
            error.detail.clone().unwrap_or_else(|| "the batch could not be written".into()),
        );
        return lines.iter().map(|(line, body)| failed(*line, body.external_id.clone(), vec![reason.clone()])).collect();
    }
    results
}

async fn import_line(tx: &mut TenantTx, body: &ProfileCreate) -> Result<(ProfileAggregate, bool), ApiError> {
    let new = body.parse()?;
    let external_id = new.fields.external_id.as_deref().unwrap_or_default();
    match profiles::find_profile_by_external_id(tx, external_id).await? {
        Some(existing) => Ok((service::profiles::replace(tx, existing.id, &new).await?, false)),
        None => Ok((service::profiles::insert(tx, &new).await?, true)),
    }
}
