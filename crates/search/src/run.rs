//! Running a search: the statements of each stage in one read-only transaction (one snapshot,
//! so a profile deleted meanwhile is either wholly in or wholly out), in this order:
//!
//! 1. begin, with the session settings of the vector index (one round trip);
//! 2. similar profiles: the profile's vector (one);
//! 3. the keyword plan: the query words' statistics (one), stand-ins for mistyped words (one,
//!    only when a word is unknown);
//! 4. how many documents the tenant, mask and filters select (one, only when it decides the
//!    path and is not remembered; a remembered count past its time is served while it is
//!    counted again off the request path);
//! 5. the semantic leg (one; a second, exact, only when the index gave up early; on the index
//!    path with passages weighed and indexed, the documents of the nearest passages, on a second
//!    connection beside it when one is spare), then its window's nearest passages (one, when
//!    passages are weighed);
//! 6. the keyword leg (one);
//! 7. the nearest passage of each candidate found by words alone (one, hybrid, when any);
//! 8. facets (one, when asked);
//! 9. the page's cards, highlights and nearest passages (one);
//! 10. commit (one).
//!
//! A default hybrid request (facets and highlights) makes 8 round trips. In every mode but
//! keyword, given words, a second transaction on another connection (when one is spare) imports
//! the first one's snapshot (two round trips) and runs stage 3 and the matches of rare words
//! while the first runs stages 4 and 5; the semantic candidates holding a broad word are then
//! ranked there while the first reads the window's passages, and facets are counted beside the
//! page's hits.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use uuid::Uuid;
use vitae_domain::search::{MaskSelection, Mode};
use vitae_embed::Embedder;
use vitae_embed::cache::QueryCache;
use vitae_repository::ann::{AnnState, IndexKind};
use vitae_repository::keyword::{self as keyword_sql, Bm25, KeywordRanking};
use vitae_repository::search::{self as search_sql, DocumentDistances, LegHit, PASSAGES_WALKED, VectorPath};
use vitae_repository::{PgPool, RepoResult, TenantTx};

use crate::error::{SearchError, SearchResult};
use crate::fuse::{self, Candidate};
use crate::hits::{Hit, marked_fragments};
use crate::keyword::{self, Correction, KeywordPlan, QueryText};
use crate::memory::{Lookup, TenantMemory};
use crate::page::{self, Facets};
use crate::plan::{self, Facts, KeywordPath, Plan};
use crate::query::{Input, SearchQuery, SearchSettings};
use vitae_domain::search::After;

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    pub embed_ms: f64,
    pub semantic_ms: f64,
    pub keyword_ms: f64,
    pub fuse_ms: f64,
    pub facets_ms: f64,
    pub hits_ms: f64,
}

/// What a search found.
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

/// The engine, borrowing what it needs from the service.
pub struct Engine<'a> {
    pub pool: &'a PgPool,
    pub embedder: &'a dyn Embedder,
    pub cache: &'a QueryCache,
    pub ann: Option<&'a AnnState>,
    pub settings: &'a SearchSettings,
    /// Each tenant's vocabulary and size, remembered for a while (shared with the background
    /// refreshes).
    pub memory: &'a Arc<TenantMemory>,
}

