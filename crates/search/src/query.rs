//! Stage 1: a validated search, and the engine's settings.

use uuid::Uuid;
use vitae_domain::search::{After, Filters, Fusion, MaskSelection, Mode};
use vitae_repository::ann::{AnnState, IndexKind};
use vitae_repository::search::PASSAGES_WALKED;

use crate::keyword::KeywordSettings;

/// What the search starts from.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Words (embedded for the semantic leg, matched by the keyword leg).
    Text(String),
    /// The profile's own default document (similar profiles): its vector is read in the
    /// search's transaction, and the profile itself is left out.
    SimilarTo(Uuid),
}

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub input: Input,
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
    /// Identifies the result list, so a cursor is only used with the query that made it.
    pub fingerprint: u64,
}

impl SearchQuery {
    /// The words searched for; empty for similar profiles.
    pub fn text(&self) -> &str {
        match &self.input {
            Input::Text(q) => q,
            Input::SimilarTo(_) => "",
        }
    }
}

/// Settings of the search engine (from configuration).
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// Candidates each leg contributes: the deepest a result list goes.
    pub window: i64,
    /// Filtered searches matching at most this many documents are ranked exactly.
    pub exact_max_rows: i64,
    /// What one visit of a filtered index scan costs, in rows ranked exactly (see
    /// [`crate::plan::exact_limit`]).
    pub visit_cost: f64,
    /// Overrides the calibrated probes (ivfflat) / ef_search (hnsw), of both graphs.
    pub probes: Option<i32>,
    /// Overrides the passages' walk's ef_search alone (before `probes`).
    pub passage_probes: Option<i32>,
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
    /// Run the keyword leg beside the semantic one on a second connection (reading the same
    /// snapshot) when the pool has one to spare.
    pub legs_side_by_side: bool,
}

impl SearchSettings {
    /// The passages' walk's hnsw.ef_search, when the passages have a graph of their own: the
    /// passages' setting, else both graphs', else the calibrated one; at least twice the passages
    /// walked (a walk keeps no more candidates than its ef_search), at most pgvector's 1000.
    pub fn passage_walk_ef(&self, ann: &AnnState) -> Option<i32> {
        let calibrated = Some(ann).filter(|a| a.kind() == IndexKind::Hnsw)?.passage_walk_probes()?;
        let ef = self.passage_probes.or(self.probes).unwrap_or(calibrated);
        Some(ef.clamp(2 * PASSAGES_WALKED as i32, 1000))
    }
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
