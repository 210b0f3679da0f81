//! Search on the wire: the request (validated into a `SearchQuery`), the response, and the
//! opaque cursor.

use std::hash::{DefaultHasher, Hash, Hasher};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use vitae_domain::search::{After, Filters, Fusion, FusionDefaults, FusionMethod, MaskSelection, Mode};
use vitae_repository::search::VectorPath;
use vitae_search::page::FacetValue;
use vitae_search::plan::{KeywordPath, Plan};
use vitae_search::{Calibration, Input, SearchOutcome, SearchQuery, Timings};

use super::bounds;
use super::common::{AvailabilityBody, CountryCode, finite, printable};
use crate::http::extract::Body;
use crate::http::problem::ApiError;

/// How hybrid search combines its legs (the server's default when absent).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FusionBody {
    pub method: FusionMethod,
    /// `blend`: weight of the semantic score; the keyword score gets the rest.
    #[validate(range(min = 0.0, max = 1.0), custom(function = "finite"))]
    #[schema(minimum = 0, maximum = 1, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub semantic_ratio: Option<f64>,
    /// `rrf`: the k in weight / (k + rank).
    #[validate(range(min = 1.0, max = 1000.0), custom(function = "finite"))]
    #[schema(minimum = 1, maximum = 1000, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub k: Option<f64>,
    /// `rrf`: the semantic leg's weight.
    #[validate(range(min = 0.0, max = 10.0), custom(function = "finite"))]
    #[schema(minimum = 0, maximum = 10, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub semantic_weight: Option<f64>,
    /// `rrf`: the keyword leg's weight.
    #[validate(range(min = 0.0, max = 10.0), custom(function = "finite"))]
    #[schema(minimum = 0, maximum = 10, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub keyword_weight: Option<f64>,
    /// `max`: how much the weaker leg's score adds to the stronger one's.
    #[validate(range(min = 0.0, max = 1.0), custom(function = "finite"))]
    #[schema(minimum = 0, maximum = 1, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub other_weight: Option<f64>,
}

impl FusionBody {
    /// The fusion asked for; parameters left out come from the configuration.
    pub fn fusion(&self, defaults: FusionDefaults) -> Fusion {
        match defaults.of(self.method) {
            Fusion::Blend { semantic_ratio } => Fusion::Blend { semantic_ratio: self.semantic_ratio.unwrap_or(semantic_ratio) },
            Fusion::Rrf { k, semantic_weight, keyword_weight } => Fusion::Rrf {
                k: self.k.unwrap_or(k),
                semantic_weight: self.semantic_weight.unwrap_or(semantic_weight),
                keyword_weight: self.keyword_weight.unwrap_or(keyword_weight),
            },
            Fusion::Max { other_weight } => Fusion::Max { other_weight: self.other_weight.unwrap_or(other_weight) },
        }
    }
}

/// Filters, applied inside both legs (never after the limit).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// Profiles with every one of these skills (names, case ignored).
    #[serde(default)]
    #[validate(length(max = bounds::FILTER_VALUES))]
    #[schema(max_items = 20)]
    pub skills_all: Vec<String>,
    /// Profiles with at least one of these skills.
    #[serde(default)]
    #[validate(length(max = bounds::FILTER_VALUES))]
    #[schema(max_items = 20)]
    pub skills_any: Vec<String>,
    /// Profiles with every one of these tags.
    #[serde(default)]
    #[validate(length(max = bounds::FILTER_VALUES))]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// Profiles in one of these countries.
    #[serde(default)]
    #[validate(length(max = bounds::COUNTRIES))]
    #[schema(max_items = 50, value_type = Vec<CountryCode>)]
    pub country: Vec<String>,
    /// Profiles with one of these availabilities.
    #[serde(default)]
    #[schema(max_items = 3)]
    pub availability: Vec<AvailabilityBody>,
    /// Profiles with at least this many years of (visible, dated) experience.
    #[validate(range(min = 0.0, max = bounds::YEARS), custom(function = "finite"))]
    #[schema(minimum = 0, maximum = 80, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub min_years: Option<f32>,
    /// Profiles changed at or after this time.
    #[schema(nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub updated_since: Option<DateTime<Utc>>,
}

