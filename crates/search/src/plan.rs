//! Stage 2: how each leg runs, worked out without the database from the query, the state of the
//! vector index, and what the engine read first (the keyword plan from the tenant's word
//! statistics; how many documents pass a filter, when that decides the path).
//!
//! The semantic leg runs when there is a vector to search with: every mode but keyword, and
//! keyword mode too when some query words are too common to rank every match (their candidates
//! come from meaning). It uses the ANN index, unless there is none yet or the tenant, mask
//! selection and filters leave few enough documents that ranking them all exactly is cheaper and
//! loses nothing (PostgreSQL's planner would take the vector index shared by every tenant and
//! filter after it, losing recall). The keyword leg ranks every match, or only scores the semantic candidates for words
//! too common to rank every match of.

use vitae_domain::search::Mode;
use vitae_repository::ann::VectorStorage;
use vitae_repository::search::VectorPath;

use crate::keyword::KeywordPlan;
use crate::query::{Input, SearchQuery};

/// How the legs run (`None`: the leg does not run).
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

/// What the planner is told besides the query.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The vector type of the ANN index serving searches, if one does.
    pub index: Option<VectorStorage>,
    /// The keyword plan, when the keyword leg runs (see [`wants_keyword_plan`]).
    pub keyword: Option<&'a KeywordPlan>,
    /// Documents the tenant, mask selection and filters select, counted up to
    /// `exact_limit + 1`, when [`must_count`] asked for it.
    pub matching: Option<i64>,
    /// Selections of up to this many documents are ranked exactly ([`exact_limit`]).
    pub exact_limit: i64,
}

/// Whether the keyword leg runs (and so needs the tenant's word statistics).
pub fn wants_keyword_plan(query: &SearchQuery) -> bool {
    query.mode != Mode::Semantic && matches!(&query.input, Input::Text(q) if !q.trim().is_empty())
}

/// Whether the semantic leg runs.
pub fn runs_semantic(query: &SearchQuery, keyword: Option<&KeywordPlan>) -> bool {
    query.mode != Mode::Keyword || keyword.is_some_and(|p| p.broad.is_some())
}

/// Whether the semantic path depends on how many documents the tenant, mask selection and
/// filters select: whenever the index could serve (a small tenant in a big shared index is
/// ranked exactly, like a selective filter).
pub fn must_count(query: &SearchQuery, keyword: Option<&KeywordPlan>, index_ready: bool) -> bool {
    runs_semantic(query, keyword) && index_ready
}

/// How many index entries an iterative scan may visit to fill a window before exact ranking is
/// the better path. A scan filling `window` rows from a selection of `n` of the index's `rows`
/// visits about window · rows / n entries, and pgvector stops an HNSW scan at
/// `hnsw.max_scan_tuples` (20,000): past half of that it is likely to come back short and cost
/// a second, exact, statement anyway. At a million rows, a 1% tag filter (10,000 rows) took
/// 18-20 ms through the index's plan; ranked exactly by inner product, 8 ms.
const ANN_SCAN_BUDGET: i64 = 10_000;

/// Selections of up to this many documents are ranked exactly: at least `exact_max_rows`; in a
/// big index every selection too small for an iterative scan to fill `window` within
/// [`ANN_SCAN_BUDGET`] visits; and every selection that costs less to rank than the scan costs
/// to walk. Ranking `n` rows costs n; the scan, window · rows / n visits of `visit_cost` rows
/// each: they break even at n = sqrt(visit_cost · window · rows). At 100k rows that ranks a 10%
/// tag (10,000 rows) exactly: 16.7 ms of the semantic stage against 22.2 through the index over
/// halfvec.
pub fn exact_limit(exact_max_rows: i64, visit_cost: f64, window: i64, index_rows: i64) -> i64 {
    let break_even = (visit_cost * window as f64 * index_rows as f64).sqrt() as i64;
    exact_max_rows.max(window.saturating_mul(index_rows) / ANN_SCAN_BUDGET).max(break_even)
}