impl Engine<'_> {
    /// Selections of up to this many documents are ranked exactly (see [`plan::exact_limit`]).
    pub(crate) fn exact_limit(&self) -> i64 {
        let rows = self.ann.map_or(0, |a| a.rows_at_build);
        plan::exact_limit(self.settings.exact_max_rows, self.settings.visit_cost, self.settings.window, rows)
    }

    /// How many documents the mask selection and filters leave of the tenant's, counted up to
    /// the exact-search limit plus one and remembered for a while (see
    /// [`crate::memory::TenantMemory::counts`]).
    pub(crate) async fn selected(
        &self,
        tx: &mut TenantTx,
        tenant_id: Uuid,
        mask: &MaskSelection,
        filters: &vitae_domain::search::Filters,
    ) -> SearchResult<i64> {
        let key = (tenant_id, format!("{mask:?} {filters:?}"));
        let cap = self.exact_limit() + 1;
        match self.memory.counts.lookup(&key) {
            Lookup::Fresh(count) => Ok(count),
            Lookup::Refresh(count) => {
                let (mask, filters) = (mask.clone(), filters.clone());
                self.refresh(
                    tenant_id,
                    "selection size",
                    move |mut tx| async move {
                        let count = search_sql::count_matching(&mut tx, &mask, &filters, cap).await?;
                        tx.commit().await?;
                        Ok(count)
                    },
                    move |memory, count| memory.counts.put(key, count),
                );
                Ok(count)
            }
            Lookup::Missing => {
                let count = search_sql::count_matching(tx, mask, filters, cap).await?;
                self.memory.counts.put(key, count);
                Ok(count)
            }
        }
    }

    /// Reads something remembered again, off the request path: `read` runs in a read-only
    /// transaction of its own on a task of its own, and `remember` keeps what it found. A
    /// failure is logged and the old value stays for another period.
    pub(crate) fn refresh<T, Read, Reading>(
        &self,
        tenant_id: Uuid,
        what: &'static str,
        read: Read,
        remember: impl FnOnce(&TenantMemory, T) + Send + 'static,
    ) where
        Read: FnOnce(TenantTx) -> Reading + Send + 'static,
        Reading: Future<Output = RepoResult<T>> + Send,
        T: Send + 'static,
    {
        let (pool, memory) = (self.pool.clone(), Arc::clone(self.memory));
        tokio::spawn(async move {
            let found = async { read(TenantTx::begin_read_only(&pool, tenant_id).await?).await };
            let outcome = match found.await {
                Ok(value) => {
                    remember(&memory, value);
                    "ok"
                }
                Err(error) => {
                    tracing::warn!(%tenant_id, what, %error, "could not read again what a tenant's searches remember");
                    "error"
                }
            };
            metrics::counter!("vitae_tenant_memory_refreshes_total", "what" => what, "outcome" => outcome).increment(1);
        });
    }
}

/// Facet counts over every candidate of the list (not only the page).
pub(crate) async fn facets_of(tx: &mut TenantTx, candidates: &[Candidate]) -> SearchResult<Facets> {
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.document_id).collect();
    Ok(page::facets(search_sql::facets(tx, &ids).await?))
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Each window document's nearest passage (multi-aspect profiles), given the query's vector when
/// passages are weighed.
async fn add_passages(tx: &mut TenantTx, window: &mut [DocumentDistances], vector: Option<&[f32]>) -> RepoResult<()> {
    let Some(vector) = vector.filter(|_| !window.is_empty()) else {
        return Ok(());
    };
    let ids: Vec<Uuid> = window.iter().map(|d| d.document_id).collect();
    let nearest: HashMap<Uuid, f64> = search_sql::nearest_passages(tx, &ids, vector).await?.into_iter().collect();
    for document in window.iter_mut() {
        document.passage = nearest.get(&document.document_id).copied();
    }
    Ok(())
}

/// What `work` gives, and its milliseconds.
async fn timed<T, E>(work: impl Future<Output = Result<T, E>>) -> Result<(T, f64), SearchError>
where
    SearchError: From<E>,
{
    let started = Instant::now();
    let value = work.await?;
    Ok((value, elapsed_ms(started)))
}

/// How long a search waits for a new connection to run its legs side by side, when the pool
/// has room but nothing idle; past it they run one after the other.
const SIBLING_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// The keyword plan, when it has words to rank: some searchable words (not only stop words),
/// and some that a document holds (or stands in for).
fn rankable(plan: Option<&KeywordPlan>) -> Option<&KeywordPlan> {
    plan.filter(|p| p.has_words && !p.is_empty())
}

/// What the semantic leg searches with.
struct SemanticLeg<'a> {
    vector: Option<&'a [f32]>,
    /// `None`: the leg does not run.
    path: Option<VectorPath>,
    window: i64,
    /// Whether passages are weighed (then the index path walks them too, when indexed).
    passages: bool,
}