impl SearchFilters {
    /// The filters, checked; a failing field is named `{prefix}{field}[{index}]` (`filters.` in a
    /// search body, nothing for the query parameters of similar profiles).
    pub fn to_filters(&self, prefix: &str) -> Result<Filters, ApiError> {
        let labels = |field: &str, values: &[String], max: usize| {
            vitae_domain::text::labels(&format!("{prefix}{field}"), values, 20, max)
                .map_err(|v| ApiError::field(v.field, v.code, v.message))
        };
        let mut countries = Vec::new();
        for (i, c) in self.country.iter().enumerate() {
            countries.push(
                vitae_domain::profile::parse_country(&format!("{prefix}country[{i}]"), c)
                    .map_err(|v| ApiError::field(v.field, v.code, v.message))?,
            );
        }
        Ok(Filters {
            skills_all: labels("skills_all", &self.skills_all, 100)?,
            skills_any: labels("skills_any", &self.skills_any, 100)?,
            tags: labels("tags", &self.tags, 50)?,
            countries,
            availability: self
                .availability
                .iter()
                .map(|a| vitae_domain::profile::Availability::from(*a).as_str().to_owned())
                .collect(),
            min_years: self.min_years,
            updated_since: self.updated_since,
            exclude_profile: None,
        })
    }
}

/// A search.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"q": "senior rust engineer in berlin", "filters": {"availability": ["open"]}, "limit": 10}))]
pub struct SearchRequest {
    /// The query: meaning for the semantic leg; for the keyword leg, web-search syntax (quoted
    /// phrases, `or`, `-word`).
    #[validate(length(min = 1, max = bounds::QUERY), custom(function = "printable"))]
    #[schema(min_length = 1, max_length = 512)]
    pub q: String,
    #[serde(default)]
    pub mode: Mode,
    #[validate(nested)]
    #[schema(nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub fusion: Option<FusionBody>,
    #[serde(default)]
    #[validate(nested)]
    pub filters: SearchFilters,
    /// Which persona of each profile to search: a mask slug, `all` (every persona; each person
    /// once, through the one that matched best), or absent for the default (public) masks.
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN), custom(function = "printable"))]
    #[schema(min_length = 1, max_length = 64, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub mask: Option<String>,
    /// Hits per page, 1 to 100 (default 10).
    #[validate(range(min = 1, max = bounds::PAGE))]
    #[schema(minimum = 1, maximum = 100, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::whole_number")]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor` (with the same query).
    #[validate(length(min = 1, max = bounds::CURSOR))]
    #[schema(min_length = 1, max_length = 500, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub cursor: Option<String>,
    /// Leave out hits scoring below this (scores are on 0..1).
    #[validate(custom(function = "finite"))]
    #[schema(nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub min_score: Option<f64>,
    /// Add each hit's ranks and raw scores in both legs, and the plan.
    #[serde(default)]
    pub explain: bool,
    /// Highlight matched words and the passage nearest in meaning (default true).
    #[serde(default = "yes")]
    pub highlight: bool,
    /// Count facets over the matching set (default true).
    #[serde(default = "yes")]
    pub facets: bool,
}

fn yes() -> bool {
    true
}

impl Body for SearchRequest {}

/// Every persona, each person once (no mask may take this slug).
pub const ALL_MASKS: &str = vitae_domain::mask::RESERVED_SLUG;

pub fn mask_selection(mask: Option<&str>) -> MaskSelection {
    match mask {
        None => MaskSelection::Default,
        Some(ALL_MASKS) => MaskSelection::All,
        Some(slug) => MaskSelection::Slug(slug.to_owned()),
    }
}

impl SearchRequest {
    pub fn to_query(&self, defaults: FusionDefaults) -> Result<SearchQuery, ApiError> {
        let fusion = match &self.fusion {
            None => defaults.default,
            Some(f) => f.fusion(defaults),
        };
        let filters = self.filters.to_filters("filters.")?;
        let fingerprint = fingerprint(&(&self.q, self.mode, &self.fusion, &self.filters, &self.mask, self.min_score));
        let after = self.cursor.as_deref().map(|c| decode_cursor(c, fingerprint)).transpose()?;
        Ok(SearchQuery {
            input: Input::Text(self.q.clone()),
            mode: self.mode,
            fusion,
            filters,
            mask: mask_selection(self.mask.as_deref()),
            limit: self.limit.unwrap_or(10) as usize,
            after,
            min_score: self.min_score,
            explain: self.explain,
            highlight: self.highlight,
            facets: self.facets,
            fingerprint,
        })
    }
}

