//! Hybrid search, one type per stage:
//!
//! 1. [`SearchQuery`]: what was asked, validated (the API's request converts into it).
//! 2. [`Plan`]: how each leg runs. The semantic leg uses the ANN index with iterative scan,
//!    unless no index exists yet or the filters are selective, in which case it ranks the
//!    filtered rows exactly (the planner would filter after the index and lose recall). The
//!    keyword leg ranks every match, unless the terms are very broad; then it ranks only within
//!    the semantic candidates, which bounds its cost (ranking tens of thousands of matches is
//!    its tail-latency problem) and keeps every rare-term match.
//! 3. Leg windows (`LegHit`s): each leg's best `window` documents, filters applied inside.
//! 4. [`Candidate`]s: the legs fused (reciprocal rank fusion or a blend of scores), in one fixed
//!    order (score, then document id), one per person when searching every persona. Facets count
//!    this set; pages are slices of it, and the cursor says where the last page ended.
//! 5. [`SearchOutcome`]: the page's hits with cards, highlights, explanations and timings.

use std::collections::HashMap;
use std::time::Instant;

use uuid::Uuid;

use vitae_embed::cache::QueryCache;
use vitae_repository::ann::{AnnState, IndexKind};
use vitae_repository::search::{self, Filters, LegHit, MaskSelection, VectorPath};
use vitae_repository::{PgPool, TenantTx};

