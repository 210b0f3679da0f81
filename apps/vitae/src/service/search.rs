//! Hybrid search, one type per stage:
//!
//! 1. [`SearchQuery`]: what was asked, validated (the API's request converts into it).
//! 2. [`Plan`]: how each leg runs. The semantic leg uses the ANN index with iterative scan,
//!    unless no index exists yet or the filters are selective, in which case it ranks the
//!    filtered rows exactly (the planner would filter after the index and lose recall). The
//!    keyword leg ([`KeywordPlan`]) ranks by BM25 over the tenant's own word statistics every
//!    document holding a rare enough query word; words too common for that only score the
//!    documents found otherwise (by rarer words, or among the semantic candidates), which bounds
//!    its cost. A word no document holds is matched to the tenant's nearest words (typos).
//! 3. Leg windows: each leg's best `window` documents, filters applied inside.
//! 4. [`Candidate`]s: the legs fused on 0..1 scales (a blend, the stronger leg, or reciprocal
//!    rank fusion), cut to the documents that match (by a word, or close enough in meaning), in
//!    one fixed order (score, then each leg's order, then document id), one per person when
//!    searching every persona. Facets count this set; pages are slices of it, and the cursor
//!    says where the last page ended.
//! 5. [`SearchOutcome`]: the page's hits with cards, highlights, explanations and timings.

use std::collections::HashMap;
use std::time::Instant;

use uuid::Uuid;

use vitae_embed::cache::QueryCache;
use vitae_repository::ann::{AnnState, IndexKind};
use vitae_repository::search::{self, Filters, LegHit, MaskSelection, VectorPath};
use vitae_repository::{PgPool, TenantTx};

use vitae_repository::keyword::{self as keyword_sql, Bm25, KeywordHit, KeywordRanking};

use super::indexer::{Indexer, embed_error};
use super::keyword::{self, Correction, KeywordPlan, KeywordSettings};
use crate::http::problem::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Hybrid,
    Semantic,
    Keyword,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hybrid => "hybrid",
            Self::Semantic => "semantic",
            Self::Keyword => "keyword",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// Σ weight / (k + rank) over the legs a document appears in.
    Rrf { k: f64, semantic_weight: f64, keyword_weight: f64 },
    /// ratio × semantic score + (1 − ratio) × keyword score, both on their 0..1 scales.
    Blend { semantic_ratio: f64 },
    /// The better leg's score, plus `other_weight` times the other's (scaled back to 0..1).
    Max { other_weight: f64 },
}

/// The configured fusions: the default, and each method with its configured parameters (what a
/// request naming a method without parameters gets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusionDefaults {
    pub default: Fusion,
    pub rrf: Fusion,
    pub blend: Fusion,
    pub max: Fusion,
}

/// Where the previous page ended: its last (score, document).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct After {
    pub score: f64,
    pub document_id: Uuid,
}

/// Stage 1: a validated search.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// The words; empty for "similar profiles".
    pub q: String,
    pub mode: Mode,
    pub fusion: Fusion,
    pub filters: Filters,
    pub mask: MaskSelection,
    pub limit: usize,
    pub after: Option<After>,
    pub min_score: Option<f64>,
    pub explain: bool,
    pub highlight: bool,
    pub facets: bool,
    /// A query vector given instead of embedding `q` (similar profiles).
    pub vector: Option<Vec<f32>>,
    /// Identifies the result list, so a cursor is only used with the query that made it.
    pub fingerprint: u64,
}

/// Settings of the search engine (from configuration).
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// Candidates each leg contributes: the deepest a result list goes.
    pub window: i64,
    /// Filtered searches matching at most this many documents are ranked exactly.
    pub exact_max_rows: i64,
    /// Overrides the calibrated probes (ivfflat) / ef_search (hnsw).
    pub probes: Option<i32>,
    /// The keyword plan: broad words, typo tolerance.
    pub keyword: KeywordSettings,
    /// Trigram similarity a stand-in for a mistyped word needs.
    pub typo_min_similarity: f64,
    /// BM25's k1 and b, and the weights of the document's sections (A, B, C, D).
    pub bm25_k1: f64,
    pub bm25_b: f64,
    pub section_weights: [f64; 4],
    pub calibration: Calibration,
    /// How far a candidate's similarity moves up to its nearest passage's (multi-aspect
    /// profiles): 0 ignores passages, 1 takes the nearer of the two.
    pub passage_weight: f64,
}