/// A fingerprint of what defines a result list, so a cursor is only used with its own query.
pub fn fingerprint(value: &impl Serialize) -> u64 {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(value).unwrap_or_default().hash(&mut hasher);
    hasher.finish()
}

#[derive(Serialize, Deserialize)]
struct CursorBody {
    /// The last hit's score (bit pattern, so it round-trips exactly).
    s: u64,
    d: Uuid,
    f: u64,
}

pub fn encode_cursor(after: After, fingerprint: u64) -> String {
    let body = CursorBody { s: after.score.to_bits(), d: after.document_id, f: fingerprint };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&body).unwrap_or_default())
}

pub fn decode_cursor(cursor: &str, fingerprint: u64) -> Result<After, ApiError> {
    let body: CursorBody = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::field("cursor", "format", "is not a cursor this API returned"))?;
    if body.f != fingerprint {
        return Err(ApiError::field("cursor", "mismatch", "belongs to another query: page with the query that returned it"));
    }
    Ok(After { score: f64::from_bits(body.s), document_id: body.d })
}

/// A search result: one person, through one persona.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub profile_id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub headline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    pub availability: AvailabilityBody,
    /// The mask (persona) this hit was found through.
    pub mask: String,
    /// 0..1, higher is better: the fused score in hybrid search, the mode's own score otherwise
    /// (semantic: calibrated cosine similarity; keyword: 0.5 for holding every term plus half the
    /// BM25 against the ideal). The same scale on every query, so `min_score` means the same.
    pub score: f64,
    pub highlights: Vec<Highlight>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<HitExplain>,
}

