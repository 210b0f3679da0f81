//! The approximate-nearest-neighbour index over document embeddings, shared by every tenant.
//!
//! - Size: IVFFlat `lists` is rows/1000 up to a million rows and sqrt(rows) beyond; below
//!   `min_rows` no index pays, and search ranks exactly.
//! - Builds run as the owner, `CREATE INDEX CONCURRENTLY` under a new name, then the old index is
//!   dropped concurrently: searches are served throughout.
//! - Probes are calibrated at build time: the smallest `ivfflat.probes` (or `hnsw.ef_search`)
//!   whose recall@10 against exact search reaches the target on a sample of stored vectors.
//! - An HNSW build also indexes the passages (a role, the skills, ...), so that a search finds
//!   documents through their nearest passage, not only re-scores the nearest documents by it.

use std::time::Instant;

use pgvector::Vector;
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, PgPool};
use uuid::Uuid;

use crate::error::{RepoError, RepoResult};

/// Only one build at a time across every instance of the service.
const BUILD_LOCK: i64 = 0x7669_7461_6502;

pub use vitae_domain::search::{IndexKind, VectorStorage};

/// Dimensions of the stored embeddings (`vector(384)`, migration 0004): an index over
/// `halfvec` needs them in its expression, and a search must write the same expression.
pub const EMBEDDING_DIMENSIONS: usize = 384;

/// What the index orders by, as a search must write it to be served by the index: the column,
/// or its cast to half precision.
pub fn indexed_expression(storage: VectorStorage, column: &str) -> String {
    match storage {
        VectorStorage::Vector => column.to_owned(),
        VectorStorage::Halfvec => format!("{column}::halfvec({EMBEDDING_DIMENSIONS})"),
    }
}

/// `column`'s distance to the query vector `param`, written as the index over `storage` serves
/// it (for an ORDER BY).
pub fn distance_order(storage: VectorStorage, column: &str, param: &str) -> String {
    format!("{} <=> {param}::{}", indexed_expression(storage, column), indexed_expression(storage, "vector"))
}

/// The columns of [`AnnState`] (from `vitae.ann_index_state`, or returned by a write to it). The
/// passage index is named only while it exists: a search through a missing one would rank every
/// passage.
const STATE_COLUMNS: &str = "index_name, kind, storage, lists, rows_at_build, probes, measured_recall, build_ms, built_at, \
    passage_probes, passage_recall, (select i.indexname::text from pg_indexes i where i.schemaname = 'vitae' and i.indexname = passage_index_name) \
    as passage_index_name";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AnnState {
    pub index_name: String,
    pub kind: String,
    /// `vector` or `halfvec` ([`VectorStorage`]).
    pub storage: String,
    pub lists: i32,
    pub rows_at_build: i64,
    pub probes: i32,
    pub measured_recall: Option<f32>,
    /// Both indexes' build time.
    pub build_ms: i64,
    pub built_at: chrono::DateTime<chrono::Utc>,
    /// The passages' ef_search and the recall@10 it was calibrated to, against an exact scan of
    /// the passages (`None` when calibrated before the passages were).
    pub passage_probes: Option<i32>,
    pub passage_recall: Option<f32>,
    /// The passages' index, built with the documents' (HNSW only, over the same vector type).
    pub passage_index_name: Option<String>,
}

impl AnnState {
    pub fn kind(&self) -> IndexKind {
        IndexKind::parse(&self.kind).unwrap_or(IndexKind::IvfFlat)
    }

    pub fn storage(&self) -> VectorStorage {
        VectorStorage::parse(&self.storage).unwrap_or(VectorStorage::Vector)
    }

    /// Whether calibration fell short of `target` recall even at the largest probes it tried.
    pub fn misses_recall(&self, target: f64) -> bool {
        below(self.measured_recall, target)
    }

    /// The passages' walk's ef_search, when they are indexed: calibrated on them, but never below
    /// the documents' (their graph holds three times the rows; at 100k bench profiles the real
    /// query texts asked for 150 against the documents' 200, and the bench's found less with it).
    /// An index calibrated before the passages were takes the documents'.
    pub fn passage_walk_probes(&self) -> Option<i32> {
        self.passage_index_name.as_ref().map(|_| self.passage_probes.map_or(self.probes, |p| p.max(self.probes)))
    }

