//! Index upkeep, in the background: builds the ANN index once the table is large enough to
//! train it, rebuilds it (concurrently, searches keep being served) when the row count has
//! drifted far from what it was built for or the configured kind changed, and refreshes every
//! instance's view of which index serves. Needs the owner role.

use std::sync::atomic::Ordering;

use tokio_util::sync::CancellationToken;

use vitae_repository::ann::{self, AnnState, BuildOptions, IndexKind, VectorStorage};
use vitae_repository::keyword;

use crate::state::AppState;

/// Rebuild when the table has grown or shrunk by this factor since the build.
const DRIFT: f64 = 2.0;

/// Real query texts the index is calibrated on, one per line (`#` starts a comment).
const CALIBRATION_QUERIES: &str = include_str!("calibration_queries.txt");

/// The calibration queries' embeddings; none (points between documents only) when the
/// model fails, with a warning, rather than no index.
pub async fn calibration_queries(embedder: &dyn vitae_embed::Embedder) -> Vec<pgvector::Vector> {
    let texts: Vec<String> =
        CALIBRATION_QUERIES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect();
    match embedder.embed(texts).await {
        Ok(vectors) => vectors.into_iter().map(pgvector::Vector::from).collect(),
        Err(error) => {
            tracing::warn!(%error, "calibrating the index without query texts: embedding them failed");
            Vec::new()
        }
    }
}

pub async fn run(state: AppState, stop: CancellationToken) {
    // A first look soon after start-up, then at the configured interval.
    let mut wait = std::time::Duration::from_secs(2);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        wait = state.config.ann_check_interval;
        // Stopping mid-build cancels the build; the next build drops what it left behind.
        tokio::select! {
            () = stop.cancelled() => return,
            result = tick(&state) => if let Err(error) = result {
                tracing::warn!(%error, "index upkeep failed; trying again later");
            }
        }
    }
}

/// One look: refresh the serving index, fold the keyword statistics' deltas, build or rebuild
/// the index when due.
pub async fn tick(state: &AppState) -> anyhow::Result<()> {
    refresh(state).await?;
    let Some(owner) = state.pools.owner.as_ref() else {
        return Ok(());
    };
    compact_keyword_statistics(state, owner).await?;
    if !state.config.ann_auto {
        return Ok(());
    }
    let rows = ann::estimated_rows(owner).await?;
    if let Some(reason) = due(state.ann().as_ref(), rows, state.config.ann_min_rows, wanted(state)) {
        tracing::info!(rows, reason, "building the ANN index");
        rebuild(state, None).await?;
    }
    Ok(())
}

/// Every write appends a delta per word to the keyword statistics; reading sums them. Folds them
/// into one row per word once they have doubled since the last fold (and past a floor, so a small
/// tenant is not rewritten every time).
async fn compact_keyword_statistics(state: &AppState, owner: &vitae_repository::PgPool) -> anyhow::Result<()> {
    const FLOOR: i64 = 10_000;
    let rows = keyword::estimated_delta_rows(owner).await?;
    let after_last = state.keyword_rows_after_compaction.load(Ordering::Relaxed);
    if rows > FLOOR.max(2 * after_last) {
        keyword::compact(owner).await?;
        let after = keyword::estimated_delta_rows(owner).await?;
        tracing::info!(before = rows, "folded the keyword statistics");
        state.keyword_rows_after_compaction.store(after.min(rows), Ordering::Relaxed);
    }
    Ok(())
}

fn wanted(state: &AppState) -> (IndexKind, VectorStorage, bool) {
    (state.config.ann_index, state.config.ann_storage, state.config.ann_passages)
}

/// Why an index is due, if it is.
pub fn due(
    current: Option<&AnnState>,
    rows: i64,
    min_rows: i64,
    (kind, storage, passages): (IndexKind, VectorStorage, bool),
) -> Option<&'static str> {
    if rows < min_rows {
        return None;
    }
    match current {
        None => Some("no index yet"),
        Some(s) if s.kind() != kind => Some("the configured index kind changed"),
        Some(s) if s.storage() != storage => Some("the configured index storage changed"),
        // Only HNSW builds index the passages (an index built before they could lacks them).
        Some(s) if kind == IndexKind::Hnsw && s.passage_index_name.is_some() != passages => {
            Some("the configured passage index changed")
        }
        Some(s) => {
            let ratio = rows as f64 / s.rows_at_build.max(1) as f64;
            (!(1.0 / DRIFT..=DRIFT).contains(&ratio)).then_some("the row count drifted from the build's")
        }
    }
}

/// Reads which index serves (another instance may have rebuilt it).
pub async fn refresh(state: &AppState) -> anyhow::Result<()> {
    let current = ann::state(&state.pools.primary).await?;
    state.set_ann(current);
    Ok(())
}