/// Why a hit matched.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Highlight {
    pub source: HighlightSource,
    /// HTML: the text escaped, matched words in `<mark>` (keyword); the passage nearest in
    /// meaning to the query (semantic).
    pub fragments: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HighlightSource {
    Keyword,
    Semantic,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HitExplain {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<SemanticExplain>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<KeywordExplain>,
    pub fused_score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SemanticExplain {
    /// 1-based rank in the semantic leg.
    pub rank: usize,
    /// Cosine distance (0 is identical).
    pub distance: f64,
    pub similarity: f64,
    /// The similarity on the 0..1 semantic scale (0 at the calibrated floor, 1 identical).
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeywordExplain {
    /// 1-based rank in the keyword leg (documents holding every term first, then by BM25).
    pub rank: usize,
    /// 0..1: 0.5 for holding every term the query asked for, plus half the BM25 relative to an
    /// average document holding each word once in a title (capped at 1).
    pub score: f64,
    /// BM25 with the tenant's own word statistics and section weights.
    pub bm25: f64,
    /// Holds every term of the query (phrases and `or` as written).
    pub complete: bool,
}

/// A query word no document holds, and the words that stood in for it (typo tolerance).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    /// The query word as the index reads it (stemmed, accents removed).
    pub word: String,
    /// The tenant's words used instead, most alike first.
    pub matched_as: Vec<CorrectionMatch>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionMatch {
    pub word: String,
    /// Trigram similarity to the query word, 0..1.
    pub similarity: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: i64,
}

/// Counts over every matching candidate (not only this page), the 20 most frequent values each.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchFacets {
    pub skills: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
    pub country: Vec<FacetCount>,
    pub availability: Vec<FacetCount>,
}

/// How the legs ran (with `explain`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchPlan {
    /// `ann` (the vector index) or `exact`; absent when the leg did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic: Option<String>,
    /// `all` (every document holding a query word ranked), `within_semantic` (words too common
    /// to rank every match only score documents found by rarer words or among the semantic
    /// candidates) or `empty` (no searchable words); absent when the leg did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    /// Documents that match (a keyword match, or close enough in meaning) in the result list:
    /// what paging can reach and facets count.
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<SearchFacets>,
    /// Pass as `cursor`, with the same query, for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub took_ms: f64,
    pub timings: StageTimings,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<SearchPlan>,
    /// Query words no document holds, matched to the nearest words the tenant's profiles use
    /// (ranked below exact matches).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
    /// Things worth knowing about how the query was understood.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl SearchResponse {
    pub fn from_outcome(outcome: SearchOutcome, query: &SearchQuery, took_ms: f64, calibration: &Calibration) -> Self {
        let hits = outcome
            .hits
            .into_iter()
            .map(|hit| {
                let c = &hit.candidate;
                let mut highlights = Vec::new();
                if !hit.keyword_fragments.is_empty() {
                    highlights.push(Highlight { source: HighlightSource::Keyword, fragments: hit.keyword_fragments.clone() });
                }
                if let Some(passage) = &hit.semantic_passage
                    && c.semantic.is_some()
                {
                    highlights.push(Highlight { source: HighlightSource::Semantic, fragments: vec![escape_html(passage)] });
                }
                SearchHit {
                    profile_id: c.profile_id,
                    slug: hit.card.slug.clone(),
                    display_name: hit.card.display_name.clone(),
                    headline: hit.card.headline.clone(),
                    location: hit.card.location.clone(),
                    country: hit.card.country.clone(),
                    availability: hit.card.availability.into(),
                    mask: hit.mask_slug.clone(),
                    score: c.score,
                    highlights,
                    explain: query.explain.then(|| HitExplain {
                        semantic: c.semantic.map(|(rank, distance)| SemanticExplain {
                            rank,
                            distance,
                            similarity: 1.0 - distance,
                            score: calibration.semantic_score(1.0 - distance),
                        }),
                        keyword: c.keyword.zip(c.bm25).map(|((rank, score), (bm25, complete))| KeywordExplain {
                            rank,
                            score,
                            bm25,
                            complete,
                        }),
                        fused_score: c.score,
                    }),
                }
            })
            .collect();
        let count = |list: Vec<FacetValue>| list.into_iter().map(|f| FacetCount { value: f.value, count: f.count }).collect();
        SearchResponse {
            hits,
            total: outcome.total,
            facets: outcome.facets.map(|f| SearchFacets {
                skills: count(f.skills),
                tags: count(f.tags),
                country: count(f.country),
                availability: count(f.availability),
            }),
            next_cursor: outcome.next.map(|after| encode_cursor(after, query.fingerprint)),
            took_ms,
            timings: outcome.timings.into(),
            plan: query.explain.then(|| plan_names(outcome.plan)),
            corrections: outcome
                .corrections
                .into_iter()
                .map(|c| Correction {
                    word: c.word,
                    matched_as: c.matched_as.into_iter().map(|(word, similarity)| CorrectionMatch { word, similarity }).collect(),
                })
                .collect(),
            warnings: outcome.warnings,
        }
    }
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StageTimings {
    pub embed_ms: f64,
    pub semantic_ms: f64,
    pub keyword_ms: f64,
    pub fuse_ms: f64,
    pub facets_ms: f64,
    pub hits_ms: f64,
}

impl From<Timings> for StageTimings {
    fn from(t: Timings) -> Self {
        Self {
            embed_ms: t.embed_ms,
            semantic_ms: t.semantic_ms,
            keyword_ms: t.keyword_ms,
            fuse_ms: t.fuse_ms,
            facets_ms: t.facets_ms,
            hits_ms: t.hits_ms,
        }
    }
}

fn plan_names(plan: Plan) -> SearchPlan {
    SearchPlan {
        semantic: plan.semantic.map(|p| match p {
            VectorPath::Ann(_) => "ann".to_owned(),
            VectorPath::Exact => "exact".to_owned(),
        }),
        keyword: plan.keyword.map(|k| match k {
            KeywordPath::All => "all".to_owned(),
            KeywordPath::WithinSemantic => "within_semantic".to_owned(),
            KeywordPath::Empty => "empty".to_owned(),
        }),
    }
}

/// Escaped for HTML, on one line (a passage may hold line breaks and tabs).
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace(|c: char| c.is_control(), " ")
}

/// Filters of "similar profiles", as query parameters (lists comma-separated).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// A mask slug, or `all`; absent for the default (public) masks.
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 64)]
    pub mask: Option<String>,
    /// Comma-separated skills every result must have.
    #[validate(length(min = 1, max = bounds::FILTER_LIST), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 1000)]
    pub skills_all: Option<String>,
    /// Comma-separated skills of which results must have one.
    #[validate(length(min = 1, max = bounds::FILTER_LIST), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 1000)]
    pub skills_any: Option<String>,
    /// Comma-separated tags every result must have.
    #[validate(length(min = 1, max = bounds::FILTER_LIST), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 1000)]
    pub tags: Option<String>,
    /// Comma-separated ISO 3166-1 alpha-2 codes.
    #[validate(length(min = 2, max = 200), custom(function = "printable"))]
    #[param(min_length = 2, max_length = 200, pattern = "^[A-Za-z]{2}(,[A-Za-z]{2})*$")]
    pub country: Option<String>,
    pub availability: Option<AvailabilityBody>,
    #[validate(range(min = 0.0, max = bounds::YEARS), custom(function = "finite"))]
    #[param(minimum = 0, maximum = 80)]
    pub min_years: Option<f32>,
    pub updated_since: Option<DateTime<Utc>>,
    /// Hits per page, 1 to 100 (default 10).
    #[validate(range(min = 1, max = bounds::PAGE))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    #[validate(length(min = 1, max = bounds::CURSOR))]
    #[param(min_length = 1, max_length = 500)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub explain: bool,
    /// Count facets over the result list (default false).
    #[serde(default)]
    pub facets: bool,
}

