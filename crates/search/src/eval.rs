//! Search quality: labelled queries (query, relevant profiles by external id) run through both
//! legs and every fusion candidate, scored by hit@10, MRR@10 and nDCG@10 (binary relevance).
//! `vitae eval` prints the table for every set (eval/sets/, demo/eval.json); the tests hold the
//! default hybrid to "at least as good as the better leg" on each set.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use uuid::Uuid;

use vitae_domain::search::{Filters, Fusion, FusionDefaults, MaskSelection, Mode};
use vitae_repository::TenantTx;
use vitae_repository::search as search_sql;

use vitae_domain::job::Adjustments;

use crate::error::SearchResult;
use crate::matching::JobQuery;
use crate::query::{Input, SearchQuery};
use crate::run::Engine;

pub const DEPTH: usize = 10;

#[derive(Debug, Clone, Deserialize)]
pub struct EvalSet {
    #[serde(default)]
    pub description: String,
    /// What the queries are: search queries, or job descriptions to match.
    #[serde(default)]
    pub input: SetInput,
    pub queries: Vec<LabelledQuery>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SetInput {
    #[default]
    Query,
    /// Job descriptions: scored through matching, against plain search on the job cut to what a
    /// search query may hold.
    Job,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LabelledQuery {
    pub query: String,
    /// What the query tests (`semantic`, `keyword`, `mixed`, ...): scores are also given per kind.
    #[serde(default)]
    pub kind: String,
    /// External ids of the relevant profiles.
    pub relevant: Vec<String>,
}

/// A way of searching to score.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub mode: Mode,
    pub fusion: Fusion,
}

/// Each leg alone, hybrid as configured (`hybrid`), and every fusion candidate: reciprocal rank
/// fusion, blends of the 0..1 scores at three ratios, and the stronger leg plus a share of the
/// weaker at three shares.
pub fn variants(defaults: FusionDefaults) -> Vec<Variant> {
    let mut out: Vec<Variant> = [Mode::Hybrid, Mode::Semantic, Mode::Keyword]
        .into_iter()
        .map(|mode| Variant { name: mode.as_str().to_owned(), mode, fusion: defaults.default })
        .collect();
    let hybrid = |name: String, fusion: Fusion| Variant { name, mode: Mode::Hybrid, fusion };
    if let Fusion::Rrf { k, .. } = defaults.rrf {
        out.push(hybrid(format!("rrf k={k}"), Fusion::Rrf { k, semantic_weight: 1.0, keyword_weight: 1.0 }));
    }
    for ratio in [0.3, 0.5, 0.7] {
        out.push(hybrid(format!("blend {ratio}"), Fusion::Blend { semantic_ratio: ratio }));
    }
    for other_weight in [0.1, 0.3, 0.5] {
        out.push(hybrid(format!("max {other_weight}"), Fusion::Max { other_weight }));
    }
    out
}

/// Mean scores over a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub queries: usize,
    pub hit: f64,
    pub mrr: f64,
    pub ndcg: f64,
}

impl Scores {
    pub fn add(&mut self, one: QueryScore) {
        self.queries += 1;
        self.hit += one.hit;
        self.mrr += one.mrr;
        self.ndcg += one.ndcg;
    }

    pub fn mean(mut self) -> Self {
        let n = self.queries.max(1) as f64;
        self.hit /= n;
        self.mrr /= n;
        self.ndcg /= n;
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryScore {
    pub hit: f64,
    pub mrr: f64,
    pub ndcg: f64,
}

/// Scores one ranked list (best first) against the relevant set, to depth 10.
pub fn score(ranked: &[String], relevant: &HashSet<String>) -> QueryScore {
    let top = &ranked[..ranked.len().min(DEPTH)];
    let first = top.iter().position(|id| relevant.contains(id));
    let dcg: f64 =
        top.iter().enumerate().filter(|(_, id)| relevant.contains(*id)).map(|(i, _)| 1.0 / ((i + 2) as f64).log2()).sum();
    let ideal: f64 = (0..relevant.len().min(DEPTH)).map(|i| 1.0 / ((i + 2) as f64).log2()).sum();
    QueryScore {
        hit: if first.is_some() { 1.0 } else { 0.0 },
        mrr: first.map_or(0.0, |i| 1.0 / (i + 1) as f64),
        ndcg: if ideal > 0.0 { dcg / ideal } else { 0.0 },
    }
}

/// Results: per variant, overall and per kind of query.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub overall: Vec<(String, Scores)>,
    /// kind → variant → scores
    pub by_kind: BTreeMap<String, Vec<(String, Scores)>>,
}

impl Report {
    pub fn overall(&self, variant: &str) -> Option<Scores> {
        self.overall.iter().find(|(name, _)| *name == variant).map(|(_, s)| *s)
    }