/// How scores map onto 0..1 and which documents count as matching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Cosine similarity that scores 0 on the semantic scale (1 scores 1); below it, 0.
    pub similarity_floor: f64,
    /// A document found only by meaning matches (counts in `total` and facets) from this
    /// cosine similarity up. Keyword matches always match.
    pub min_similarity: f64,
}

impl Calibration {
    /// Cosine similarity on the 0..1 semantic scale.
    pub fn semantic_score(&self, similarity: f64) -> f64 {
        ((similarity - self.similarity_floor) / (1.0 - self.similarity_floor)).clamp(0.0, 1.0)
    }
}

/// Stage 2: how the legs run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub semantic: Option<VectorPath>,
    pub keyword: Option<KeywordPath>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordPath {
    /// Rank every match.
    All,
    /// Rare words find candidates; words too common to rank every match of only score the
    /// candidates found otherwise (by rarer words or by meaning).
    WithinSemantic,
    /// Nothing to search for: the query is only stop words or punctuation.
    Empty,
}

/// Stage 4: one fused document.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub document_id: Uuid,
    pub profile_id: Uuid,
    pub score: f64,
    /// (1-based rank, cosine distance)
    pub semantic: Option<(usize, f64)>,
    /// (1-based rank, keyword score 0..1)
    pub keyword: Option<(usize, f64)>,
    /// The keyword leg's raw BM25 and whether the document holds every term.
    pub bm25: Option<(f64, bool)>,
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
#[schema(as = StageTimings)]
pub struct Timings {
    pub embed_ms: f64,
    pub semantic_ms: f64,
    pub keyword_ms: f64,
    pub fuse_ms: f64,
    pub facets_ms: f64,
    pub hits_ms: f64,
}

#[derive(Debug, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub skills: Vec<FacetValue>,
    pub tags: Vec<FacetValue>,
    pub country: Vec<FacetValue>,
    pub availability: Vec<FacetValue>,
}

/// One result as the API shows it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub candidate: Candidate,
    pub mask_slug: String,
    pub card: serde_json::Value,
    /// HTML: escaped text with `<mark>` around matched words.
    pub keyword_fragments: Vec<String>,
    /// The passage most similar to the query.
    pub semantic_passage: Option<String>,
}

/// Stage 5.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub hits: Vec<Hit>,
    /// Candidates in the fused set (after `min_score`): what paging can reach.
    pub total: usize,
    pub facets: Option<Facets>,
    pub next: Option<After>,
    pub plan: Plan,
    pub timings: Timings,
    pub warnings: Vec<String>,
    /// Query words no document holds, and the tenant's words that stood in for them.
    pub corrections: Vec<Correction>,
}

/// What a search needs from the service.
pub struct Searcher<'a> {
    pub pool: &'a PgPool,
    pub indexer: &'a Indexer,
    pub cache: &'a QueryCache,
    pub ann: Option<&'a AnnState>,
    pub settings: &'a SearchSettings,
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

