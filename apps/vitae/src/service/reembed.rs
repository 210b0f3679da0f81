//! Re-embedding after a change of model: every document whose embedding was made by another
//! model (or has none) gets a new one, a few profiles at a time, each batch in its own
//! transaction. Documents written before they recorded the day their years were counted are
//! rebuilt the same way (their embeddings are kept: the text is unchanged). Search keeps serving
//! the old vectors until each batch replaces them; stopped
//! half-way (or killed), a new run finishes the rest and nothing is lost, since a batch commits
//! whole or not at all.

use uuid::Uuid;

use vitae_repository::{Pools, TenantTx, documents, profiles, tenants};

use super::error::{ServiceError, ServiceResult};
use super::indexer::Indexer;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub profiles_total: u64,
    pub profiles_done: u64,
    pub batches: u64,
}

/// Re-embeds what needs it. `profiles_total` is known before the first batch; `on_batch` is
/// told after each commit. `max_batches` stops early (as an interruption would).
pub async fn run(
    pools: &Pools,
    indexer: &Indexer,
    batch_size: i64,
    max_batches: Option<u64>,
    on_batch: &(dyn Fn(Progress) + Send + Sync),
) -> ServiceResult<Progress> {
    let owner = pools
        .owner
        .as_ref()
        .ok_or_else(|| ServiceError::Internal("re-embedding every tenant needs VITAE_OWNER_DATABASE_URL".into()))?;
    let model = indexer.embedder().model_id().to_owned();
    let tenant_ids = tenants::all_ids(owner).await?;
    let mut progress = Progress::default();
    for &tenant in &tenant_ids {
        let mut tx = TenantTx::begin_read_only(&pools.primary, tenant).await?;
        progress.profiles_total += u64::try_from(documents::count_profiles_needing_rebuild(&mut tx, &model).await?).unwrap_or(0);
        tx.commit().await?;
    }
    on_batch(progress);
    for tenant in tenant_ids {
        loop {
            if max_batches.is_some_and(|max| progress.batches >= max) {
                return Ok(progress);
            }
            let done = reembed_batch(pools, indexer, tenant, &model, batch_size).await?;
            if done == 0 {
                break;
            }
            progress.profiles_done += done;
            progress.batches += 1;
            on_batch(progress);
        }
    }
    Ok(progress)
}

async fn reembed_batch(pools: &Pools, indexer: &Indexer, tenant: Uuid, model: &str, batch_size: i64) -> ServiceResult<u64> {
    let mut tx = TenantTx::begin(&pools.primary, tenant).await?;
    let ids = documents::profiles_needing_rebuild(&mut tx, model, batch_size).await?;
    if ids.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let mut records = Vec::with_capacity(ids.len());
    for id in &ids {
        // Queue behind writers of the same profile, so the rebuild reads its current state.
        records.push(profiles::lock_profile(&mut tx, *id).await?);
    }
    let aggregates = profiles::load_parts(&mut tx, records).await?;
    indexer.reindex(&mut tx, &aggregates).await?;
    tx.commit().await?;
    Ok(ids.len() as u64)
}