    /// Whether the passages' walk misses the target recall even at the largest ef_search tried
    /// (searches then find fewer documents through their passages).
    pub fn passages_miss_recall(&self, target: f64) -> bool {
        below(self.passage_recall, target)
    }
}

fn below(recall: Option<f32>, target: f64) -> bool {
    // Stored as f32: 0.95 reads back a hair below 0.95.
    recall.is_some_and(|r| f64::from(r) + 1e-6 < target)
}

/// IVFFlat lists for `rows`: rows/1000 up to a million rows, sqrt(rows) beyond.
pub fn lists_for(rows: i64) -> i32 {
    let lists = if rows <= 1_000_000 { rows / 1000 } else { (rows as f64).sqrt() as i64 };
    lists.clamp(1, 32_768) as i32
}

/// The index serving now, if any (readable by the service role).
pub async fn state<'c>(db: impl sqlx::PgExecutor<'c>) -> RepoResult<Option<AnnState>> {
    Ok(sqlx::query_as::<_, AnnState>(AssertSqlSafe(format!(
        "select {STATE_COLUMNS} from vitae.ann_index_state s \
         where exists (select from pg_indexes i where i.schemaname = 'vitae' and i.indexname = s.index_name)"
    )))
    .fetch_optional(db)
    .await?)
}

/// Rows in the embeddings table, as the planner's statistics know them (no row is read).
pub async fn estimated_rows(pool: &PgPool) -> RepoResult<i64> {
    let estimate: f32 =
        sqlx::query_scalar("select greatest(reltuples, 0) from pg_class where oid = 'vitae.document_embeddings'::regclass")
            .fetch_one(pool)
            .await?;
    Ok(estimate as i64)
}

/// HNSW `m` by default. Each row a filtered scan walks past reads up to 2m neighbours: at a
/// million bench profiles a graph of 8 walked a tag on 10% in 18-19 ms of SQL against 25 at 16
/// (through the service 19.4-24.9 against 24.4-25.8 over a few runs), and unfiltered searches
/// were faster too, at the same calibrated target (recall 0.956 against 0.960, with ef_search
/// 800 against 600). Its recall tops out lower, hence [`DENSE_HNSW_M`].
pub const DEFAULT_HNSW_M: i32 = 8;
/// pgvector's default `m`: the density a sparser graph is rebuilt at when it cannot reach the
/// target recall at any ef_search calibration tries.
pub const DENSE_HNSW_M: i32 = 16;

/// Settings for a build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub kind: IndexKind,
    pub storage: VectorStorage,
    /// IVFFlat lists (derived from the row count when absent); HNSW `m`.
    pub lists: Option<i32>,
    /// Recall@10 the calibrated probes must reach.
    pub target_recall: f64,
    /// Points between stored documents to calibrate on.
    pub sample: i64,
    /// Embeddings of real query texts to calibrate on as well (short queries sit farther from
    /// every document than points between documents do, and need more probes).
    pub queries: Vec<Vector>,
    pub maintenance_work_mem: String,
    /// HNSW `ef_construction`.
    pub ef_construction: i32,
    /// HNSW `m` when `lists` does not say. A graph sparser than [`DENSE_HNSW_M`] whose
    /// calibration cannot reach the target recall is built again at that density.
    pub hnsw_m: i32,
    /// Whether an HNSW build indexes the passages too (with the documents' `m`, `ef_construction`
    /// and vector type; searched with an `ef_search` calibrated on their own).
    pub passages: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            kind: IndexKind::IvfFlat,
            storage: VectorStorage::Halfvec,
            lists: None,
            target_recall: 0.95,
            sample: 100,
            queries: Vec::new(),
            maintenance_work_mem: "512MB".into(),
            ef_construction: 128,
            hnsw_m: DEFAULT_HNSW_M,
            passages: true,
        }
    }
}

