//! Matching a job description: "who fits this job?".
//!
//! The description is read ([`vitae_domain::job`]) into passages (requirements,
//! responsibilities, nice-to-haves, boilerplate), the skills and titles it names from the tenant's
//! own visible vocabulary, the years and countries it asks for. Each becomes evidence:
//!
//! - meaning: every scored passage is embedded; a profile's closeness to each (its document's or
//!   its nearest passage's) counts by the passage's kind (requirements most, boilerplate not at
//!   all), so a skill named at the end of a long description counts as much as one at the start;
//! - skills: the recognised skills the profile shows through the mask in use (required ones
//!   twice as much as nice-to-haves);
//! - titles, years and countries, when the job names them.
//!
//! Candidates are the profiles nearest each passage (through the vector index or exactly, as in
//! search) and those holding the most recognised skills; all of it in one read-only transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use uuid::Uuid;
use vitae_domain::document::Card;
use vitae_domain::job::{self, Adjustments, JobPassage, Recognised, TermKind, Vocabulary};
use vitae_domain::search::{After, Filters, MaskSelection};
use vitae_repository::TenantTx;
use vitae_repository::matching::{self as matching_sql, Evidence};
use vitae_repository::search::{self as search_sql, VectorPath};

use crate::error::SearchResult;
use crate::fuse::Candidate;
use crate::memory::{self, Lookup};
use crate::page::{self, Facets};
use crate::run::{self, Engine};

/// How much each kind of evidence counts (of the kinds the job gives; the rest share its part).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvidenceWeights {
    pub meaning: f64,
    pub skills: f64,
    pub titles: f64,
    pub years: f64,
    pub countries: f64,
}

/// The weights every match uses (set by reasoning before the first eval; see the README).
pub const WEIGHTS: EvidenceWeights = EvidenceWeights { meaning: 0.5, skills: 0.35, titles: 0.1, years: 0.05, countries: 0.05 };

/// Vocabulary terms read per kind (the most common first).
const VOCABULARY_LIMIT: i64 = 50_000;
/// Passages whose nearest profiles are candidates (the most weighty); every scored passage
/// still scores every candidate.
const CANDIDATE_PASSAGES: usize = 8;

/// A job to match.
#[derive(Debug, Clone)]
pub struct JobQuery {
    pub job: String,
    pub filters: Filters,
    pub mask: MaskSelection,
    pub limit: usize,
    pub after: Option<After>,
    pub min_score: Option<f64>,
    pub facets: bool,
    pub adjust: Adjustments,
    /// Each hit's parts with the profile's nearest passages (one more statement).
    pub explain: bool,
    /// Identifies the result list, so a cursor is only used with the request that made it.
    pub fingerprint: u64,
}

/// How the job was read.
#[derive(Debug, Clone)]
pub struct Understood {
    pub passages: Vec<JobPassage>,
    pub terms: Vec<Recognised>,
    pub min_years: Option<f32>,
    pub countries: Vec<String>,
}

/// One passage of the job against one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct PartScore {
    /// Index into [`Understood::passages`].
    pub passage: usize,
    pub similarity: f64,
    /// The similarity on the 0..1 semantic scale.
    pub score: f64,
    /// The profile's own passage nearest to it (on the page's hits).
    pub nearest: Option<String>,
}

/// Each kind of evidence on 0..1 (`None`: the job gives none of that kind).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EvidenceScores {
    pub meaning: Option<f64>,
    pub skills: Option<f64>,
    pub titles: Option<f64>,
    pub years: Option<f64>,
    pub countries: Option<f64>,
}

