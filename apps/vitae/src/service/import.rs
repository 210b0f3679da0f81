//! Bulk import: NDJSON, one whole profile per line (as `POST /v1/profiles` takes it), keyed by
//! `external_id` so that running the same import again updates instead of duplicating.
//!
//! Lines are committed in batches, one transaction each; every line runs inside a savepoint with
//! its search documents, so a line the database refuses rolls back alone. Each batch embeds all
//! its changed documents in one call, between two passes of its transaction (no connection held
//! while the model runs), so every imported profile is searchable once its batch returns.
//! A bad line never aborts or half-writes the others; the report names its line and fields.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use vitae_repository::{PgPool, TenantTx, profiles};

use super::indexer::{IndexPass, Indexer};
use crate::api::profiles::ProfileCreate;
use crate::http::contract::Contract;
use crate::http::extract::{checked_body, parse_json};
use crate::http::problem::{ApiError, ErrorCode, FieldError};
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

/// One batch in one transaction, its lines in external-id order so that concurrent imports of
/// overlapping ids lock profiles in the same order. Each line runs in a savepoint with its
/// search documents: a line the database refuses rolls back and fails alone, with its reason.
/// A batch that loses a deadlock runs again; one the database cannot take at all (gone,
/// saturated) reports every line failed and writes nothing of it.
async fn import_batch(pool: &PgPool, indexer: &Indexer, tenant_id: Uuid, lines: &[(usize, ProfileCreate)]) -> Vec<LineResult> {
    if lines.is_empty() {
        return Vec::new();
    }
    let mut ordered: Vec<&(usize, ProfileCreate)> = lines.iter().collect();
    // Stable: lines of one external_id keep their order, and the last one wins.
    ordered.sort_by(|a, b| a.1.external_id.cmp(&b.1.external_id));
    let mut indexed = indexer.write(pool, tenant_id);
    let outcome = loop {
        let (mut tx, mut index) = match indexed.begin().await {
            Ok(pass) => pass,
            Err(error) => break Err(error),
        };
        let result = write_lines(&mut tx, &mut index, &ordered).await;
        match indexed.end(tx, index, result).await {
            Ok(Some(results)) => break Ok(results),
            Ok(None) => continue,
            Err(error) => break Err(error),
        }
    };
    match outcome {
        Ok(results) => results,
        Err(error) => {
            tracing::warn!(error = ?error.internal, code = error.code.code(), "an import batch failed as a whole");
            let reason = FieldError::new(
                "",
                error.code.code(),
                error.detail.clone().unwrap_or_else(|| "the batch could not be written".into()),
            );
            lines.iter().map(|(line, body)| failed(*line, body.external_id.clone(), vec![reason.clone()])).collect()
        }
    }
}

/// The lines of a batch, each in a savepoint with its search documents.
async fn write_lines(
    tx: &mut TenantTx,
    index: &mut IndexPass<'_>,
    lines: &[&(usize, ProfileCreate)],
) -> Result<Vec<LineResult>, ApiError> {
    let mut results = Vec::with_capacity(lines.len());
    for (line, body) in lines.iter().copied() {
        let external_id = body.external_id.clone();
        tx.savepoint().await?;
        let mut written = import_line(tx, index, body).await;
        if let Err(error) = &written
            && error.code == ErrorCode::Conflict
            && error.errors.first().is_some_and(|e| e.field == "external_id")
        {
            // A concurrent import created this external_id since the line looked it up: it is
            // an update now.
            tx.rollback_to_savepoint().await?;
            tx.savepoint().await?;
            written = import_line(tx, index, body).await;
        }
        match written {
            Ok((id, created)) => {
                tx.release_savepoint().await?;
                let status = if created { LineStatus::Created } else { LineStatus::Updated };
                results.push(LineResult { line: *line, status, external_id, id: Some(id), errors: Vec::new() });
            }
            Err(error) if fails_the_batch(&error) => return Err(error),
            Err(error) => {
                tx.rollback_to_savepoint().await?;
                tracing::warn!(line, error = ?error.internal, code = error.code.code(), "an import line failed");
                results.push(failed(*line, external_id, problem_errors(error, "")));
            }
        }
    }
    Ok(results)
}

/// Errors that are not the line's fault: the database is gone or saturated, or the batch lost a
/// deadlock (then it runs again).
fn fails_the_batch(error: &ApiError) -> bool {
    matches!(error.code, ErrorCode::Unavailable | ErrorCode::Busy | ErrorCode::Contended)
}

async fn import_line(tx: &mut TenantTx, index: &mut IndexPass<'_>, body: &ProfileCreate) -> Result<(Uuid, bool), ApiError> {
    let new = body.parse()?;
    let external_id = new.fields.external_id.as_deref().unwrap_or_default();
    let (aggregate, created) = match profiles::find_profile_by_external_id(tx, external_id).await? {
        Some(existing) => (service::profiles::replace(tx, existing.id, &new).await?, false),
        None => (service::profiles::insert(tx, &new).await?, true),
    };
    index.reindex(tx, std::slice::from_ref(&aggregate)).await?;
    Ok((aggregate.profile.id, created))
}