/// Builds a new index concurrently, calibrates its probes, records it and drops the previous
/// one. `Ok(None)` when another build holds the lock.
pub async fn build(owner: &PgPool, options: &BuildOptions) -> RepoResult<Option<AnnState>> {
    let Some(mut conn) = lock_builds(owner).await? else {
        return Ok(None);
    };
    let result = build_locked(&mut conn, options).await;
    unlock_builds(&mut conn).await;
    result.map(Some)
}

/// A connection holding the build lock, or `None` while another build (or calibration) holds it.
async fn lock_builds(owner: &PgPool) -> RepoResult<Option<sqlx::pool::PoolConnection<sqlx::Postgres>>> {
    let mut conn = owner.acquire().await?;
    let locked: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)").bind(BUILD_LOCK).fetch_one(&mut *conn).await?;
    Ok(locked.then_some(conn))
}

async fn unlock_builds(conn: &mut PgConnection) {
    let _ = sqlx::query("select pg_advisory_unlock($1)").bind(BUILD_LOCK).execute(conn).await;
}

async fn build_locked(conn: &mut PgConnection, options: &BuildOptions) -> RepoResult<AnnState> {
    drop_leftovers(conn).await?;
    conn.execute("analyze vitae.document_embeddings").await?;
    let rows: i64 = sqlx::query_scalar("select count(*) from vitae.document_embeddings").fetch_one(&mut *conn).await?;
    let previous = recorded_indexes(conn).await?;
    let build_id = Uuid::now_v7().simple();
    let name = format!("document_embeddings_ann_{build_id}");
    // `vector_cosine_ops` or `halfvec_cosine_ops`, over the column or its cast.
    let column = format!("({}) {}_cosine_ops", indexed_expression(options.storage, "embedding"), options.storage.as_str());
    let (lists, using) = match options.kind {
        IndexKind::IvfFlat => {
            let lists = options.lists.unwrap_or_else(|| lists_for(rows));
            (lists, format!("ivfflat ({column}) with (lists = {lists})"))
        }
        IndexKind::Hnsw => {
            let m = options.lists.unwrap_or(options.hnsw_m);
            // ef_construction must be at least 2m.
            let ef = options.ef_construction.max(2 * m);
            (m, format!("hnsw ({column}) with (m = {m}, ef_construction = {ef})"))
        }
    };
    let started = Instant::now();
    conn.execute(AssertSqlSafe(format!("set maintenance_work_mem = '{}'", options.maintenance_work_mem.replace('\'', ""))))
        .await?;
    conn.execute(AssertSqlSafe(format!("create index concurrently {name} on vitae.document_embeddings using {using}"))).await?;
    let build_ms = started.elapsed().as_millis() as i64;
    let (probes, recall) = calibrate(conn, options, lists, Graph::Documents).await?;
    if needs_denser_graph(options, lists, recall) {
        tracing::warn!(
            m = lists,
            recall,
            target = options.target_recall,
            "the HNSW graph cannot reach the target recall; building it again with m = {DENSE_HNSW_M}"
        );
        drop_indexes(conn, [name]).await?;
        let denser = BuildOptions { lists: Some(DENSE_HNSW_M), ..options.clone() };
        return Box::pin(build_locked(conn, &denser)).await;
    }
    // The passages, in a graph like the documents', with an ef_search of its own: at a million
    // bench profiles their walk found 0.82 of the exact top ten at the documents' 600, 0.88 at
    // 1000.
    let started = Instant::now();
    let passage_index = match options.kind {
        IndexKind::Hnsw if options.passages => {
            let passage_index = format!("document_passages_ann_{build_id}");
            conn.execute(AssertSqlSafe(format!(
                "create index concurrently {passage_index} on vitae.document_passages using {using}"
            )))
            .await?;
            Some(passage_index)
        }
        _ => None,
    };
    let build_ms = build_ms + started.elapsed().as_millis() as i64;
    let (passage_probes, passage_recall) = calibrate_passages(conn, options, lists, passage_index.is_some()).await?;

    let mut tx = conn.begin().await?;
    sqlx::query(
        "insert into vitae.ann_index_state (id, index_name, kind, storage, lists, rows_at_build, probes, measured_recall, build_ms, built_at, \
           passage_index_name, passage_probes, passage_recall) \
         values (true, $1, $2, $8, $3, $4, $5, $6, $7, now(), $9, $10, $11) \
         on conflict (id) do update set index_name = excluded.index_name, kind = excluded.kind, storage = excluded.storage, \
           lists = excluded.lists, rows_at_build = excluded.rows_at_build, probes = excluded.probes, \
           measured_recall = excluded.measured_recall, build_ms = excluded.build_ms, built_at = excluded.built_at, \
           passage_index_name = excluded.passage_index_name, passage_probes = excluded.passage_probes, \
           passage_recall = excluded.passage_recall",
    )
    .bind(&name)
    .bind(options.kind.as_str())
    .bind(lists)
    .bind(rows)
    .bind(probes)
    .bind(recall.map(|r| r as f32))
    .bind(build_ms)
    .bind(options.storage.as_str())
    .bind(&passage_index)
    .bind(passage_probes)
    .bind(passage_recall.map(|r| r as f32))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    drop_indexes(conn, previous).await?;
    sqlx::query_as::<_, AnnState>(AssertSqlSafe(format!("select {STATE_COLUMNS} from vitae.ann_index_state")))
        .fetch_one(&mut *conn)
        .await
        .map_err(RepoError::from)
}