/// A profile that fits, and why.
#[derive(Debug, Clone)]
pub struct MatchHit {
    pub candidate: Candidate,
    pub mask_slug: String,
    pub card: Card,
    /// Recognised skills the profile shows (required first).
    pub skills_matched: Vec<String>,
    /// Required skills it does not show (through this mask).
    pub skills_missing: Vec<String>,
    pub titles_matched: Vec<String>,
    pub years: Option<f64>,
    pub evidence: EvidenceScores,
    pub parts: Vec<PartScore>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchTimings {
    pub embed_ms: f64,
    pub read_ms: f64,
    pub candidates_ms: f64,
    pub evidence_ms: f64,
    pub facets_ms: f64,
    pub hits_ms: f64,
}

#[derive(Debug, Clone)]
pub struct MatchOutcome {
    pub understood: Understood,
    pub hits: Vec<MatchHit>,
    pub total: usize,
    pub facets: Option<Facets>,
    pub next: Option<After>,
    pub timings: MatchTimings,
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// A vocabulary from its rows: (term, "skill" or "title").
fn vocabulary_of(rows: Vec<(String, String)>) -> Arc<Vocabulary> {
    Arc::new(Vocabulary::new(
        rows.into_iter().map(|(term, kind)| (term, if kind == "title" { TermKind::Title } else { TermKind::Skill })),
    ))
}

/// A scored candidate with what it showed.
struct Scored {
    candidate: Candidate,
    evidence: EvidenceScores,
    skills_matched: Vec<String>,
    skills_missing: Vec<String>,
    titles_matched: Vec<String>,
    years: Option<f64>,
    similarities: Vec<f64>,
}

impl Engine<'_> {
    pub async fn match_job(&self, tenant_id: Uuid, query: &JobQuery) -> SearchResult<MatchOutcome> {
        let mut timings = MatchTimings::default();
        let passages = job::passages(&query.job);
        // Passages that count (boilerplate does not), and their weights.
        let scored: Vec<usize> = (0..passages.len()).filter(|&i| passages[i].kind.weight() > 0.0).collect();

        // Through the query cache: paging, and a job sent again with a term pinned or dropped,
        // do not run the model again.
        let started = Instant::now();
        let texts: Vec<String> = scored.iter().map(|&i| passages[i].text.clone()).collect();
        let vectors: Vec<Vec<f32>> = if texts.is_empty() {
            Vec::new()
        } else {
            let found = self.cache.embed_many(self.embedder, tenant_id.as_u128(), &texts).await?;
            found.iter().map(|v| v.as_ref().clone()).collect()
        };
        timings.embed_ms = elapsed_ms(started);

        let mut tx = TenantTx::begin_read_only_with(self.pool, tenant_id, &self.session_settings()).await?;
        let started = Instant::now();
        let key = memory::vocabulary_key(tenant_id, &query.mask);
        let vocabulary = match self.memory.vocabularies.lookup(&key) {
            Lookup::Fresh(vocabulary) => vocabulary,
            Lookup::Refresh(vocabulary) => {
                let mask = query.mask.clone();
                self.refresh(
                    tenant_id,
                    "vocabulary",
                    move |mut tx| async move {
                        let rows = matching_sql::vocabulary(&mut tx, &mask, VOCABULARY_LIMIT).await?;
                        tx.commit().await?;
                        Ok(rows)
                    },
                    move |memory, rows| memory.vocabularies.put(key, vocabulary_of(rows)),
                );
                vocabulary
            }
            Lookup::Missing => {
                let vocabulary = vocabulary_of(matching_sql::vocabulary(&mut tx, &query.mask, VOCABULARY_LIMIT).await?);
                self.memory.vocabularies.put(key, Arc::clone(&vocabulary));
                vocabulary
            }
        };
        let terms = job::recognise(&passages, &vocabulary, &query.adjust);
        let understood =
            Understood { min_years: job::required_years(&passages), countries: job::countries(&passages), terms, passages };
        timings.read_ms = elapsed_ms(started);

        // Candidates: the nearest to the weightiest passages, and those holding recognised skills.
        let started = Instant::now();
        let path = self.match_path(&mut tx, tenant_id, query).await?;
        let mut by_weight = scored.iter().enumerate().collect::<Vec<_>>();
        by_weight.sort_by(|a, b| understood.passages[*b.1].kind.weight().total_cmp(&understood.passages[*a.1].kind.weight()));
        let mut ids: Vec<Uuid> = Vec::new();
        for (v, _) in by_weight.into_iter().take(CANDIDATE_PASSAGES) {
            let hits =
                search_sql::semantic(&mut tx, &vectors[v], &query.mask, &query.filters, self.settings.window, path).await?;
            ids.extend(hits.into_iter().map(|h| h.document_id));
        }
        let skills: Vec<String> = understood.terms.iter().filter(|t| t.kind == TermKind::Skill).map(|t| t.term.clone()).collect();
        if !skills.is_empty() {
            let hits = matching_sql::holding_skills(&mut tx, &skills, &query.mask, &query.filters, self.settings.window).await?;
            ids.extend(hits.into_iter().map(|h| h.document_id));
        }
        ids.sort_unstable();
        ids.dedup();
        timings.candidates_ms = elapsed_ms(started);

        let started = Instant::now();
        let evidence = if ids.is_empty() { Vec::new() } else { matching_sql::evidence(&mut tx, &ids, &vectors).await? };
        let weights: Vec<f64> = scored.iter().map(|&i| understood.passages[i].kind.weight()).collect();
        let calibration = self.settings.calibration;
        let mut candidates: Vec<Scored> = evidence
            .into_iter()
            .map(|e| score(e, &understood, &weights, &WEIGHTS, |s| calibration.semantic_score(s)))
            .filter(|s| {
                // Matching: shows a recognised skill or title, or is close enough in meaning to a passage.
                !s.skills_matched.is_empty()
                    || !s.titles_matched.is_empty()
                    || s.similarities.iter().any(|&sim| sim >= calibration.min_similarity)
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.candidate.score.total_cmp(&a.candidate.score).then(a.candidate.document_id.cmp(&b.candidate.document_id))
        });
        if query.mask == MaskSelection::All {
            // Each person once, through the best-scoring persona (the list is best first).
            let mut seen = HashSet::new();
            candidates.retain(|c| seen.insert(c.candidate.profile_id));
        }
        if let Some(min) = query.min_score {
            candidates.retain(|c| c.candidate.score >= min);
        }
        let list: Vec<Candidate> = candidates.iter().map(|c| c.candidate.clone()).collect();
        let page = page::page(&list, query.after, query.limit);
        timings.evidence_ms = elapsed_ms(started);

        let started = Instant::now();
        let facets = if query.facets { Some(run::facets_of(&mut tx, &list).await?) } else { None };
        timings.facets_ms = elapsed_ms(started);

        // The page: cards, and each hit's passage nearest to each part of the job.
        let started = Instant::now();
        let page_ids: Vec<Uuid> = page.candidates.iter().map(|c| c.document_id).collect();
        let (cards, nearest) = if page_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let cards = search_sql::hits(&mut tx, &page_ids, None, None).await?;
            let nearest = if vectors.is_empty() || !query.explain {
                Vec::new()
            } else {
                matching_sql::nearest_passages(&mut tx, &page_ids, &vectors).await?
            };
            (cards, nearest)
        };
        tx.commit().await?;
        let mut cards: HashMap<Uuid, search_sql::HitRow> = cards.into_iter().map(|r| (r.document_id, r)).collect();
        let mut nearest: HashMap<(Uuid, usize), String> =
            nearest.into_iter().filter_map(|(d, i, text)| Some(((d, usize::try_from(i).ok()?), text?))).collect();
        let mut scored_by_id: HashMap<Uuid, Scored> = candidates.into_iter().map(|c| (c.candidate.document_id, c)).collect();
        let hits = page
            .candidates
            .iter()
            .filter_map(|c| {
                let row = cards.remove(&c.document_id)?;
                let s = scored_by_id.remove(&c.document_id)?;
                let parts = scored
                    .iter()
                    .enumerate()
                    .map(|(v, &passage)| PartScore {
                        passage,
                        similarity: s.similarities[v],
                        score: calibration.semantic_score(s.similarities[v]),
                        nearest: nearest.remove(&(c.document_id, v)),
                    })
                    .collect();
                Some(MatchHit {
                    candidate: s.candidate,
                    mask_slug: row.mask_slug,
                    card: row.card.0,
                    skills_matched: s.skills_matched,
                    skills_missing: s.skills_missing,
                    titles_matched: s.titles_matched,
                    years: s.years,
                    evidence: s.evidence,
                    parts,
                })
            })
            .collect();
        timings.hits_ms = elapsed_ms(started);
        Ok(MatchOutcome { understood, hits, total: page.total, facets, next: page.next, timings })
    }