impl SimilarQuery {
    pub fn to_query(&self, profile_id: Uuid) -> Result<SearchQuery, ApiError> {
        let list = |v: &Option<String>| -> Vec<String> {
            v.as_deref()
                .map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let filters = SearchFilters {
            skills_all: list(&self.skills_all),
            skills_any: list(&self.skills_any),
            tags: list(&self.tags),
            country: list(&self.country),
            availability: self.availability.into_iter().collect(),
            min_years: self.min_years,
            updated_since: self.updated_since,
        };
        let mut filters_parsed = filters.to_filters("")?;
        filters_parsed.exclude_profile = Some(profile_id);
        let fingerprint = fingerprint(&(profile_id, &filters, &self.mask));
        let after = self.cursor.as_deref().map(|c| decode_cursor(c, fingerprint)).transpose()?;
        Ok(SearchQuery {
            input: Input::SimilarTo(profile_id),
            mode: Mode::Semantic,
            fusion: Fusion::Blend { semantic_ratio: 1.0 },
            filters: filters_parsed,
            mask: mask_selection(self.mask.as_deref()),
            limit: self.limit.unwrap_or(10) as usize,
            after,
            min_score: None,
            explain: self.explain,
            highlight: true,
            facets: self.facets,
            fingerprint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: FusionDefaults = FusionDefaults {
        default: Fusion::Max { other_weight: 0.3 },
        rrf: Fusion::Rrf { k: 42.0, semantic_weight: 2.0, keyword_weight: 0.5 },
        blend: Fusion::Blend { semantic_ratio: 0.6 },
        max: Fusion::Max { other_weight: 0.3 },
    };

    fn body(method: FusionMethod) -> FusionBody {
        FusionBody { method, semantic_ratio: None, k: None, semantic_weight: None, keyword_weight: None, other_weight: None }
    }

    #[test]
    fn a_named_fusion_takes_what_it_leaves_out_from_the_configuration() {
        assert_eq!(body(FusionMethod::Rrf).fusion(DEFAULTS), DEFAULTS.rrf, "no literal k = 60");
        assert_eq!(body(FusionMethod::Blend).fusion(DEFAULTS), DEFAULTS.blend);
        let k = FusionBody { k: Some(10.0), ..body(FusionMethod::Rrf) };
        assert_eq!(k.fusion(DEFAULTS), Fusion::Rrf { k: 10.0, semantic_weight: 2.0, keyword_weight: 0.5 });
        let max = FusionBody { other_weight: Some(0.1), ..body(FusionMethod::Max) };
        assert_eq!(max.fusion(DEFAULTS), Fusion::Max { other_weight: 0.1 });
    }
}
