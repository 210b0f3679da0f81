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

use vitae_repository::RepoError;

use super::error::{ServiceError, ServiceResult};
use super::indexer::{IndexPass, Indexer};
use super::profiles::{self as profiles_service, NewProfile};
use crate::api::common::FieldError;

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

/// One line of an import, parsed and checked as `POST /v1/profiles` checks a body (by the
/// caller: the HTTP handler or the command line).
pub struct ParsedLine {
    /// 1-based line number in the input.
    pub line: usize,
    pub external_id: Option<String>,
    pub profile: Result<NewProfile, Vec<FieldError>>,
}

/// Imports the lines into the tenant's profiles. `progress` is told how many lines are done
/// after each batch.
pub async fn run(
    pool: &PgPool,
    indexer: &Indexer,
    tenant_id: Uuid,
    lines: Vec<ParsedLine>,
    batch_size: usize,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> ImportReport {
    let total = lines.len();
    let mut report = ImportReport { lines: total, ..ImportReport::default() };
    let mut done = 0;
    for batch in lines.chunks(batch_size.max(1)) {
        let mut parsed = Vec::with_capacity(batch.len());
        for line in batch {
            match &line.profile {
                Ok(profile) => parsed.push((line.line, line.external_id.clone(), profile)),
                Err(errors) => report.push(failed(line.line, line.external_id.clone(), errors.clone())),
            }
        }
        for result in import_batch(pool, indexer, tenant_id, &parsed).await {
            report.push(result);
        }
        done += batch.len();
        progress(done, total);
    }
    report.results.sort_by_key(|r| r.line);
    report
}

pub fn failed(line: usize, external_id: Option<String>, errors: Vec<FieldError>) -> LineResult {
    LineResult { line, status: LineStatus::Failed, external_id, id: None, errors }
}

/// One batch in one transaction, its lines in external-id order so that concurrent imports of
/// overlapping ids lock profiles in the same order. Each line runs in a savepoint with its
/// search documents: a line the database refuses rolls back and fails alone, with its reason.
/// A batch that loses a deadlock runs again; one the database cannot take at all (gone,
/// saturated) reports every line failed and writes nothing of it.
async fn import_batch(
    pool: &PgPool,
    indexer: &Indexer,
    tenant_id: Uuid,
    lines: &[(usize, Option<String>, &NewProfile)],
) -> Vec<LineResult> {
    if lines.is_empty() {
        return Vec::new();
    }
    let mut ordered: Vec<&(usize, Option<String>, &NewProfile)> = lines.iter().collect();
    // Stable: lines of one external_id keep their order, and the last one wins.
    ordered.sort_by(|a, b| a.1.cmp(&b.1));
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
            tracing::warn!(%error, "an import batch failed as a whole");
            let reason = FieldError::new("", "unavailable", format!("the batch could not be written: {error}"));
            lines.iter().map(|(line, external_id, _)| failed(*line, external_id.clone(), vec![reason.clone()])).collect()
        }
    }
}

/// The lines of a batch, each in a savepoint with its search documents.
async fn write_lines(
    tx: &mut TenantTx,
    index: &mut IndexPass<'_>,
    lines: &[&(usize, Option<String>, &NewProfile)],
) -> ServiceResult<Vec<LineResult>> {
    let mut results = Vec::with_capacity(lines.len());
    for (line, external_id, body) in lines.iter().copied() {
        let external_id = external_id.clone();
        tx.savepoint().await?;
        let mut written = import_line(tx, index, body).await;
        if let Err(ServiceError::Repo(RepoError::Conflict { constraint })) = &written
            && constraint == "profiles_external_id_key"
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
            Err(error) if error.is_transient() => return Err(error),
            Err(error) => {
                tx.rollback_to_savepoint().await?;
                tracing::warn!(line, %error, "an import line failed");
                results.push(failed(*line, external_id, error.field_errors()));
            }
        }
    }
    Ok(results)
}

async fn import_line(tx: &mut TenantTx, index: &mut IndexPass<'_>, new: &NewProfile) -> ServiceResult<(Uuid, bool)> {
    let external_id = new.fields.external_id.as_deref().unwrap_or_default();
    let (aggregate, created) = match profiles::find_profile_by_external_id(tx, external_id).await? {
        Some(existing) => (profiles_service::replace(tx, existing.id, new).await?, false),
        None => (profiles_service::insert(tx, new).await?, true),
    };
    index.reindex(tx, std::slice::from_ref(&aggregate)).await?;
    Ok((aggregate.profile.id, created))
}