/// The plan.
pub fn plan(query: &SearchQuery, facts: Facts<'_>) -> Plan {
    let path = match (facts.index, facts.matching) {
        (None, _) => VectorPath::Exact,
        (Some(_), Some(n)) if n <= facts.exact_limit => VectorPath::Exact,
        (Some(storage), _) => VectorPath::Ann(storage),
    };
    let semantic = runs_semantic(query, facts.keyword).then_some(path);
    let keyword = facts.keyword.map(|p| {
        if !p.has_words {
            KeywordPath::Empty
        } else if p.broad.is_some() && !p.is_empty() {
            KeywordPath::WithinSemantic
        } else {
            KeywordPath::All
        }
    });
    Plan { semantic, keyword }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;
    use vitae_domain::search::{Filters, Fusion, MaskSelection};
    use vitae_repository::keyword::WeightedTerm;

    fn query(input: Input, mode: Mode) -> SearchQuery {
        SearchQuery {
            input,
            mode,
            fusion: Fusion::Max { other_weight: 0.3 },
            filters: Filters::default(),
            mask: MaskSelection::Default,
            limit: 10,
            after: None,
            min_score: None,
            explain: false,
            highlight: true,
            facets: true,
            fingerprint: 0,
        }
    }

    fn text(q: &str, mode: Mode) -> SearchQuery {
        query(Input::Text(q.into()), mode)
    }

    fn words(broad: bool) -> KeywordPlan {
        KeywordPlan {
            terms: vec![WeightedTerm { term: "engineer".into(), idf: 1.0, boost: 1.0 }],
            matching: (!broad).then(|| "'engineer'".into()),
            broad: broad.then(|| "'engineer'".into()),
            complete: "'engineer'".into(),
            ideal: 2.0,
            average_length: 10.0,
            has_words: true,
            corrections: vec![],
        }
    }

    fn facts<'a>(index_ready: bool, keyword: Option<&'a KeywordPlan>, matching: Option<i64>) -> Facts<'a> {
        Facts { index: index_ready.then_some(VectorStorage::Halfvec), keyword, matching, exact_limit: 1000 }
    }

    #[test]
    fn without_an_index_the_semantic_leg_ranks_exactly_and_counts_nothing() {
        let q = text("engineer", Mode::Hybrid);
        let keyword = words(false);
        assert!(!must_count(&q, Some(&keyword), false));
        let plan = plan(&q, facts(false, Some(&keyword), None));
        assert_eq!(plan, Plan { semantic: Some(VectorPath::Exact), keyword: Some(KeywordPath::All) });
    }

    #[test]
    fn an_unfiltered_search_of_default_documents_uses_the_index_unless_the_tenant_is_small() {
        let q = text("engineer", Mode::Semantic);
        assert!(!wants_keyword_plan(&q));
        assert!(must_count(&q, None, true), "the tenant's size decides");
        assert_eq!(
            plan(&q, facts(true, None, Some(1001))),
            Plan { semantic: Some(VectorPath::Ann(VectorStorage::Halfvec)), keyword: None }
        );
        assert_eq!(plan(&q, facts(true, None, Some(1000))).semantic, Some(VectorPath::Exact), "a small tenant");
    }

    #[test]
    fn a_selective_filter_ranks_exactly_and_a_broad_one_uses_the_index() {
        let mut q = text("engineer", Mode::Semantic);
        q.filters.skills_all = vec!["rust".into()];
        assert!(must_count(&q, None, true));
        assert_eq!(plan(&q, facts(true, None, Some(1000))).semantic, Some(VectorPath::Exact), "at the threshold");
        assert_eq!(plan(&q, facts(true, None, Some(1001))).semantic, Some(VectorPath::Ann(VectorStorage::Halfvec)));
    }

    #[test]
    fn a_big_index_ranks_bigger_selections_exactly() {
        assert_eq!(exact_limit(2000, 8.0, 200, 0), 2000, "no index");
        assert_eq!(exact_limit(20_000, 8.0, 200, 10_000), 20_000, "the configured floor");
        assert_eq!(exact_limit(2000, 8.0, 200, 100_000), 12_649, "a 10% filter of 100k rows is ranked exactly");
        assert_eq!(exact_limit(2000, 8.0, 200, 1_000_000), 40_000, "so is a 4% filter of a million");
        assert_eq!(exact_limit(2000, 0.0, 200, 1_000_000), 20_000, "without the cost model, the scan budget");
        assert_eq!(exact_limit(2000, 8.0, 200, 1_000_000_000), 20_000_000, "the scan budget binds in a huge index");
        assert_eq!(exact_limit(2000, 8.0, i64::MAX, i64::MAX), i64::MAX);
    }

    #[test]
    fn a_named_mask_or_every_persona_is_counted_like_a_filter() {
        for mask in [MaskSelection::Slug("recruiters".into()), MaskSelection::All] {
            let mut q = text("engineer", Mode::Hybrid);
            q.mask = mask;
            let keyword = words(false);
            assert!(must_count(&q, Some(&keyword), true));
            assert_eq!(plan(&q, facts(true, Some(&keyword), Some(12))).semantic, Some(VectorPath::Exact));
        }
    }

    #[test]
    fn broad_words_in_keyword_mode_bring_in_the_semantic_leg_to_find_candidates() {
        let q = text("engineer", Mode::Keyword);
        assert!(wants_keyword_plan(&q));
        let rare = words(false);
        assert!(!runs_semantic(&q, Some(&rare)));
        assert_eq!(plan(&q, facts(true, Some(&rare), None)), Plan { semantic: None, keyword: Some(KeywordPath::All) });
        let broad = words(true);
        assert!(runs_semantic(&q, Some(&broad)));
        assert_eq!(
            plan(&q, facts(true, Some(&broad), None)),
            Plan { semantic: Some(VectorPath::Ann(VectorStorage::Halfvec)), keyword: Some(KeywordPath::WithinSemantic) }
        );
    }

    #[test]
    fn a_query_of_stop_words_has_an_empty_keyword_leg() {
        let q = text("the of and", Mode::Hybrid);
        let empty = KeywordPlan { terms: vec![], matching: None, broad: None, has_words: false, ..words(false) };
        assert_eq!(plan(&q, facts(true, Some(&empty), None)).keyword, Some(KeywordPath::Empty));
    }

    #[test]
    fn similar_profiles_search_by_meaning_only() {
        let mut q = query(Input::SimilarTo(Uuid::from_u128(7)), Mode::Semantic);
        q.filters.exclude_profile = Some(Uuid::from_u128(7));
        assert!(!wants_keyword_plan(&q), "no words to match");
        assert!(must_count(&q, None, true), "leaving the profile out is a filter");
        assert_eq!(
            plan(&q, facts(true, None, Some(5000))),
            Plan { semantic: Some(VectorPath::Ann(VectorStorage::Halfvec)), keyword: None }
        );
    }
}