    /// The vector path, as search chooses it: the index unless the tenant, a filter or a mask
    /// leaves few enough documents to rank exactly.
    async fn match_path(&self, tx: &mut TenantTx, tenant_id: Uuid, query: &JobQuery) -> SearchResult<VectorPath> {
        let Some(ann) = self.ann else {
            return Ok(VectorPath::Exact);
        };
        let matching = self.selected(tx, tenant_id, &query.mask, &query.filters).await?;
        Ok(if matching <= self.exact_limit() { VectorPath::Exact } else { VectorPath::Ann(ann.storage()) })
    }
}

/// One candidate's evidence against the job, combined.
fn score(
    e: Evidence,
    understood: &Understood,
    passage_weights: &[f64],
    weights: &EvidenceWeights,
    semantic_score: impl Fn(f64) -> f64,
) -> Scored {
    let similarities: Vec<f64> = e.distances.iter().map(|d| 1.0 - d).collect();
    let total_weight: f64 = passage_weights.iter().sum();
    let meaning = (total_weight > 0.0)
        .then(|| similarities.iter().zip(passage_weights).map(|(&s, w)| w * semantic_score(s)).sum::<f64>() / total_weight);

    let held: HashSet<&str> = e.skills.iter().map(String::as_str).collect();
    let mut skills_matched = Vec::new();
    let mut skills_missing = Vec::new();
    let (mut got, mut of) = (0.0, 0.0);
    for term in understood.terms.iter().filter(|t| t.kind == TermKind::Skill) {
        let weight = if term.required { 2.0 } else { 1.0 };
        of += weight;
        if held.contains(term.term.as_str()) {
            got += weight;
            skills_matched.push(term.term.clone());
        } else if term.required {
            skills_missing.push(term.term.clone());
        }
    }
    let skills = (of > 0.0).then(|| got / of);

    let titles: HashSet<String> = profile_titles(&e.text_a);
    let wanted: Vec<&Recognised> = understood.terms.iter().filter(|t| t.kind == TermKind::Title).collect();
    let titles_matched: Vec<String> = wanted.iter().filter(|t| titles.contains(&t.term)).map(|t| t.term.clone()).collect();
    let title_score = (!wanted.is_empty()).then_some(if titles_matched.is_empty() { 0.0 } else { 1.0 });

    let years = understood.min_years.map(|min| (e.years.unwrap_or(0.0) / f64::from(min)).clamp(0.0, 1.0));
    let countries = (!understood.countries.is_empty())
        .then(|| if e.country.as_ref().is_some_and(|c| understood.countries.contains(c)) { 1.0 } else { 0.0 });

    let evidence = EvidenceScores { meaning, skills, titles: title_score, years, countries };
    let parts = [
        (weights.meaning, meaning),
        (weights.skills, skills),
        (weights.titles, title_score),
        (weights.years, years),
        (weights.countries, countries),
    ];
    let present: f64 = parts.iter().filter(|(_, s)| s.is_some()).map(|(w, _)| w).sum();
    let combined = if present > 0.0 { parts.iter().filter_map(|(w, s)| s.map(|s| w * s)).sum::<f64>() / present } else { 0.0 };
    Scored {
        candidate: Candidate {
            document_id: e.document_id,
            profile_id: e.profile_id,
            score: combined,
            semantic: similarities.iter().copied().reduce(f64::max).map(|s| (0, 1.0 - s)),
            keyword: None,
            bm25: None,
        },
        evidence,
        skills_matched,
        skills_missing,
        titles_matched,
        years: e.years,
        similarities,
    }
}