/// Builds a new index now (unless a build is already running, here or elsewhere).
pub async fn rebuild(state: &AppState, lists: Option<i32>) -> anyhow::Result<Option<AnnState>> {
    let Some(owner) = state.pools.owner.as_ref() else {
        anyhow::bail!("building the index needs VITAE_OWNER_DATABASE_URL");
    };
    if state.index_building.swap(true, Ordering::SeqCst) {
        return Ok(None);
    }
    let options = BuildOptions {
        kind: state.config.ann_index,
        storage: state.config.ann_storage,
        lists,
        target_recall: state.config.ann_target_recall,
        maintenance_work_mem: state.config.ann_build_memory.clone(),
        ef_construction: state.config.ann_hnsw_ef_construction,
        hnsw_m: state.config.ann_hnsw_m,
        passages: state.config.ann_passages,
        queries: calibration_queries(state.indexer.embedder().as_ref()).await,
        ..BuildOptions::default()
    };
    let started = std::time::Instant::now();
    let built = ann::build(owner, &options).await;
    state.index_building.store(false, Ordering::SeqCst);
    let built = built?;
    if let Some(s) = &built {
        tracing::info!(
            kind = %s.kind, storage = %s.storage, lists = s.lists, rows = s.rows_at_build, probes = s.probes,
            recall = s.measured_recall, passage_probes = s.passage_probes, passage_recall = s.passage_recall,
            seconds = started.elapsed().as_secs_f64(), "ANN index built"
        );
        if s.passages_miss_recall(state.config.ann_target_recall) {
            tracing::warn!(
                recall = s.passage_recall,
                target = state.config.ann_target_recall,
                probes = s.passage_probes,
                "the passages' walk misses the target recall even at the largest ef_search tried; \
                 searches will find fewer documents through their nearest passage"
            );
        }
        if s.misses_recall(state.config.ann_target_recall) {
            tracing::warn!(
                recall = s.measured_recall,
                target = state.config.ann_target_recall,
                probes = s.probes,
                "the ANN index misses the target recall even at the largest probes tried; \
                 searches will miss neighbours (more lists, or the other index kind, may help)"
            );
        }
        state.set_ann(Some(s.clone()));
    }
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(rows: i64) -> AnnState {
        AnnState {
            index_name: "i".into(),
            kind: "ivfflat".into(),
            storage: "vector".into(),
            lists: 10,
            rows_at_build: rows,
            probes: 3,
            measured_recall: Some(0.97),
            build_ms: 1,
            built_at: chrono::Utc::now(),
            passage_probes: None,
            passage_recall: None,
            passage_index_name: None,
        }
    }

    #[test]
    fn an_index_is_due_once_the_table_is_large_enough_and_again_when_it_drifts() {
        let kind = (IndexKind::IvfFlat, VectorStorage::Vector, true);
        assert_eq!(due(None, 9_999, 10_000, kind), None);
        assert!(due(None, 10_000, 10_000, kind).is_some());
        assert_eq!(due(Some(&built(10_000)), 19_000, 10_000, kind), None);
        assert!(due(Some(&built(10_000)), 21_000, 10_000, kind).is_some());
        assert!(due(Some(&built(40_000)), 15_000, 10_000, kind).is_some());
        assert!(due(Some(&built(10_000)), 10_000, 10_000, (IndexKind::Hnsw, VectorStorage::Vector, true)).is_some());
        let halfvec = due(Some(&built(10_000)), 10_000, 10_000, (IndexKind::IvfFlat, VectorStorage::Halfvec, true));
        assert_eq!(halfvec, Some("the configured index storage changed"));
    }

    #[test]
    fn an_hnsw_index_is_due_again_when_the_passage_index_it_has_is_not_the_configured_one() {
        let hnsw = |passage_index_name: Option<&str>| AnnState {
            kind: "hnsw".into(),
            passage_index_name: passage_index_name.map(Into::into),
            ..built(10_000)
        };
        let wanted = |passages| (IndexKind::Hnsw, VectorStorage::Vector, passages);
        let changed = Some("the configured passage index changed");
        assert_eq!(due(Some(&hnsw(None)), 10_000, 10_000, wanted(true)), changed, "built before passages were indexed");
        assert_eq!(due(Some(&hnsw(Some("p"))), 10_000, 10_000, wanted(false)), changed, "switched off");
        assert_eq!(due(Some(&hnsw(Some("p"))), 10_000, 10_000, wanted(true)), None);
        assert_eq!(due(Some(&hnsw(None)), 10_000, 10_000, wanted(false)), None);
        // IVFFlat builds never index the passages.
        assert_eq!(due(Some(&built(10_000)), 10_000, 10_000, (IndexKind::IvfFlat, VectorStorage::Vector, true)), None);
    }
}