    /// A plain-text table.
    pub fn table(&self) -> String {
        let mut out = String::from("kind                 variant      queries  hit@10  MRR@10  nDCG@10\n");
        let mut row = |set: &str, name: &str, s: &Scores| {
            out.push_str(&format!("{set:<20} {name:<12} {:>7}  {:>6.3}  {:>6.3}  {:>7.3}\n", s.queries, s.hit, s.mrr, s.ndcg));
        };
        for (name, s) in &self.overall {
            row("all", name, s);
        }
        for (kind, variants) in &self.by_kind {
            for (name, s) in variants {
                row(kind, name, s);
            }
        }
        out
    }
}

/// The name of matching's row in a job set's table.
pub const MATCH: &str = "match";

/// A job description as a search query: on one line, cut to the longest query search takes.
pub fn job_as_query(job: &str) -> String {
    let one_line = job.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(vitae_domain::search::limits::QUERY).collect::<String>().trim().to_owned()
}

/// Runs every labelled query through every variant for one tenant; a job set also through
/// matching (the row `match`), its queries cut to 512 characters for the search variants.
pub async fn run(engine: &Engine<'_>, tenant_id: Uuid, set: &EvalSet, variants: &[Variant]) -> SearchResult<Report> {
    // A job set: matching against each plain mode on the cut job (`hybrid@512`, ...).
    let variants: Vec<&Variant> = match set.input {
        SetInput::Query => variants.iter().collect(),
        SetInput::Job => variants.iter().filter(|v| v.name == v.mode.as_str()).collect(),
    };
    let mut names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
    if set.input == SetInput::Job {
        names = names.into_iter().map(|n| format!("{n}@{}", vitae_domain::search::limits::QUERY)).collect();
        names.insert(0, MATCH.to_owned());
    }
    let mut overall: Vec<(String, Scores)> = names.iter().map(|n| (n.clone(), Scores::default())).collect();
    let mut by_kind: BTreeMap<String, Vec<(String, Scores)>> = BTreeMap::new();
    let mut external: HashMap<Uuid, String> = HashMap::new();
    for labelled in &set.queries {
        let relevant: HashSet<String> = labelled.relevant.iter().cloned().collect();
        let mut lists: Vec<Vec<Uuid>> = Vec::new();
        if set.input == SetInput::Job {
            let query = JobQuery {
                job: labelled.query.clone(),
                filters: Filters::default(),
                mask: MaskSelection::Default,
                limit: DEPTH,
                after: None,
                min_score: None,
                facets: false,
                adjust: Adjustments::default(),
                explain: false,
                fingerprint: 0,
            };
            let outcome = engine.match_job(tenant_id, &query).await?;
            lists.push(outcome.hits.iter().map(|h| h.candidate.profile_id).collect());
        }
        let text = match set.input {
            SetInput::Query => labelled.query.clone(),
            SetInput::Job => job_as_query(&labelled.query),
        };
        for variant in &variants {
            let query = SearchQuery {
                input: Input::Text(text.clone()),
                mode: variant.mode,
                fusion: variant.fusion,
                filters: Filters::default(),
                mask: MaskSelection::Default,
                limit: DEPTH,
                after: None,
                min_score: None,
                explain: false,
                highlight: false,
                facets: false,
                fingerprint: 0,
            };
            let outcome = engine.search(tenant_id, &query).await?;
            lists.push(outcome.hits.iter().map(|h| h.candidate.profile_id).collect());
        }
        for (i, profiles) in lists.iter().enumerate() {
            let unknown: Vec<Uuid> = profiles.iter().filter(|p| !external.contains_key(p)).copied().collect();
            if !unknown.is_empty() {
                let mut tx = TenantTx::begin_read_only(engine.pool, tenant_id).await?;
                for (id, ext) in search_sql::external_ids(&mut tx, &unknown).await? {
                    external.insert(id, ext.unwrap_or_else(|| id.to_string()));
                }
                tx.commit().await?;
            }
            let ranked: Vec<String> = profiles.iter().filter_map(|p| external.get(p).cloned()).collect();
            let one = score(&ranked, &relevant);
            overall[i].1.add(one);
            let kind = if labelled.kind.is_empty() { "unlabelled" } else { labelled.kind.as_str() };
            let entry =
                by_kind.entry(kind.to_owned()).or_insert_with(|| names.iter().map(|n| (n.clone(), Scores::default())).collect());
            entry[i].1.add(one);
        }
    }
    Ok(Report {
        overall: overall.into_iter().map(|(n, s)| (n, s.mean())).collect(),
        by_kind: by_kind.into_iter().map(|(k, v)| (k, v.into_iter().map(|(n, s)| (n, s.mean())).collect())).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scores_follow_the_textbook_definitions() {
        let relevant: HashSet<String> = ids(&["a", "b"]).into_iter().collect();
        let perfect = score(&ids(&["a", "b", "x"]), &relevant);
        assert_eq!(perfect, QueryScore { hit: 1.0, mrr: 1.0, ndcg: 1.0 });
        let second = score(&ids(&["x", "a"]), &relevant);
        assert_eq!(second.mrr, 0.5);
        let expected = (1.0 / 3f64.log2()) / (1.0 + 1.0 / 3f64.log2());
        assert!((second.ndcg - expected).abs() < 1e-12);
        let miss = score(&ids(&["x", "y"]), &relevant);
        assert_eq!(miss, QueryScore { hit: 0.0, mrr: 0.0, ndcg: 0.0 });
        // Below depth 10 nothing counts.
        let deep: Vec<String> = (0..10).map(|i| format!("x{i}")).chain(ids(&["a"])).collect();
        assert_eq!(score(&deep, &relevant).hit, 0.0);
    }
}