/// Whether a graph built at the configured (not an explicitly asked) `m` is too sparse for the
/// target recall: calibration tried every ef_search up to pgvector's limit.
fn needs_denser_graph(options: &BuildOptions, m: i32, recall: Option<f64>) -> bool {
    options.kind == IndexKind::Hnsw
        && options.lists.is_none()
        && m < DENSE_HNSW_M
        && recall.is_some_and(|r| r < options.target_recall)
}

/// Calibrates the serving index's probes (ef_search) again, without rebuilding it: after a new
/// target recall, or once writes have changed the rows it was calibrated on. `Ok(None)` when
/// another build holds the lock; [`RepoError::NotFound`] when there is no index.
pub async fn recalibrate(owner: &PgPool, options: &BuildOptions) -> RepoResult<Option<AnnState>> {
    let Some(mut conn) = lock_builds(owner).await? else {
        return Ok(None);
    };
    let result = recalibrate_locked(&mut conn, options).await;
    unlock_builds(&mut conn).await;
    result.map(Some)
}

async fn recalibrate_locked(conn: &mut PgConnection, options: &BuildOptions) -> RepoResult<AnnState> {
    let current = state(&mut *conn).await?.ok_or(RepoError::NotFound)?;
    let options = BuildOptions { kind: current.kind(), storage: current.storage(), ..options.clone() };
    let (probes, recall) = calibrate(conn, &options, current.lists, Graph::Documents).await?;
    let indexed = current.passage_index_name.is_some();
    let (passage_probes, passage_recall) = calibrate_passages(conn, &options, current.lists, indexed).await?;
    Ok(sqlx::query_as::<_, AnnState>(AssertSqlSafe(format!(
        "update vitae.ann_index_state set probes = $2, measured_recall = $3, passage_probes = $4, passage_recall = $5 \
         where index_name = $1 returning {STATE_COLUMNS}"
    )))
    .bind(&current.index_name)
    .bind(probes)
    .bind(recall.map(|r| r as f32))
    .bind(passage_probes)
    .bind(passage_recall.map(|r| r as f32))
    .fetch_one(&mut *conn)
    .await?)
}

/// The vectors a build indexes, each in a graph (or lists) of its own, calibrated on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Graph {
    Documents,
    /// A document's aspects (a role, the skills, ...): about three times the documents' rows.
    Passages,
}