impl Searcher<'_> {
    pub async fn search(&self, tenant_id: Uuid, query: &SearchQuery) -> Result<SearchOutcome, ApiError> {
        let mut timings = Timings::default();
        let mut warnings = Vec::new();

        // Stage 1 → the query vector.
        let mut vector = match (&query.vector, query.mode) {
            (Some(v), _) => Some(v.clone()),
            (None, Mode::Keyword) => None,
            (None, _) => Some(self.embed_query(tenant_id, &query.q, &mut timings).await?),
        };

        let mut tx = TenantTx::begin_read_only_with(self.pool, tenant_id, &self.session_settings()).await?;

        // The keyword plan from the tenant's word statistics: which words find candidates,
        // which only score them (too common to rank every match), stand-ins for mistyped words.
        let started = Instant::now();
        let text = keyword::split(&query.q);
        let keyword_plan = if query.mode == Mode::Semantic || query.q.trim().is_empty() {
            None
        } else {
            Some(self.keyword_plan(&mut tx, &query.q, &text.positive).await?)
        };
        timings.keyword_ms = elapsed_ms(started);
        if keyword_plan.as_ref().is_some_and(|p| p.broad.is_some()) && vector.is_none() {
            vector = Some(self.embed_query(tenant_id, &query.q, &mut timings).await?);
        }

        // Stage 2 and 3: the semantic leg.
        let started = Instant::now();
        let window = match query.mask {
            // Each person once: room for several personas of the same people.
            MaskSelection::All => self.settings.window * 3,
            _ => self.settings.window,
        };
        let semantic_path = match &vector {
            None => None,
            Some(_) => Some(self.semantic_path(&mut tx, query).await?),
        };
        let (semantic, semantic_path) = match (&vector, semantic_path) {
            (Some(vector), Some(VectorPath::Ann)) => {
                let hits = search::semantic(&mut tx, vector, &query.mask, &query.filters, window, VectorPath::Ann).await?;
                // The ANN path runs only when more than `exact_max_rows` documents match, so a
                // short window means the index scan gave up early (a filter or tenant that is
                // rare in the shared index): rank exactly rather than return a short page.
                if (hits.len() as i64) < window.min(self.settings.exact_max_rows) {
                    let hits = search::semantic(&mut tx, vector, &query.mask, &query.filters, window, VectorPath::Exact).await?;
                    (hits, Some(VectorPath::Exact))
                } else {
                    (hits, Some(VectorPath::Ann))
                }
            }
            (Some(vector), Some(VectorPath::Exact)) => {
                (search::semantic(&mut tx, vector, &query.mask, &query.filters, window, VectorPath::Exact).await?, semantic_path)
            }
            _ => (Vec::new(), None),
        };
        timings.semantic_ms = elapsed_ms(started);

        // The keyword leg: BM25 over the documents holding any rare word (and the semantic
        // candidates holding a common one), those holding every term first.
        let started = Instant::now();
        let (keyword_path, keyword) = match &keyword_plan {
            None => (None, Vec::new()),
            Some(plan) if !plan.has_words => {
                warnings.push(
                    "the query has no searchable words (only stop words or punctuation); keyword matching was skipped".into(),
                );
                (Some(KeywordPath::Empty), Vec::new())
            }
            // Words no document holds (and nothing near them): nothing to rank.
            Some(plan) if plan.is_empty() => (Some(KeywordPath::All), Vec::new()),
            Some(plan) => {
                let within: Vec<Uuid> = semantic.iter().map(|h| h.document_id).collect();
                if plan.broad.is_some() && query.mode == Mode::Keyword {
                    warnings.push(format!(
                        "some words are in more than {} documents; they only rank documents found by rarer words or among the {} closest in meaning",
                        self.settings.keyword.broad_max_matches,
                        within.len()
                    ));
                }
                let ranking = KeywordRanking {
                    terms: &plan.terms,
                    matching: plan.matching.as_deref(),
                    broad: plan.broad.as_deref().map(|b| (b, within.as_slice())),
                    complete: &plan.complete,
                    excluded: text.excluded.as_deref(),
                    mask: &query.mask,
                    filters: &query.filters,
                    bm25: self.bm25(plan),
                    window,
                };
                let hits = keyword_sql::rank(&mut tx, &ranking).await?;
                let path = if plan.broad.is_some() { KeywordPath::WithinSemantic } else { KeywordPath::All };
                (Some(path), hits)
            }
        };
        timings.keyword_ms += elapsed_ms(started);

        // Multi-aspect profiles: every candidate's similarity is its document's or its nearest
        // passage's (a role, the skills, ...), whichever is closer, and documents found only by
        // their words get a real similarity too.
        let started = Instant::now();
        let semantic = match (&vector, self.settings.passage_weight > 0.0 && query.mode != Mode::Keyword) {
            (Some(vector), true) if !(semantic.is_empty() && keyword.is_empty()) => {
                let mut ids: Vec<Uuid> = semantic.iter().map(|h| h.document_id).collect();
                ids.extend(keyword.iter().map(|h| h.document_id));
                ids.sort_unstable();
                ids.dedup();
                let in_window: std::collections::HashSet<Uuid> = semantic.iter().map(|h| h.document_id).collect();
                let distances = search::distances(&mut tx, &ids, vector).await?;
                nearest_aspect(distances, &in_window, query.mode == Mode::Semantic, self.settings.passage_weight)
            }
            _ => semantic,
        };
        timings.semantic_ms += elapsed_ms(started);
        let plan = Plan { semantic: semantic_path, keyword: keyword_path };

        // Stage 4: fuse, keep one persona per person, apply min_score.
        let started = Instant::now();
        let calibration = self.settings.calibration;
        let mut candidates = fuse(&semantic, &keyword, keyword_plan.as_ref(), query.mode, query.fusion, &calibration);
        // A relevance cutoff for text queries: total, facets and pages cover the documents that
        // match (by words, or close enough in meaning), not the whole window.
        if query.vector.is_none() {
            candidates.retain(|c| c.keyword.is_some() || c.semantic.is_some_and(|(_, d)| 1.0 - d >= calibration.min_similarity));
        }
        if query.mask == MaskSelection::All {
            candidates = best_persona(candidates);
        }
        if let Some(min) = query.min_score {
            candidates.retain(|c| c.score >= min);
        }
        let total = candidates.len();
        let start = match query.after {
            None => 0,
            Some(after) => candidates.iter().position(|c| is_after(c, after)).unwrap_or(total),
        };
        let page: Vec<Candidate> = candidates.iter().skip(start).take(query.limit).cloned().collect();
        let next = (start + page.len() < total)
            .then(|| page.last().map(|c| After { score: c.score, document_id: c.document_id }))
            .flatten();
        timings.fuse_ms = elapsed_ms(started);

        let started = Instant::now();
        let facets = if query.facets {
            let ids: Vec<Uuid> = candidates.iter().map(|c| c.document_id).collect();
            Some(facets(search::facets(&mut tx, &ids).await?))
        } else {
            None
        };
        timings.facets_ms = elapsed_ms(started);

        // Stage 5: the page's hits.
        let started = Instant::now();
        let ids: Vec<Uuid> = page.iter().map(|c| c.document_id).collect();
        let matched: Vec<Uuid> = page.iter().filter(|c| c.keyword.is_some()).map(|c| c.document_id).collect();
        let words = keyword_plan.as_ref().map(KeywordPlan::highlight_query).unwrap_or_default();
        let highlight =
            (query.highlight && !matched.is_empty() && !words.is_empty()).then(|| (words.as_str(), matched.as_slice()));
        let rows = search::hits(&mut tx, &ids, highlight).await?;
        let passages = match (&vector, query.highlight && query.mode != Mode::Keyword && !ids.is_empty()) {
            (Some(vector), true) => search::best_passages(&mut tx, &ids, vector).await?,
            _ => Vec::new(),
        };
        tx.commit().await?;
        let mut rows: HashMap<Uuid, search::HitRow> = rows.into_iter().map(|r| (r.document_id, r)).collect();
        let passages: HashMap<Uuid, String> = passages.into_iter().collect();
        let hits = page
            .into_iter()
            .filter_map(|candidate| {
                let row = rows.remove(&candidate.document_id)?;
                Some(Hit {
                    keyword_fragments: row.keyword_fragments.as_deref().map(marked_fragments).unwrap_or_default(),
                    semantic_passage: passages.get(&candidate.document_id).cloned(),
                    mask_slug: row.mask_slug,
                    card: row.card,
                    candidate,
                })
            })
            .collect();
        timings.hits_ms = elapsed_ms(started);

        let corrections = keyword_plan.map(|p| p.corrections).unwrap_or_default();
        Ok(SearchOutcome { hits, total, facets, next, plan, timings, warnings, corrections })
    }

    /// The keyword plan: the query's words with the tenant's statistics, and stand-ins from the
    /// tenant's vocabulary for words no document holds.
    async fn keyword_plan(&self, tx: &mut TenantTx, q: &str, positive: &str) -> Result<KeywordPlan, ApiError> {
        let stats = keyword_sql::term_statistics(tx, positive, q).await?;
        let to_correct = keyword::words_to_correct(&stats, &self.settings.keyword);
        let near = if to_correct.is_empty() {
            Vec::new()
        } else {
            keyword_sql::near_terms(tx, &to_correct, self.settings.typo_min_similarity, 20).await?
        };
        Ok(keyword::plan(&stats, &near, &self.settings.keyword))
    }

    fn bm25(&self, plan: &KeywordPlan) -> Bm25 {
        Bm25 {
            k1: self.settings.bm25_k1,
            b: self.settings.bm25_b,
            average_length: plan.average_length,
            weights: self.settings.section_weights,
        }
    }

    /// The query's embedding, from the cache when the tenant asked it before.
    async fn embed_query(&self, tenant_id: Uuid, q: &str, timings: &mut Timings) -> Result<Vec<f32>, ApiError> {
        let started = Instant::now();
        let embedder = self.indexer.embedder().as_ref();
        let (vector, cached) = self.cache.embed_query(embedder, tenant_id.as_u128(), q).await.map_err(embed_error)?;
        timings.embed_ms = elapsed_ms(started);
        if !cached {
            metrics::histogram!("vitae_embedding_batch_seconds", "kind" => "query").record(timings.embed_ms / 1000.0);
        }
        Ok(vector.as_ref().clone())
    }

    /// `SET LOCAL`s for the vector index: probes (or ef_search) and iterative scans, so filtered
    /// searches through the index still fill their window.
    fn session_settings(&self) -> Vec<(&'static str, String)> {
        // The trigram index finds typo candidates this alike (edit distance decides among them).
        let trigrams = ("pg_trgm.similarity_threshold", self.settings.typo_min_similarity.to_string());
        let Some(ann) = self.ann else {
            return vec![trigrams];
        };
        let probes = self.settings.probes.unwrap_or(ann.probes).max(1);
        match ann.kind() {
            // Iterative scans probe further lists until the window is full (bounded by the
            // table: the ANN path only runs when many rows match, see `semantic_path`).
            IndexKind::IvfFlat => {
                vec![trigrams, ("ivfflat.probes", probes.to_string()), ("ivfflat.iterative_scan", "relaxed_order".into())]
            }
            IndexKind::Hnsw => vec![
                trigrams,
                ("hnsw.ef_search", probes.max(self.settings.window as i32).to_string()),
                ("hnsw.iterative_scan", "relaxed_order".into()),
            ],
        }
    }

    /// Exact ranking when there is no index yet, or when the mask selection and filters leave
    /// few enough documents that reading them all is cheaper (and loses nothing).
    async fn semantic_path(&self, tx: &mut TenantTx, query: &SearchQuery) -> Result<VectorPath, ApiError> {
        if self.ann.is_none() {
            return Ok(VectorPath::Exact);
        }
        if query.filters.is_empty() && query.mask != MaskSelection::Default {
            // A named mask or every persona, unfiltered: as selective as that mask is.
        } else if query.filters.is_empty() {
            return Ok(VectorPath::Ann);
        }
        let cap = self.settings.exact_max_rows + 1;
        let matching = search::count_matching(tx, &query.mask, &query.filters, cap).await?;
        Ok(if matching < cap { VectorPath::Exact } else { VectorPath::Ann })
    }
}