impl Engine<'_> {
    pub async fn search(&self, tenant_id: Uuid, query: &SearchQuery) -> SearchResult<SearchOutcome> {
        let mut timings = Timings::default();
        let mut warnings = Vec::new();
        let q = query.text();

        // The query's vector: the text's embedding (cached per tenant), before any connection.
        let mut vector = match query.mode {
            Mode::Keyword => None,
            _ if q.is_empty() => None,
            _ => Some(self.embed_query(tenant_id, q, &mut timings).await?),
        };

        let mut tx = TenantTx::begin_read_only_with(self.pool, tenant_id, &self.session_settings()).await?;
        if let Input::SimilarTo(profile_id) = query.input {
            let found = search_sql::profile_vector(&mut tx, profile_id).await?;
            vector = Some(found.ok_or(SearchError::ProfileNotFound)?.ok_or(SearchError::MissingDocument(profile_id))?);
        }

        let text = keyword::split(q);
        let window = match query.mask {
            // Each person once: room for several personas of the same people.
            MaskSelection::All => self.settings.window * 3,
            _ => self.settings.window,
        };
        // Multi-aspect profiles: with passages weighed, the leg's statement also gives each
        // document's nearest passage (a role, the skills, ...).
        let passages = self.settings.passage_weight > 0.0 && query.mode != Mode::Keyword;

        // In every mode but keyword the semantic leg runs whatever the words say. With a second
        // connection to spare, reading the same snapshot, the words are then looked up (the
        // keyword plan, stand-ins for mistyped words) and the matches of rare words ranked while
        // the semantic leg walks the index: the legs take the longer one's time, not the sum.
        // Words too common to rank every match of only score the semantic candidates, so they
        // wait for them either way.
        let independent = plan::wants_keyword_plan(query) && query.mode != Mode::Keyword && vector.is_some();
        let mut sibling = if independent && self.settings.legs_side_by_side {
            tx.sibling(self.pool, &self.session_settings(), SIBLING_WAIT).await?
        } else {
            None
        };
        if independent {
            let run = if sibling.is_some() { "side_by_side" } else { "one_after_another" };
            metrics::counter!("vitae_search_legs_total", "run" => run).increment(1);
        }
        let (keyword_plan, plan, nearest, keyword) = match sibling.as_mut() {
            Some(sibling) => {
                let meaning = async {
                    let started = Instant::now();
                    let matching = self.matching(&mut tx, tenant_id, query, None).await?;
                    let path = self.plan(query, None, matching).semantic;
                    let leg = SemanticLeg { vector: vector.as_deref(), path, window, passages };
                    let (nearest, path) = self.semantic_leg(&mut tx, query, &leg).await?;
                    Ok::<_, SearchError>((matching, path, nearest, elapsed_ms(started)))
                };
                let words = async {
                    let started = Instant::now();
                    let words = self.keyword_plan(sibling, q, &text.positive).await?;
                    let rare = match rankable(Some(&words)).filter(|w| w.matching.is_some()) {
                        Some(w) => keyword_sql::rank(sibling, &self.ranking(query, w, &text, window, true, None)).await?,
                        None => Vec::new(),
                    };
                    Ok::<_, SearchError>((words, rare, elapsed_ms(started)))
                };
                let ((matching, path, mut nearest, semantic_ms), (words, rare, keyword_ms)) = tokio::try_join!(meaning, words)?;
                let mut plan = self.plan(query, Some(&words), matching);
                plan.semantic = path;
                // Given the window: its passages read here while the candidates holding a
                // broad word are ranked on the sibling.
                let within: Vec<Uuid> = nearest.iter().map(|h| h.document_id).collect();
                let broad = rankable(Some(&words)).map(|w| self.ranking(query, w, &text, window, false, Some(&within)));
                let broad = broad.filter(|r| r.broad.is_some());
                let aspects = add_passages(&mut tx, &mut nearest, vector.as_deref().filter(|_| passages));
                let broad_hits = async {
                    match &broad {
                        Some(broad) => keyword_sql::rank(sibling, broad).await.map(Some),
                        None => Ok(None),
                    }
                };
                let (((), aspects_ms), (broad_hits, broad_ms)) = tokio::try_join!(timed(aspects), timed(broad_hits))?;
                let keyword = match broad_hits {
                    Some(broad) => keyword_sql::merge(rare, broad, window),
                    None => rare,
                };
                (timings.semantic_ms, timings.keyword_ms) = (semantic_ms + aspects_ms, keyword_ms + broad_ms);
                (Some(words), plan, nearest, keyword)
            }
            None => {
                // The keyword plan from the tenant's word statistics: which words find
                // candidates, which only score them (too common to rank every match), stand-ins
                // for mistyped words.
                let started = Instant::now();
                let keyword_plan = match plan::wants_keyword_plan(query) {
                    true => Some(self.keyword_plan(&mut tx, q, &text.positive).await?),
                    false => None,
                };
                timings.keyword_ms = elapsed_ms(started);
                if plan::runs_semantic(query, keyword_plan.as_ref()) && vector.is_none() {
                    vector = Some(self.embed_query(tenant_id, q, &mut timings).await?);
                }
                let started = Instant::now();
                let matching = self.matching(&mut tx, tenant_id, query, keyword_plan.as_ref()).await?;
                let mut plan = self.plan(query, keyword_plan.as_ref(), matching);
                let leg = SemanticLeg { vector: vector.as_deref(), path: plan.semantic, window, passages };
                let (mut nearest, path) = self.semantic_leg(&mut tx, query, &leg).await?;
                add_passages(&mut tx, &mut nearest, vector.as_deref().filter(|_| passages)).await?;
                (plan.semantic, timings.semantic_ms) = (path, elapsed_ms(started));
                let started = Instant::now();
                let within: Vec<Uuid> = nearest.iter().map(|h| h.document_id).collect();
                let words = rankable(keyword_plan.as_ref());
                let keyword = match words.map(|w| self.ranking(query, w, &text, window, true, Some(&within))) {
                    Some(ranking) => keyword_sql::rank(&mut tx, &ranking).await?,
                    None => Vec::new(),
                };
                timings.keyword_ms += elapsed_ms(started);
                (keyword_plan, plan, nearest, keyword)
            }
        };
        if plan.keyword == Some(KeywordPath::Empty) {
            warnings
                .push("the query has no searchable words (only stop words or punctuation); keyword matching was skipped".into());
        }
        if plan.keyword == Some(KeywordPath::WithinSemantic) && query.mode == Mode::Keyword {
            warnings.push(format!(
                "some words are in more than {} documents; they only rank documents found by rarer words or among the {} closest in meaning",
                self.settings.keyword.broad_max_matches,
                nearest.len()
            ));
        }

        // Every candidate's similarity is its document's or its nearest passage's, whichever is
        // closer, and documents found only by their words get a real similarity too.
        let started = Instant::now();
        let semantic = match &vector {
            Some(vector) if passages => {
                let in_window: HashSet<Uuid> = nearest.iter().map(|h| h.document_id).collect();
                let mut by_words: Vec<Uuid> =
                    keyword.iter().map(|h| h.document_id).filter(|id| !in_window.contains(id)).collect();
                by_words.sort_unstable();
                by_words.dedup();
                let mut distances = nearest;
                if !by_words.is_empty() {
                    distances.extend(search_sql::distances(&mut tx, &by_words, vector).await?);
                }
                fuse::nearest_aspect(distances, &in_window, query.mode == Mode::Semantic, self.settings.passage_weight)
            }
            _ => nearest.into_iter().map(LegHit::from).collect(),
        };
        timings.semantic_ms += elapsed_ms(started);

        // Fuse, keep one persona per person, apply min_score, cut the page.
        let started = Instant::now();
        let calibration = self.settings.calibration;
        let mut candidates = fuse::fuse(&semantic, &keyword, keyword_plan.as_ref(), query.mode, query.fusion, &calibration);
        // A relevance cutoff for text queries: total, facets and pages cover the documents that
        // match (by words, or close enough in meaning), not the whole window.
        if matches!(query.input, Input::Text(_)) {
            candidates.retain(|c| c.keyword.is_some() || c.semantic.is_some_and(|(_, d)| 1.0 - d >= calibration.min_similarity));
        }
        if query.mask == MaskSelection::All {
            candidates = fuse::best_persona(candidates);
        }
        if let Some(min) = query.min_score {
            candidates.retain(|c| c.score >= min);
        }
        let page = page::page(&candidates, query.after, query.limit);
        timings.fuse_ms = elapsed_ms(started);

        // Facets and the page's hits (side by side when the legs were).
        let facets = async |tx: &mut TenantTx| match query.facets {
            true => facets_of(tx, &candidates).await.map(Some),
            false => Ok(None),
        };
        let hits = |tx| self.hits(tx, query, &page.candidates, keyword_plan.as_ref(), vector.as_deref());
        let ((facets, facets_ms), (hits, hits_ms)) = match sibling.as_mut() {
            Some(sibling) => tokio::try_join!(timed(facets(sibling)), timed(hits(&mut tx)))?,
            None => (timed(facets(&mut tx)).await?, timed(hits(&mut tx)).await?),
        };
        (timings.facets_ms, timings.hits_ms) = (facets_ms, hits_ms);
        if let Some(sibling) = sibling {
            sibling.commit().await?;
        }
        tx.commit().await?;

        let corrections = keyword_plan.map(|p| p.corrections).unwrap_or_default();
        Ok(SearchOutcome { hits, total: page.total, facets, next: page.next, plan, timings, warnings, corrections })
    }

    /// How many documents the tenant, mask selection and filters select, when that decides the
    /// semantic leg's path.
    async fn matching(
        &self,
        tx: &mut TenantTx,
        tenant_id: Uuid,
        query: &SearchQuery,
        keyword_plan: Option<&KeywordPlan>,
    ) -> SearchResult<Option<i64>> {
        if !plan::must_count(query, keyword_plan, self.ann.is_some()) {
            return Ok(None);
        }
        Ok(Some(self.selected(tx, tenant_id, &query.mask, &query.filters).await?))
    }

    fn plan(&self, query: &SearchQuery, keyword: Option<&KeywordPlan>, matching: Option<i64>) -> Plan {
        let facts = Facts { index: self.ann.map(AnnState::storage), keyword, matching, exact_limit: self.exact_limit() };
        plan::plan(query, facts)
    }

    /// The semantic leg: the window of documents nearest the vector (each with its nearest
    /// passage), and the path it took.
    async fn semantic_leg(
        &self,
        tx: &mut TenantTx,
        query: &SearchQuery,
        leg: &SemanticLeg<'_>,
    ) -> SearchResult<(Vec<DocumentDistances>, Option<VectorPath>)> {
        let (Some(vector), Some(path)) = (leg.vector, leg.path) else {
            return Ok((Vec::new(), leg.path));
        };
        let (mask, filters, window) = (&query.mask, &query.filters, leg.window);
        // The documents nearest by a passage join the window. A query far from every document
        // (a few skills: "iOS Swift") is near some of their passages, and the graph walk of the
        // documents' vectors finds the wrong ones among the many about as far (at a million bench
        // profiles it missed the whole top ten of such queries). The passages are walked beside
        // the documents, on a second connection when one is spare.
        let walk = match path {
            VectorPath::Ann(storage) if leg.passages => {
                self.ann.and_then(|ann| self.settings.passage_walk_ef(ann)).map(|ef| (storage, ef))
            }
            _ => None,
        };
        let mut walker = match walk {
            Some(_) => tx.sibling(self.pool, &self.session_settings(), SIBLING_WAIT).await?,
            None => None,
        };
        let (mut hits, walked) = match (walk, walker.as_mut()) {
            (Some(walk), Some(walker)) => {
                let (hits, walked) = tokio::try_join!(
                    search_sql::semantic_distances(tx, vector, mask, filters, window, path),
                    search_sql::passage_neighbours(walker, vector, mask, filters, PASSAGES_WALKED, walk)
                )?;
                (hits, Some(walked))
            }
            _ => (search_sql::semantic_distances(tx, vector, mask, filters, window, path).await?, None),
        };
        if let Some(walker) = walker {
            walker.commit().await?;
        }
        // The ANN path runs only when more than the exact limit of documents match, so a short
        // window means the index scan gave up early (a filter or tenant that is rare in the
        // shared index): rank exactly rather than return a short page.
        if path.is_ann() && (hits.len() as i64) < window.min(self.exact_limit()) {
            let exact = VectorPath::Exact;
            let hits = search_sql::semantic_distances(tx, vector, mask, filters, window, exact).await?;
            return Ok((hits, Some(exact)));
        }
        let walked = match (walked, walk) {
            (Some(walked), _) => walked,
            (None, Some(walk)) => search_sql::passage_neighbours(tx, vector, mask, filters, PASSAGES_WALKED, walk).await?,
            (None, None) => Vec::new(),
        };
        let known: HashSet<Uuid> = hits.iter().map(|h| h.document_id).collect();
        hits.extend(walked.into_iter().filter(|d| !known.contains(&d.document_id)));
        Ok((hits, Some(path)))
    }

    /// What the keyword leg ranks: the candidates of the plan's rare words (`matching`), and,
    /// given the semantic candidates (`within`), those holding a word too common to rank every
    /// match of.
    fn ranking<'a>(
        &self,
        query: &'a SearchQuery,
        words: &'a KeywordPlan,
        text: &'a QueryText,
        window: i64,
        matching: bool,
        within: Option<&'a [Uuid]>,
    ) -> KeywordRanking<'a> {
        KeywordRanking {
            terms: &words.terms,
            matching: words.matching.as_deref().filter(|_| matching),
            broad: words.broad.as_deref().zip(within),
            complete: &words.complete,
            excluded: text.excluded.as_deref(),
            mask: &query.mask,
            filters: &query.filters,
            bm25: self.bm25(words),
            window,
        }
    }

    /// The page's cards, keyword highlights and nearest passages, in one statement.
    async fn hits(
        &self,
        tx: &mut TenantTx,
        query: &SearchQuery,
        page: &[Candidate],
        keyword_plan: Option<&KeywordPlan>,
        vector: Option<&[f32]>,
    ) -> SearchResult<Vec<Hit>> {
        let ids: Vec<Uuid> = page.iter().map(|c| c.document_id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let matched: Vec<Uuid> = page.iter().filter(|c| c.keyword.is_some()).map(|c| c.document_id).collect();
        let words = keyword_plan.map(KeywordPlan::highlight_query).unwrap_or_default();
        let highlight =
            (query.highlight && !matched.is_empty() && !words.is_empty()).then_some((words.as_str(), matched.as_slice()));
        let nearest_to = vector.filter(|_| query.highlight && query.mode != Mode::Keyword);
        let rows = search_sql::hits(tx, &ids, highlight, nearest_to).await?;
        let mut rows: HashMap<Uuid, search_sql::HitRow> = rows.into_iter().map(|r| (r.document_id, r)).collect();
        Ok(page
            .iter()
            .filter_map(|candidate| {
                let row = rows.remove(&candidate.document_id)?;
                Some(Hit {
                    keyword_fragments: row.keyword_fragments.as_deref().map(marked_fragments).unwrap_or_default(),
                    semantic_passage: row.nearest_passage,
                    mask_slug: row.mask_slug,
                    card: row.card.0,
                    candidate: candidate.clone(),
                })
            })
            .collect())
    }

    /// The keyword plan: the query's words with the tenant's statistics, and stand-ins from the
    /// tenant's vocabulary for words no document holds.
    async fn keyword_plan(&self, tx: &mut TenantTx, q: &str, positive: &str) -> SearchResult<KeywordPlan> {
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
    async fn embed_query(&self, tenant_id: Uuid, q: &str, timings: &mut Timings) -> SearchResult<Vec<f32>> {
        let started = Instant::now();
        let (vector, cached) = self.cache.embed_query(self.embedder, tenant_id.as_u128(), q).await?;
        timings.embed_ms = elapsed_ms(started);
        if !cached {
            metrics::histogram!("vitae_embedding_batch_seconds", "kind" => "query").record(timings.embed_ms / 1000.0);
        }
        Ok(vector.as_ref().clone())
    }

    /// `SET LOCAL`s for the vector index: probes (or ef_search) and iterative scans, so filtered
    /// searches through the index still fill their window.
    pub(crate) fn session_settings(&self) -> Vec<(&'static str, String)> {
        // The trigram index finds typo candidates this alike (edit distance decides among them).
        let trigrams = ("pg_trgm.similarity_threshold", self.settings.typo_min_similarity.to_string());
        let Some(ann) = self.ann else {
            return vec![trigrams];
        };
        let probes = self.settings.probes.unwrap_or(ann.probes).max(1);
        match ann.kind() {
            // Iterative scans probe further lists until the window is full (bounded by the
            // table: the ANN path only runs when many rows match, see `plan`).
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
}