impl Graph {
    fn table(self) -> &'static str {
        match self {
            Graph::Documents => "vitae.document_embeddings",
            Graph::Passages => "vitae.document_passages",
        }
    }

    /// A stable pseudo-random order of the rows, to draw the stored vectors from.
    fn shuffled(self) -> &'static str {
        match self {
            Graph::Documents => "md5(document_id::text)",
            Graph::Passages => "md5(document_id::text || ordinal::text)",
        }
    }

    /// How many of a sample to calibrate on: the passages' exact answers scan three times the
    /// rows (at a million bench profiles, 2.7 s each), so half as many.
    fn share(self, sample: usize) -> usize {
        match self {
            Graph::Documents => sample,
            Graph::Passages => sample.div_ceil(2),
        }
    }
}

/// The passages' ef_search and its recall, when they are indexed.
async fn calibrate_passages(
    conn: &mut PgConnection,
    options: &BuildOptions,
    lists: i32,
    indexed: bool,
) -> RepoResult<(Option<i32>, Option<f64>)> {
    if !indexed {
        return Ok((None, None));
    }
    let (probes, recall) = calibrate(conn, options, lists, Graph::Passages).await?;
    Ok((Some(probes), recall))
}

/// The smallest probes (ivfflat) or ef_search (hnsw) with recall@10 >= target on each of two
/// samples: points between two stored vectors (documents only, when real queries are given), and
/// the caller's real query texts. Real queries do not sit on a stored document: calibrating on
/// stored vectors overstated recall (0.97 at calibration against 0.83 for text queries), and even
/// points between documents do (0.96 against 0.86 on the bench's profiles). The recall recorded
/// is the lower of the two.
async fn calibrate(conn: &mut PgConnection, options: &BuildOptions, lists: i32, graph: Graph) -> RepoResult<(i32, Option<f64>)> {
    let (table, share) = (graph.table(), graph.share(options.sample.max(0) as usize));
    let queries = &options.queries[..graph.share(options.queries.len())];
    // A point between two passages (unrelated aspects of unrelated people) lies farther from
    // every passage than queries do: at 100k bench profiles such points asked for ef_search 1000
    // (0.918), where the bench's real query texts found 0.99 of their top ten at 200, and the
    // walk at 1000 doubled semantic search's time. The passages are calibrated on real queries
    // (any two rows are still read: a graph of fewer has nothing to calibrate).
    let between_wanted = graph == Graph::Documents || queries.is_empty();
    let (order, drawn) = match between_wanted {
        true => (format!("order by {}", graph.shuffled()), share as i64 * 2),
        false => (String::new(), 2),
    };
    let stored: Vec<Vector> = sqlx::query_scalar(AssertSqlSafe(format!("select embedding from {table} {order} limit $1")))
        .bind(drawn)
        .fetch_all(&mut *conn)
        .await?;
    let between: Vec<Vector> = stored.chunks_exact(2).map(|pair| midpoint(&pair[0], &pair[1])).collect();
    let candidates: Vec<i32> = match options.kind {
        IndexKind::IvfFlat => {
            let mut c: Vec<i32> =
                [1, 2, 3, 5, 8, 10, 15, 20, 30, 40, 60, 80, 120, 160, 240, 320].into_iter().filter(|p| *p < lists).collect();
            c.push(lists);
            c
        }
        // Search time grows with ef_search: past 200 no step is more than a third up.
        IndexKind::Hnsw => vec![20, 40, 60, 80, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000],
    };
    if between.is_empty() {
        return Ok((candidates[candidates.len().min(6) - 1], None));
    }
    let between = between_wanted.then_some(between.as_slice());
    let samples: Vec<&[Vector]> = between.into_iter().chain((!queries.is_empty()).then_some(queries)).collect();
    // Exact answers first (a sequential scan: the index serves `<=>` only; for unit vectors the
    // inner product orders the rows alike, for less arithmetic).
    let exact_top = format!("select (embedding <=> $1)::float8 from {table} order by embedding <#> $1 limit 10");
    let mut exact = Vec::new();
    for sample in &samples {
        let mut per = Vec::with_capacity(sample.len());
        for vector in *sample {
            per.push(sqlx::query_scalar(AssertSqlSafe(exact_top.as_str())).bind(vector).fetch_all(&mut *conn).await?);
        }
        exact.push(per);
    }
    let setting = match options.kind {
        IndexKind::IvfFlat => "ivfflat.probes",
        IndexKind::Hnsw => "hnsw.ef_search",
    };
    let approximate = format!(
        "select (embedding <=> $1)::float8 from {table} order by {} limit 10",
        distance_order(options.storage, "embedding", "$1")
    );
    let mut last = (*candidates.last().unwrap_or(&1), None);
    for probes in candidates {
        let mut tx = conn.begin().await?;
        tx.execute(AssertSqlSafe(format!("set local {setting} = {probes}"))).await?;
        let mut lowest = 1.0_f64;
        for (sample, truths) in samples.iter().zip(&exact) {
            let (mut found, mut wanted) = (0usize, 0usize);
            for (vector, truth) in sample.iter().zip(truths) {
                let distances: Vec<f64> =
                    sqlx::query_scalar(AssertSqlSafe(approximate.as_str())).bind(vector).fetch_all(&mut *tx).await?;
                let (hits, of) = recall_hits(truth, &distances);
                found += hits;
                wanted += of;
            }
            lowest = lowest.min(if wanted == 0 { 1.0 } else { found as f64 / wanted as f64 });
        }
        tx.rollback().await?;
        last = (probes, Some(lowest));
        if lowest >= options.target_recall {
            return Ok(last);
        }
    }
    Ok(last)
}