/// The semantic leg rescored by each document's nearest aspect: its similarity moves `weight` of
/// the way up to its nearest passage's when that is closer. Best first; in semantic mode only
/// the window's documents (others were found by words).
fn nearest_aspect(
    distances: Vec<search::DocumentDistances>,
    window: &std::collections::HashSet<Uuid>,
    window_only: bool,
    weight: f64,
) -> Vec<LegHit> {
    let mut hits: Vec<LegHit> = distances
        .into_iter()
        .filter(|d| !window_only || window.contains(&d.document_id))
        .map(|d| LegHit {
            document_id: d.document_id,
            profile_id: d.profile_id,
            score: d.document - weight * d.passage.map_or(0.0, |p| (d.document - p).max(0.0)),
        })
        .collect();
    hits.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.document_id.cmp(&b.document_id)));
    hits
}

/// Whether `c` comes after the cursor in (score desc, document id asc) order.
fn is_after(c: &Candidate, after: After) -> bool {
    c.score < after.score || (c.score == after.score && c.document_id > after.document_id)
}

/// Stage 4: the legs' windows fused into one ordered list, every score on 0..1: the semantic
/// scale is the calibrated cosine similarity, the keyword scale the plan's (half for holding
/// every term, half for BM25 against the ideal). Fusions combine the semantic score with the
/// keyword evidence (BM25 against the ideal, halved for a document missing a term): the tiered
/// keyword score would let a document holding every word faintly (in descriptions) outrank one
/// close in meaning, which lost to the semantic leg on the occupations set.
pub fn fuse(
    semantic: &[LegHit],
    keyword: &[KeywordHit],
    plan: Option<&KeywordPlan>,
    mode: Mode,
    fusion: Fusion,
    calibration: &Calibration,
) -> Vec<Candidate> {
    let mut by_id: HashMap<Uuid, Candidate> = HashMap::new();
    let unscored = |document_id: Uuid, profile_id: Uuid| Candidate {
        document_id,
        profile_id,
        score: 0.0,
        semantic: None,
        keyword: None,
        bm25: None,
    };
    for (i, hit) in semantic.iter().enumerate() {
        by_id.entry(hit.document_id).or_insert_with(|| unscored(hit.document_id, hit.profile_id)).semantic =
            Some((i + 1, hit.score));
    }
    for (i, hit) in keyword.iter().enumerate() {
        let c = by_id.entry(hit.document_id).or_insert_with(|| unscored(hit.document_id, hit.profile_id));
        c.keyword = Some((i + 1, plan.map_or(0.0, |p| p.score(hit.bm25, hit.complete))));
        c.bm25 = Some((hit.bm25, hit.complete));
    }
    // A document the semantic window missed is at most as similar as the window's last one.
    let floor_similarity = semantic.last().map_or(0.0, |h| 1.0 - h.score);
    let mut out: Vec<Candidate> = by_id
        .into_values()
        .map(|mut c| {
            let similarity = c.semantic.map_or(floor_similarity, |(_, d)| 1.0 - d);
            let semantic_score = calibration.semantic_score(similarity);
            let keyword_score = c.keyword.map_or(0.0, |(_, s)| s);
            let evidence = match (plan, c.bm25) {
                (Some(plan), Some((bm25, complete))) => plan.evidence(bm25, complete),
                _ => 0.0,
            };
            c.score = match mode {
                Mode::Semantic => semantic_score,
                Mode::Keyword => keyword_score,
                Mode::Hybrid => {
                    fusion.combine(c.semantic.map(|(rank, _)| rank), semantic_score, c.keyword.map(|(rank, _)| rank), evidence)
                }
            };
            c
        })
        .filter(|c| match mode {
            Mode::Semantic => c.semantic.is_some(),
            Mode::Keyword => c.keyword.is_some(),
            Mode::Hybrid => true,
        })
        .collect();
    // Equal scores keep each leg's own order (the keyword leg's order holds complete matches
    // first and raw BM25 beyond the capped scale), then the document id.
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| rank_or_last(a.keyword).cmp(&rank_or_last(b.keyword)))
            .then_with(|| rank_or_last(a.semantic).cmp(&rank_or_last(b.semantic)))
            .then(a.document_id.cmp(&b.document_id))
    });
    out
}

