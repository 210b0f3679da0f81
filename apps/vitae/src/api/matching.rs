//! Matching a job on the wire: the request (validated into a `JobQuery`) and the response, with
//! how the job was read and why each profile fits.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use vitae_domain::job::{self, Adjustments, Recognised, TermKind};
use vitae_domain::text;
use vitae_search::matching::{EvidenceScores, JobQuery, MatchOutcome, MatchTimings};

use super::bounds;
use super::common::{AvailabilityBody, CountryCode, finite, printable};
use super::search::{FacetCount, SearchFacets, SearchFilters, decode_cursor, encode_cursor, fingerprint, mask_selection};
use crate::http::extract::Body;
use crate::http::problem::ApiError;

/// A job to match: its description, with the filters, mask, paging and facets of search.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"job": "Senior Backend Engineer\n\nRequirements:\n- 5+ years building services in Rust or Go\n- PostgreSQL, Kafka\n\nNice to have:\n- Terraform", "limit": 10}))]
pub struct MatchRequest {
    /// The job description as pasted (up to 20,000 characters; line breaks kept): headings and
    /// lists tell requirements, responsibilities, nice-to-haves and boilerplate apart.
    #[schema(min_length = 1, max_length = 20000)]
    pub job: String,
    #[serde(default)]
    #[validate(nested)]
    pub filters: SearchFilters,
    /// A mask slug, `all` (every persona, each person once), or absent for the default masks.
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN), custom(function = "printable"))]
    #[schema(min_length = 1, max_length = 64, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub mask: Option<String>,
    /// Hits per page, 1 to 100 (default 10).
    #[validate(range(min = 1, max = bounds::PAGE))]
    #[schema(minimum = 1, maximum = 100, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::whole_number")]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor` (with the same request).
    #[validate(length(min = 1, max = bounds::CURSOR))]
    #[schema(min_length = 1, max_length = 500, nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub cursor: Option<String>,
    /// Leave out hits scoring below this (0..1).
    #[validate(custom(function = "finite"))]
    #[schema(nullable = false, required = false)]
    #[serde(default, deserialize_with = "super::common::reject_null")]
    pub min_score: Option<f64>,
    /// Skills to count as required even where the job's reading missed them.
    #[serde(default)]
    #[validate(length(max = bounds::JOB_ADJUSTMENTS))]
    #[schema(max_items = 50)]
    pub pin: Vec<String>,
    /// Recognised skills or titles to leave out (as listed under `understood`).
    #[serde(default)]
    #[validate(length(max = bounds::JOB_ADJUSTMENTS))]
    #[schema(max_items = 50)]
    pub drop: Vec<String>,
    /// Each hit's evidence and the passage of the profile nearest to each part of the job
    /// (default true).
    #[serde(default = "yes")]
    pub explain: bool,
    /// Count facets over the matching set (default true).
    #[serde(default = "yes")]
    pub facets: bool,
}

fn yes() -> bool {
    true
}

impl Body for MatchRequest {}

impl MatchRequest {
    pub fn to_query(&self) -> Result<JobQuery, ApiError> {
        let violation = |v: vitae_domain::Violation| ApiError::field(v.field, v.code, v.message);
        let job = text::clean("job", &self.job, 1, job::limits::JOB, true).map_err(violation)?;
        let terms = |field: &str, values: &[String]| -> Result<Vec<String>, ApiError> {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| text::clean(&format!("{field}[{i}]"), v, 1, job::limits::TERM, false).map_err(violation))
                .collect()
        };
        let adjust = Adjustments { pin: terms("pin", &self.pin)?, drop: terms("drop", &self.drop)? };
        let filters = self.filters.to_filters("filters.")?;
        let fingerprint = fingerprint(&(&self.job, &self.filters, &self.mask, self.min_score, &self.pin, &self.drop));
        let after = self.cursor.as_deref().map(|c| decode_cursor(c, fingerprint)).transpose()?;
        Ok(JobQuery {
            job,
            filters,
            mask: mask_selection(self.mask.as_deref()),
            limit: self.limit.unwrap_or(10) as usize,
            after,
            min_score: self.min_score,
            facets: self.facets,
            adjust,
            explain: self.explain,
            fingerprint,
        })
    }
}

/// A part of the job as read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobPassageBody {
    /// `requirements`, `responsibilities`, `nice_to_have`, `other` (under no recognised heading)
    /// or `about` (the company, benefits, how to apply: not scored).
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    pub text: String,
    /// How much closeness to this passage counts (0 for boilerplate).
    pub weight: f64,
}

/// A skill or title the job names, from the tenant's own vocabulary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecognisedTerm {
    /// The term as the profiles hold it (lower case): pass it in `drop` to leave it out.
    pub term: String,
    /// The words as the job wrote them.
    pub as_written: String,
    /// Named outside the nice-to-haves (required skills count twice), or pinned.
    pub required: bool,
    /// `exact` (case and accents aside), `typo` (a word one or two letters off) or `pinned`.
    pub how: String,
    /// Indexes of the passages that name it.
    pub passages: Vec<usize>,
}

impl From<&Recognised> for RecognisedTerm {
    fn from(r: &Recognised) -> Self {
        Self {
            term: r.term.clone(),
            as_written: r.as_written.clone(),
            required: r.required,
            how: r.how.as_str().to_owned(),
            passages: r.passages.clone(),
        }
    }
}

