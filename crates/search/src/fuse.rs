//! Stage 4: the legs' windows fused into one list of candidates, every score on 0..1, in one
//! fixed order (score, then each leg's order, then document id); one persona per person when
//! every persona is searched. Multi-aspect profiles are rescored by their nearest passage first.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;
use vitae_domain::search::{Fusion, Mode};
use vitae_repository::keyword::KeywordHit;
use vitae_repository::search::{DocumentDistances, LegHit};

use crate::keyword::KeywordPlan;
use crate::query::Calibration;

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

/// The semantic leg rescored by each document's nearest aspect: its similarity moves `weight` of
/// the way up to its nearest passage's when that is closer. Best first; in semantic mode only
/// the window's documents (others were found by words).
pub fn nearest_aspect(distances: Vec<DocumentDistances>, window: &HashSet<Uuid>, window_only: bool, weight: f64) -> Vec<LegHit> {
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

/// The legs' windows fused into one ordered list, every score on 0..1: the semantic
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
                    combine(fusion, c.semantic.map(|(rank, _)| rank), semantic_score, c.keyword.map(|(rank, _)| rank), evidence)
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

/// One document's fused score from its legs' ranks (absent: not in that leg's window) and
/// scores on the 0..1 scales.
pub fn combine(fusion: Fusion, semantic_rank: Option<usize>, semantic: f64, keyword_rank: Option<usize>, keyword: f64) -> f64 {
    match fusion {
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

/// Every persona searched: each person once, through the persona that matched best.
pub fn best_persona(candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut seen = HashSet::new();
    candidates.into_iter().filter(|c| seen.insert(c.profile_id)).collect()
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
        assert!((combine(RRF, Some(1), 0.0, Some(1), 0.0) - 1.0).abs() < 1e-12, "first in both legs scores 1");
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
        assert!((combine(max, None, 0.8, None, 0.2) - (0.8 + 0.1) / 1.5).abs() < 1e-12);
        assert!((combine(max, None, 0.2, None, 0.8) - (0.8 + 0.1) / 1.5).abs() < 1e-12);
        assert!((combine(max, None, 1.0, None, 1.0) - 1.0).abs() < 1e-12);
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
}