/// Recall of an approximate top-k against the exact one, by distance: a result as near as the
/// exact k-th neighbour is a hit, whichever document it is. Real data holds exact duplicates
/// (people who share a summary); comparing document ids would count an equally near twin as a
/// miss, and calibration would then ask for every list. Returns (hits, wanted).
pub fn recall_hits(exact: &[f64], approximate: &[f64]) -> (usize, usize) {
    let Some(&kth) = exact.last() else {
        return (0, 0);
    };
    // Distances computed by two plans may differ in the last bits.
    let hits = approximate.iter().filter(|&&d| d <= kth + 1e-9).count().min(exact.len());
    (hits, exact.len())
}

/// The normalised sum of two unit vectors: a point between two documents.
pub fn midpoint(a: &Vector, b: &Vector) -> Vector {
    let sum: Vec<f32> = a.as_slice().iter().zip(b.as_slice()).map(|(x, y)| x + y).collect();
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::EPSILON);
    Vector::from(sum.into_iter().map(|x| x / norm).collect::<Vec<f32>>())
}

/// Drops indexes an interrupted build left behind (a cancelled `CREATE INDEX CONCURRENTLY`
/// leaves an invalid index that every write still maintains).
async fn drop_leftovers(conn: &mut PgConnection) -> RepoResult<()> {
    let leftovers: Vec<String> = sqlx::query_scalar(
        "select i.indexname::text from pg_indexes i \
         where i.schemaname = 'vitae' \
           and (i.indexname like 'document\\_embeddings\\_ann\\_%' or i.indexname like 'document\\_passages\\_ann\\_%') \
           and not exists (select from vitae.ann_index_state s \
                           where i.indexname in (s.index_name, s.passage_index_name))",
    )
    .fetch_all(&mut *conn)
    .await?;
    drop_indexes(conn, leftovers).await
}

/// The indexes the state records: the documents' and, when built, the passages'.
async fn recorded_indexes(conn: &mut PgConnection) -> RepoResult<Vec<String>> {
    let recorded: Option<(String, Option<String>)> =
        sqlx::query_as("select index_name, passage_index_name from vitae.ann_index_state").fetch_optional(&mut *conn).await?;
    Ok(recorded.map(|(documents, passages)| std::iter::once(documents).chain(passages).collect()).unwrap_or_default())
}

/// Drops these indexes concurrently (searches go on), those already gone included.
async fn drop_indexes(conn: &mut PgConnection, names: impl IntoIterator<Item = String>) -> RepoResult<()> {
    for name in names {
        conn.execute(AssertSqlSafe(format!("drop index concurrently if exists vitae.{name}"))).await?;
    }
    Ok(())
}