use super::indexer::{Indexer, embed_error};
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
    /// ratio × similarity + (1 − ratio) × keyword score, both in 0..1.
    Blend { semantic_ratio: f64 },
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
    /// Keyword queries matching more documents than this are "broad".
    pub broad_max_matches: i64,
    /// Overrides the calibrated probes (ivfflat) / ef_search (hnsw).
    pub probes: Option<i32>,
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
    /// Rank the matches among the semantic candidates (very broad terms).
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
    /// (1-based rank, normalised ts_rank_cd)
    pub keyword: Option<(usize, f64)>,
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
            (None, _) => Some(self.embed_query(&query.q, &mut timings).await?),
        };

        let mut tx = TenantTx::begin_read_only_with(self.pool, tenant_id, &self.session_settings()).await?;

        // Counting keyword matches first tells rare terms from broad ones (capped: it only has to
        // tell). Ranking every match of a broad term is the keyword leg's tail latency, so a broad
        // query is ranked within the semantic candidates, in keyword mode too.
        let started = Instant::now();
        let keyword_matches = if query.mode == Mode::Semantic || query.q.trim().is_empty() {
            None
        } else {
            let cap = self.settings.broad_max_matches + 1;
            Some(search::count_keyword_matches(&mut tx, &query.q, &query.mask, &query.filters, cap).await?)
        };
        let broad = keyword_matches.is_some_and(|matches| matches > self.settings.broad_max_matches);
        timings.keyword_ms = elapsed_ms(started);
        if broad && vector.is_none() {
            vector = Some(self.embed_query(&query.q, &mut timings).await?);
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

        // The keyword leg. Only a query that matches nothing is asked whether it had any
        // searchable word at all (one round trip less in the usual case).
        let started = Instant::now();
        let (keyword_path, matches) = match keyword_matches {
            None => (None, 0),
            Some(0) if !search::query_has_terms(&mut tx, &query.q).await? => {
                warnings.push(
                    "the query has no searchable words (only stop words or punctuation); keyword matching was skipped".into(),
                );
                (Some(KeywordPath::Empty), 0)
            }
            Some(matches) if broad && !semantic.is_empty() => {
                if query.mode == Mode::Keyword {
                    warnings.push(format!(
                        "the query matches more than {} documents; they were ranked within the {} closest in meaning",
                        self.settings.broad_max_matches,
                        semantic.len()
                    ));
                }
                (Some(KeywordPath::WithinSemantic), matches)
            }
            Some(matches) => (Some(KeywordPath::All), matches),
        };
        let keyword = match keyword_path {
            Some(KeywordPath::All) if matches > 0 => {
                search::keyword(&mut tx, &query.q, &query.mask, &query.filters, window, None).await?
            }
            Some(KeywordPath::WithinSemantic) => {
                let ids: Vec<Uuid> = semantic.iter().map(|h| h.document_id).collect();
                search::keyword(&mut tx, &query.q, &query.mask, &query.filters, window, Some(&ids)).await?
            }
            _ => Vec::new(),
        };
        timings.keyword_ms += elapsed_ms(started);
        let plan = Plan { semantic: semantic_path, keyword: keyword_path };

        // Stage 4: fuse, keep one persona per person, apply min_score.
        let started = Instant::now();
        let mut candidates = fuse(&semantic, &keyword, query.mode, query.fusion);
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
        let highlight = (query.highlight && !matched.is_empty()).then(|| (query.q.as_str(), matched.as_slice()));
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

        Ok(SearchOutcome { hits, total, facets, next, plan, timings, warnings })
    }

    /// The query's embedding, from the cache when it was asked before.
    async fn embed_query(&self, q: &str, timings: &mut Timings) -> Result<Vec<f32>, ApiError> {
        let started = Instant::now();
        let (vector, cached) = self.cache.embed_query(self.indexer.embedder().as_ref(), q).await.map_err(embed_error)?;
        timings.embed_ms = elapsed_ms(started);
        if !cached {
            metrics::histogram!("vitae_embedding_batch_seconds", "kind" => "query").record(timings.embed_ms / 1000.0);
        }
        Ok(vector.as_ref().clone())
    }

    /// `SET LOCAL`s for the vector index: probes (or ef_search) and iterative scans, so filtered
    /// searches through the index still fill their window.
    fn session_settings(&self) -> Vec<(&'static str, String)> {
        let Some(ann) = self.ann else { return Vec::new() };
        let probes = self.settings.probes.unwrap_or(ann.probes).max(1);
        match ann.kind() {
            // Iterative scans probe further lists until the window is full (bounded by the
            // table: the ANN path only runs when many rows match, see `semantic_path`).
            IndexKind::IvfFlat => {
                vec![("ivfflat.probes", probes.to_string()), ("ivfflat.iterative_scan", "relaxed_order".into())]
            }
            IndexKind::Hnsw => vec![
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

/// Whether `c` comes after the cursor in (score desc, document id asc) order.
fn is_after(c: &Candidate, after: After) -> bool {
    c.score < after.score || (c.score == after.score && c.document_id > after.document_id)
}

/// Stage 4: the legs' windows fused into one ordered list.
pub fn fuse(semantic: &[LegHit], keyword: &[LegHit], mode: Mode, fusion: Fusion) -> Vec<Candidate> {
    let mut by_id: HashMap<Uuid, Candidate> = HashMap::new();
    let unscored = |hit: &LegHit| Candidate {
        document_id: hit.document_id,
        profile_id: hit.profile_id,
        score: 0.0,
        semantic: None,
        keyword: None,
    };
    for (i, hit) in semantic.iter().enumerate() {
        by_id.entry(hit.document_id).or_insert_with(|| unscored(hit)).semantic = Some((i + 1, hit.score));
    }
    for (i, hit) in keyword.iter().enumerate() {
        by_id.entry(hit.document_id).or_insert_with(|| unscored(hit)).keyword = Some((i + 1, hit.score));
    }
    // A document the semantic window missed is at most as similar as the window's last one.
    let floor_similarity = semantic.last().map_or(0.0, |h| 1.0 - h.score);
    let mut out: Vec<Candidate> = by_id
        .into_values()
        .map(|mut c| {
            let similarity = c.semantic.map_or(floor_similarity, |(_, d)| 1.0 - d);
            c.score = match mode {
                Mode::Semantic => similarity,
                Mode::Keyword => c.keyword.map_or(0.0, |(_, s)| s),
                Mode::Hybrid => match fusion {
                    Fusion::Rrf { k, semantic_weight, keyword_weight } => {
                        c.semantic.map_or(0.0, |(rank, _)| semantic_weight / (k + rank as f64))
                            + c.keyword.map_or(0.0, |(rank, _)| keyword_weight / (k + rank as f64))
                    }
                    Fusion::Blend { semantic_ratio } => {
                        semantic_ratio * similarity.clamp(0.0, 1.0) + (1.0 - semantic_ratio) * c.keyword.map_or(0.0, |(_, s)| s)
                    }
                },
            };
            c
        })
        .filter(|c| match mode {
            Mode::Semantic => c.semantic.is_some(),
            Mode::Keyword => c.keyword.is_some(),
            Mode::Hybrid => true,
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.document_id.cmp(&b.document_id)));
    out
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

    fn hit(id: u128, score: f64) -> LegHit {
        LegHit { document_id: Uuid::from_u128(id), profile_id: Uuid::from_u128(id + 1000), score }
    }

    #[test]
    fn rrf_rewards_documents_both_legs_rank_well() {
        let semantic = [hit(1, 0.1), hit(2, 0.2), hit(3, 0.3)];
        let keyword = [hit(3, 0.9), hit(4, 0.5)];
        let fused = fuse(&semantic, &keyword, Mode::Hybrid, Fusion::Rrf { k: 60.0, semantic_weight: 1.0, keyword_weight: 1.0 });
        assert_eq!(fused[0].document_id, Uuid::from_u128(3), "in both legs");
        assert_eq!(fused.len(), 4);
        assert_eq!(fused[0].semantic, Some((3, 0.3)));
        assert_eq!(fused[0].keyword, Some((1, 0.9)));
    }

    #[test]
    fn ties_are_broken_by_document_id() {
        let keyword = [hit(9, 0.5), hit(2, 0.5), hit(5, 0.5)];
        let fused = fuse(&[], &keyword, Mode::Keyword, Fusion::Blend { semantic_ratio: 0.5 });
        let ids: Vec<u128> = fused.iter().map(|c| c.document_id.as_u128()).collect();
        assert_eq!(ids, vec![2, 5, 9]);
    }

    #[test]
    fn each_mode_keeps_only_its_own_matches() {
        let semantic = [hit(1, 0.1)];
        let keyword = [hit(2, 0.4)];
        let blend = Fusion::Blend { semantic_ratio: 0.5 };
        assert_eq!(fuse(&semantic, &keyword, Mode::Semantic, blend).len(), 1);
        assert_eq!(fuse(&semantic, &keyword, Mode::Keyword, blend).len(), 1);
        assert_eq!(fuse(&semantic, &keyword, Mode::Hybrid, blend).len(), 2);
    }

    #[test]
    fn blending_uses_the_semantic_window_floor_for_keyword_only_matches() {
        let semantic = [hit(1, 0.2), hit(2, 0.6)];
        let keyword = [hit(3, 1.0)];
        let fused = fuse(&semantic, &keyword, Mode::Hybrid, Fusion::Blend { semantic_ratio: 0.5 });
        let three = fused.iter().find(|c| c.document_id.as_u128() == 3).unwrap();
        assert!((three.score - (0.5 * 0.4 + 0.5 * 1.0)).abs() < 1e-9);
    }

    #[test]
    fn best_persona_keeps_each_person_once() {
        let a = Candidate {
            document_id: Uuid::from_u128(1),
            profile_id: Uuid::from_u128(7),
            score: 0.9,
            semantic: None,
            keyword: None,
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