/// How the job was read: show it as "we read this job as ...", and let the user `pin` or `drop`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobReading {
    pub passages: Vec<JobPassageBody>,
    pub skills: Vec<RecognisedTerm>,
    pub titles: Vec<RecognisedTerm>,
    /// Years of experience the job asks for, where it says ("5+ years").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_years: Option<f32>,
    /// Countries the job names.
    #[schema(value_type = Vec<CountryCode>)]
    pub countries: Vec<String>,
}

/// Each kind of evidence on 0..1; absent when the job gives none of that kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchEvidence {
    /// Closeness in meaning to the job's passages, weighted by their kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<f64>,
    /// Share of the recognised skills the profile shows (required ones count twice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<f64>,
    /// 1 when the profile holds a recognised title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub titles: Option<f64>,
    /// The profile's years over the years asked for (at most 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<f64>,
    /// 1 when the profile is in a country the job names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries: Option<f64>,
}

impl From<EvidenceScores> for MatchEvidence {
    fn from(e: EvidenceScores) -> Self {
        Self { meaning: e.meaning, skills: e.skills, titles: e.titles, years: e.years, countries: e.countries }
    }
}

/// One part of the job against the profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchPart {
    /// Index into `understood.passages`.
    pub passage: usize,
    pub kind: String,
    pub similarity: f64,
    /// The similarity on the 0..1 semantic scale.
    pub score: f64,
    /// The profile's passage nearest in meaning to this part (visible through the mask).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nearest: Option<String>,
}

/// A profile that fits the job, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchHit {
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
    /// 0..1: the evidence combined (meaning 0.5, skills 0.35, titles 0.1, years and countries
    /// 0.05 each, of the kinds the job gives).
    pub score: f64,
    /// Recognised skills the profile shows through the mask (required first).
    pub skills_matched: Vec<String>,
    /// Required skills it does not show (a skill its mask hides is missing).
    pub skills_missing: Vec<String>,
    pub titles_matched: Vec<String>,
    /// Years of (visible, dated) experience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<MatchEvidence>,
    /// Each scored part of the job (with `explain`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<MatchPart>,
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchStageTimings {
    /// The job's passages through the model.
    pub embed_ms: f64,
    /// The tenant's vocabulary and the job's reading.
    pub read_ms: f64,
    pub candidates_ms: f64,
    pub evidence_ms: f64,
    pub facets_ms: f64,
    pub hits_ms: f64,
}

impl From<MatchTimings> for MatchStageTimings {
    fn from(t: MatchTimings) -> Self {
        Self {
            embed_ms: t.embed_ms,
            read_ms: t.read_ms,
            candidates_ms: t.candidates_ms,
            evidence_ms: t.evidence_ms,
            facets_ms: t.facets_ms,
            hits_ms: t.hits_ms,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchResponse {
    pub understood: JobReading,
    pub hits: Vec<MatchHit>,
    /// Profiles that match (show a recognised skill or title, or are close enough in meaning to
    /// a part of the job): what paging can reach and facets count.
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<SearchFacets>,
    /// Pass as `cursor`, with the same request, for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub took_ms: f64,
    pub timings: MatchStageTimings,
}

impl MatchResponse {
    pub fn from_outcome(outcome: MatchOutcome, query: &JobQuery, took_ms: f64) -> Self {
        let understood = &outcome.understood;
        let kind_of = |i: usize| understood.passages.get(i).map_or("other", |p| p.kind.as_str()).to_owned();
        let hits = outcome
            .hits
            .iter()
            .map(|hit| MatchHit {
                profile_id: hit.candidate.profile_id,
                slug: hit.card.slug.clone(),
                display_name: hit.card.display_name.clone(),
                headline: hit.card.headline.clone(),
                location: hit.card.location.clone(),
                country: hit.card.country.clone(),
                availability: hit.card.availability.into(),
                mask: hit.mask_slug.clone(),
                score: hit.candidate.score,
                skills_matched: hit.skills_matched.clone(),
                skills_missing: hit.skills_missing.clone(),
                titles_matched: hit.titles_matched.clone(),
                years: hit.years.map(|y| (y * 10.0).round() / 10.0),
                evidence: query.explain.then(|| hit.evidence.into()),
                parts: if query.explain {
                    hit.parts
                        .iter()
                        .map(|p| MatchPart {
                            passage: p.passage,
                            kind: kind_of(p.passage),
                            similarity: p.similarity,
                            score: p.score,
                            // Plain text on one line (a passage may hold line breaks).
                            nearest: p.nearest.as_ref().map(|n| n.replace(char::is_control, " ")),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        let count = |list: Vec<vitae_search::page::FacetValue>| {
            list.into_iter().map(|f| FacetCount { value: f.value, count: f.count }).collect()
        };
        let of_kind = |kind: TermKind| understood.terms.iter().filter(|t| t.kind == kind).map(RecognisedTerm::from).collect();
        MatchResponse {
            understood: JobReading {
                passages: understood
                    .passages
                    .iter()
                    .map(|p| JobPassageBody {
                        kind: p.kind.as_str().to_owned(),
                        heading: p.heading.clone(),
                        text: p.text.clone(),
                        weight: p.kind.weight(),
                    })
                    .collect(),
                skills: of_kind(TermKind::Skill),
                titles: of_kind(TermKind::Title),
                min_years: understood.min_years,
                countries: understood.countries.clone(),
            },
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
        }
    }
}