/// Removes the index (tests, and `vitae reindex --drop`).
pub async fn drop_index(owner: &PgPool) -> RepoResult<()> {
    let mut conn = owner.acquire().await?;
    let recorded = recorded_indexes(&mut conn).await?;
    if !recorded.is_empty() {
        drop_indexes(&mut conn, recorded).await?;
        conn.execute("delete from vitae.ann_index_state").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_follow_the_row_count() {
        assert_eq!(lists_for(0), 1);
        assert_eq!(lists_for(10_000), 10);
        assert_eq!(lists_for(100_000), 100);
        assert_eq!(lists_for(1_000_000), 1000);
        assert_eq!(lists_for(4_000_000), 2000);
    }

    #[test]
    fn recall_counts_an_equally_near_twin_as_a_hit() {
        // Three documents at distance 0.1 (duplicates), the exact top 2 picked two of them.
        assert_eq!(recall_hits(&[0.1, 0.1], &[0.1, 0.1]), (2, 2), "the index returned the third twin");
        assert_eq!(recall_hits(&[0.1, 0.2, 0.3], &[0.1, 0.2, 0.35]), (2, 3), "farther than the k-th is a miss");
        assert_eq!(recall_hits(&[0.1, 0.2], &[0.1]), (1, 2), "a short answer misses the rest");
        assert_eq!(recall_hits(&[], &[0.1]), (0, 0));
    }

    #[test]
    fn only_a_configured_sparse_graph_short_of_the_target_is_built_again_denser() {
        let hnsw = BuildOptions { kind: IndexKind::Hnsw, target_recall: 0.95, ..BuildOptions::default() };
        assert!(needs_denser_graph(&hnsw, 8, Some(0.93)));
        assert!(!needs_denser_graph(&hnsw, 8, Some(0.95)), "the target reached");
        assert!(!needs_denser_graph(&hnsw, 8, None), "nothing measured (no rows to sample)");
        assert!(!needs_denser_graph(&hnsw, DENSE_HNSW_M, Some(0.9)), "already as dense as the fallback");
        let asked = BuildOptions { lists: Some(8), ..hnsw.clone() };
        assert!(!needs_denser_graph(&asked, 8, Some(0.9)), "an operator asked for this m");
        let ivfflat = BuildOptions { kind: IndexKind::IvfFlat, ..hnsw };
        assert!(!needs_denser_graph(&ivfflat, 8, Some(0.9)), "IVFFlat lists are no graph density");
    }

    #[test]
    fn a_recall_at_the_target_is_not_a_miss() {
        let state = |recall: Option<f32>| AnnState {
            index_name: "i".into(),
            kind: "hnsw".into(),
            storage: "vector".into(),
            lists: 16,
            rows_at_build: 1,
            probes: 400,
            measured_recall: recall,
            build_ms: 1,
            built_at: chrono::Utc::now(),
            passage_probes: None,
            passage_recall: None,
            passage_index_name: None,
        };
        assert!(!state(Some(0.95)).misses_recall(0.95), "0.95 as f32 is still 0.95");
        assert!(!state(Some(0.971)).misses_recall(0.95));
        assert!(state(Some(0.6)).misses_recall(0.95));
        assert!(!state(None).misses_recall(0.95), "no sample, nothing measured");
        // The passages' walk is held to the target on its own.
        let passages = |recall| AnnState { passage_recall: recall, ..state(Some(0.97)) };
        assert!(passages(Some(0.88)).passages_miss_recall(0.95));
        assert!(!passages(Some(0.88)).misses_recall(0.95));
        assert!(!passages(Some(0.95)).passages_miss_recall(0.95));
        assert!(!passages(None).passages_miss_recall(0.95), "no passage index, nothing measured");
        // Walked at their calibrated ef_search, never below the documents'.
        let walk = |probes| AnnState { passage_probes: probes, passage_index_name: Some("p".into()), ..state(Some(0.97)) };
        assert_eq!(walk(Some(1000)).passage_walk_probes(), Some(1000));
        assert_eq!(walk(Some(150)).passage_walk_probes(), Some(400));
        assert_eq!(walk(None).passage_walk_probes(), Some(400), "calibrated before the passages were");
        assert_eq!(state(Some(0.97)).passage_walk_probes(), None, "not indexed");
    }
}