/// The titles a document shows: its headline's first part and each role's title, lower case.
fn profile_titles(text_a: &str) -> HashSet<String> {
    let mut lines = text_a.lines().skip(1);
    let mut out = HashSet::new();
    if let Some(headline) = lines.next() {
        out.insert(headline.split(" · ").next().unwrap_or("").trim().to_lowercase());
    }
    out.extend(lines.map(|l| l.trim().to_lowercase()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn understood(job_text: &str, vocabulary: &[(&str, TermKind)]) -> Understood {
        let passages = job::passages(job_text);
        let vocabulary = Vocabulary::new(vocabulary.iter().map(|(t, k)| ((*t).to_owned(), *k)));
        Understood {
            terms: job::recognise(&passages, &vocabulary, &Adjustments::default()),
            min_years: job::required_years(&passages),
            countries: job::countries(&passages),
            passages,
        }
    }

    fn evidence(skills: &[&str], titles: &str, years: f64, distances: Vec<f64>) -> Evidence {
        Evidence {
            document_id: Uuid::from_u128(1),
            profile_id: Uuid::from_u128(2),
            skills: skills.iter().map(|s| (*s).to_owned()).collect(),
            text_a: format!("Ann Example\n{titles}"),
            years: Some(years),
            country: Some("DE".into()),
            distances,
        }
    }

    #[test]
    fn required_skills_count_twice_and_a_hidden_one_is_missing() {
        let u = understood(
            "Requirements:\n- Rust\n- Kafka\n\nNice to have:\n- Terraform\n",
            &[("rust", TermKind::Skill), ("kafka", TermKind::Skill), ("terraform", TermKind::Skill)],
        );
        let s = score(evidence(&["rust", "terraform"], "Engineer", 3.0, vec![0.5, 0.5]), &u, &[1.0, 0.4], &WEIGHTS, |s| s);
        assert_eq!(s.skills_matched, ["rust", "terraform"]);
        assert_eq!(s.skills_missing, ["kafka"]);
        assert_eq!(s.evidence.skills, Some(3.0 / 5.0));
        assert_eq!(s.evidence.titles, None);
    }

    #[test]
    fn every_passage_counts_by_its_kind() {
        let u = understood("Requirements:\n- distributed systems\n\nNice to have:\n- gardening\n", &[]);
        let near_requirements = score(evidence(&[], "X", 1.0, vec![0.1, 0.9]), &u, &[1.0, 0.4], &WEIGHTS, |s| s);
        let near_nice = score(evidence(&[], "X", 1.0, vec![0.9, 0.1]), &u, &[1.0, 0.4], &WEIGHTS, |s| s);
        assert!(near_requirements.candidate.score > near_nice.candidate.score);
        // Only meaning is given here, so it is the whole score.
        assert!((near_requirements.candidate.score - (0.9 + 0.4 * 0.1) / 1.4).abs() < 1e-12);
    }

    #[test]
    fn titles_years_and_countries_count_when_the_job_names_them() {
        let u = understood(
            "Senior Data Engineer\n\nRequirements:\n- 4+ years of experience, based in Germany\n",
            &[("senior data engineer", TermKind::Title)],
        );
        assert_eq!((u.min_years, u.countries.as_slice()), (Some(4.0), ["DE".to_owned()].as_slice()));
        let s =
            score(evidence(&[], "Analyst · bank\nSenior Data Engineer", 2.0, vec![0.5, 0.5]), &u, &[0.6, 1.0], &WEIGHTS, |s| s);
        assert_eq!(s.titles_matched, ["senior data engineer"]);
        assert_eq!(s.evidence.years, Some(0.5));
        assert_eq!(s.evidence.countries, Some(1.0));
    }
}