fn rank_or_last(leg: Option<(usize, f64)>) -> usize {
    leg.map_or(usize::MAX, |(rank, _)| rank)
}

impl Fusion {
    /// One document's fused score from its legs' ranks (absent: not in that leg's window) and
    /// scores on the 0..1 scales.
    pub fn combine(self, semantic_rank: Option<usize>, semantic: f64, keyword_rank: Option<usize>, keyword: f64) -> f64 {
        match self {
            Fusion::Rrf { k, semantic_weight, keyword_weight } => {
                // Divided by the score of a document first in both legs: 0..1.
                let best = (semantic_weight + keyword_weight) / (k + 1.0);
                let sum = semantic_rank.map_or(0.0, |r| semantic_weight / (k + r as f64))
                    + keyword_rank.map_or(0.0, |r| keyword_weight / (k + r as f64));
                if best > 0.0 { sum / best } else { 0.0 }
            }
            Fusion::Blend { semantic_ratio } => semantic_ratio * semantic + (1.0 - semantic_ratio) * keyword,
            Fusion::Max { other_weight } => {
                let (high, low) = if semantic >= keyword { (semantic, keyword) } else { (keyword, semantic) };
                (high + other_weight * low) / (1.0 + other_weight)
            }
        }
    }
}

/// Every persona searched: each person once, through the persona that matched best.
fn best_persona(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut seen = std::collections::HashSet::new();
    candidates.into_iter().filter(|c| seen.insert(c.profile_id)).collect()
}

/// The most frequent values of each facet (20 at most), most frequent first.
fn facets(rows: Vec<(String, String, i64)>) -> Facets {
    let mut facets = Facets::default();
    for (facet, value, count) in rows {
        let list = match facet.as_str() {
            "skills" => &mut facets.skills,
            "tags" => &mut facets.tags,
            "country" => &mut facets.country,
            "availability" => &mut facets.availability,
            _ => continue,
        };
        list.push(FacetValue { value, count });
    }
    for list in [&mut facets.skills, &mut facets.tags, &mut facets.country, &mut facets.availability] {
        list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        list.truncate(20);
    }
    facets
}

/// `ts_headline` output (matches between U+E000 and U+E001, fragments split by U+E002) as
/// escaped HTML fragments with `<mark>` around the matches.
pub fn marked_fragments(raw: &str) -> Vec<String> {
    raw.split('\u{E002}')
        .map(|fragment| {
            let mut html = String::with_capacity(fragment.len() + 16);
            for c in fragment.trim().chars() {
                match c {
                    '\u{E000}' => html.push_str("<mark>"),
                    '\u{E001}' => html.push_str("</mark>"),
                    '&' => html.push_str("&amp;"),
                    '<' => html.push_str("&lt;"),
                    '>' => html.push_str("&gt;"),
                    '"' => html.push_str("&quot;"),
                    '\'' => html.push_str("&#39;"),
                    '\n' => html.push_str(" · "),
                    c => html.push(c),
                }
            }
            html
        })
        .filter(|f| f.contains("<mark>"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: u128, distance: f64) -> LegHit {
        LegHit { document_id: Uuid::from_u128(id), profile_id: Uuid::from_u128(id + 1000), score: distance }
    }

    fn word_hit(id: u128, bm25: f64, complete: bool) -> KeywordHit {
        KeywordHit { document_id: Uuid::from_u128(id), profile_id: Uuid::from_u128(id + 1000), bm25, complete }
    }

    fn plan() -> KeywordPlan {
        KeywordPlan {
            terms: Vec::new(),
            matching: None,
            broad: None,
            complete: String::new(),
            ideal: 2.0,
            average_length: 10.0,
            has_words: true,
            corrections: Vec::new(),
        }
    }

    const CALIBRATION: Calibration = Calibration { similarity_floor: 0.2, min_similarity: 0.3 };
    const RRF: Fusion = Fusion::Rrf { k: 60.0, semantic_weight: 1.0, keyword_weight: 1.0 };

    fn fused(semantic: &[LegHit], keyword: &[KeywordHit], mode: Mode, fusion: Fusion) -> Vec<Candidate> {
        fuse(semantic, keyword, Some(&plan()), mode, fusion, &CALIBRATION)
    }

    #[test]
    fn rrf_rewards_documents_both_legs_rank_well_on_a_0_to_1_scale() {
        let semantic = [hit(1, 0.1), hit(2, 0.2), hit(3, 0.3)];
        let keyword = [word_hit(3, 2.0, true), word_hit(4, 1.0, false)];
        let out = fused(&semantic, &keyword, Mode::Hybrid, RRF);
        assert_eq!(out[0].document_id, Uuid::from_u128(3), "in both legs");
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].semantic, Some((3, 0.3)));
        assert_eq!(out[0].keyword, Some((1, 1.0)));
        assert_eq!(out[0].bm25, Some((2.0, true)));
        assert!(out.iter().all(|c| (0.0..=1.0).contains(&c.score)));
        assert!((RRF.combine(Some(1), 0.0, Some(1), 0.0) - 1.0).abs() < 1e-12, "first in both legs scores 1");
    }

    #[test]
    fn the_keyword_scale_puts_every_complete_match_above_every_partial_one() {
        let keyword = [word_hit(1, 0.5, true), word_hit(2, 50.0, false)];
        let out = fused(&[], &keyword, Mode::Keyword, RRF);
        assert_eq!(out.iter().map(|c| c.document_id.as_u128()).collect::<Vec<_>>(), vec![1, 2]);
        assert!((out[0].score - (0.5 + 0.5 * 0.25)).abs() < 1e-12);
        assert!((out[1].score - 0.5).abs() < 1e-12, "capped: half for BM25 at or above the ideal");
    }

    #[test]
    fn equal_scores_keep_the_legs_order_then_the_document_id() {
        // Both above the ideal: equal scores, BM25 order kept (the leg's own order).
        let keyword = [word_hit(9, 8.0, true), word_hit(2, 4.0, true), word_hit(5, 4.0, true)];
        let out = fused(&[], &keyword, Mode::Keyword, RRF);
        let ids: Vec<u128> = out.iter().map(|c| c.document_id.as_u128()).collect();
        assert_eq!(ids, vec![9, 2, 5]);
        let semantic = [hit(7, 0.4), hit(3, 0.4)];
        let out = fused(&semantic, &[], Mode::Semantic, RRF);
        assert_eq!(out.iter().map(|c| c.document_id.as_u128()).collect::<Vec<_>>(), vec![7, 3]);
    }

    #[test]
    fn each_mode_keeps_only_its_own_matches() {
        let semantic = [hit(1, 0.1)];
        let keyword = [word_hit(2, 1.0, true)];
        let blend = Fusion::Blend { semantic_ratio: 0.5 };
        assert_eq!(fused(&semantic, &keyword, Mode::Semantic, blend).len(), 1);
        assert_eq!(fused(&semantic, &keyword, Mode::Keyword, blend).len(), 1);
        assert_eq!(fused(&semantic, &keyword, Mode::Hybrid, blend).len(), 2);
    }

    #[test]
    fn blending_uses_the_semantic_window_floor_for_keyword_only_matches() {
        let semantic = [hit(1, 0.2), hit(2, 0.6)];
        let keyword = [word_hit(3, 2.0, true)];
        let out = fused(&semantic, &keyword, Mode::Hybrid, Fusion::Blend { semantic_ratio: 0.5 });
        let three = out.iter().find(|c| c.document_id.as_u128() == 3).unwrap();
        // Similarity at most the window's last (0.4): (0.4 - 0.2) / 0.8 on the semantic scale.
        assert!((three.score - (0.5 * 0.25 + 0.5 * 1.0)).abs() < 1e-9);
    }

    #[test]
    fn max_takes_the_stronger_leg_and_a_share_of_the_weaker() {
        let max = Fusion::Max { other_weight: 0.5 };
        assert!((max.combine(None, 0.8, None, 0.2) - (0.8 + 0.1) / 1.5).abs() < 1e-12);
        assert!((max.combine(None, 0.2, None, 0.8) - (0.8 + 0.1) / 1.5).abs() < 1e-12);
        assert!((max.combine(None, 1.0, None, 1.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_semantic_scale_runs_from_the_floor_to_identical() {
        assert_eq!(CALIBRATION.semantic_score(0.1), 0.0);
        assert_eq!(CALIBRATION.semantic_score(0.2), 0.0);
        assert!((CALIBRATION.semantic_score(0.6) - 0.5).abs() < 1e-12);
        assert_eq!(CALIBRATION.semantic_score(1.0), 1.0);
    }

    #[test]
    fn best_persona_keeps_each_person_once() {
        let a = Candidate {
            document_id: Uuid::from_u128(1),
            profile_id: Uuid::from_u128(7),
            score: 0.9,
            semantic: None,
            keyword: None,
            bm25: None,
        };
        let b = Candidate { document_id: Uuid::from_u128(2), profile_id: Uuid::from_u128(7), score: 0.5, ..a.clone() };
        let c = Candidate { document_id: Uuid::from_u128(3), profile_id: Uuid::from_u128(8), score: 0.4, ..a.clone() };
        let kept: Vec<u128> = best_persona(vec![a, b, c]).iter().map(|c| c.document_id.as_u128()).collect();
        assert_eq!(kept, vec![1, 3]);
    }

    #[test]
    fn fragments_are_escaped_and_marked() {
        let raw = "a <b> & \u{E000}Rust\u{E001} engineer\u{E002}no match here";
        assert_eq!(marked_fragments(raw), vec!["a &lt;b&gt; &amp; <mark>Rust</mark> engineer"]);
    }
}
