//! The keyword leg's plan, worked out without the database: which words a query asks for and
//! which it excludes, what each word is worth (BM25's inverse document frequency over the
//! tenant's own statistics), which stand-ins a mistyped word gets, which words are rare enough to
//! find candidates by themselves and which only score them, and the 0..1 score of a match.

use vitae_repository::keyword::{NearTerm, TermStatistics, WeightedTerm};

/// A query split into what it asks for and what it excludes (`-word`, `-"a phrase"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryText {
    pub positive: String,
    pub excluded: Option<String>,
}

/// Splits web-search syntax: a `-` starting a word or a quoted phrase excludes it; `or` and
/// quotes are left to PostgreSQL's parser for the "every term" test.
pub fn split(q: &str) -> QueryText {
    let mut positive = String::new();
    let mut excluded = String::new();
    let mut chars = q.chars().peekable();
    let mut at_word_start = true;
    while let Some(c) = chars.next() {
        if c == '-' && at_word_start && chars.peek().is_some_and(|n| !n.is_whitespace()) {
            // The excluded word, or the quoted phrase, up to its end.
            let quoted = chars.peek() == Some(&'"');
            if quoted {
                chars.next();
            }
            let mut part = String::new();
            for n in chars.by_ref() {
                if (quoted && n == '"') || (!quoted && n.is_whitespace()) {
                    break;
                }
                part.push(n);
            }
            if !part.trim().is_empty() {
                excluded.push_str(if quoted { "\"" } else { "" });
                excluded.push_str(part.trim());
                excluded.push_str(if quoted { "\" " } else { " " });
            }
            at_word_start = true;
            positive.push(' ');
            continue;
        }
        at_word_start = c.is_whitespace() || c == '"';
        positive.push(c);
    }
    let excluded = excluded.trim().to_owned();
    QueryText { positive: positive.trim().to_owned(), excluded: (!excluded.is_empty()).then_some(excluded) }
}

/// BM25's inverse document frequency (the non-negative form): a word in every document is worth
/// almost nothing, a word in none the most.
pub fn idf(documents: i64, holding: i64) -> f64 {
    let n = documents.max(0) as f64;
    let df = holding.clamp(0, documents.max(0)) as f64;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A mistyped query word and the words of the tenant that stand in for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub word: String,
    /// (word, trigram similarity)
    pub matched_as: Vec<(String, f64)>,
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) a word of this many letters
/// may be off by: one from 4 letters, two from 7, the usual bounds of fuzzy matching.
pub fn max_edits(letters: usize) -> usize {
    match letters {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

/// Stand-ins for a word no document holds: the candidates (trigram neighbours) fewest edits
/// away, within [`max_edits`], most used first, three at most. Each with its edit count.
pub fn stand_ins<'a>(word: &str, candidates: impl Iterator<Item = &'a NearTerm>) -> Vec<(&'a NearTerm, usize)> {
    let limit = max_edits(word.chars().count());
    let mut within: Vec<(&NearTerm, usize)> = candidates
        .filter(|t| t.query_term == word && t.term != word)
        .map(|t| (t, strsim::osa_distance(word, &t.term)))
        .filter(|(_, edits)| *edits <= limit)
        .collect();
    let fewest = within.iter().map(|(_, edits)| *edits).min().unwrap_or(0);
    within.retain(|(_, edits)| *edits == fewest);
    within.sort_by(|a, b| b.0.documents.cmp(&a.0.documents).then_with(|| a.0.term.cmp(&b.0.term)));
    within.truncate(3);
    within
}

/// Settings of the keyword plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeywordSettings {
    /// Words held by more documents than this only score candidates (found by rarer words or
    /// by meaning); ranking every match of such a word is the leg's tail latency.
    pub broad_max_matches: i64,
    /// A stand-in one edit from a mistyped word counts this much of an exact match (squared
    /// for two edits).
    pub typo_weight: f64,
    /// Query words shorter than this are never corrected (too many near neighbours).
    pub typo_min_chars: usize,
}

/// How the keyword leg runs.
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordPlan {
    pub terms: Vec<WeightedTerm>,
    /// Words rare enough to find candidates (tsquery text: `'a' | 'b'`).
    pub matching: Option<String>,
    /// Words so common they only score candidates found otherwise.
    pub broad: Option<String>,
    /// A document holding every term the query asked for (tsquery text).
    pub complete: String,
    /// The BM25 of an average-length document holding each query word once in a title: the
    /// score that normalises to 1.
    pub ideal: f64,
    /// The tenant's average document length (distinct words), for BM25's length normalisation.
    pub average_length: f64,
    /// The query has searchable words (not only stop words and punctuation).
    pub has_words: bool,
    pub corrections: Vec<Correction>,
}

impl KeywordPlan {
    /// Whether any word can match at all (a word no document holds cannot).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Every word that can match (stand-ins included), as tsquery text: what highlights mark.
    pub fn highlight_query(&self) -> String {
        any_of(&self.terms.iter().map(|t| t.term.clone()).collect::<Vec<_>>())
    }

    /// BM25 against the ideal, capped at 1.
    pub fn relative(&self, bm25: f64) -> f64 {
        if self.ideal > 0.0 { (bm25 / self.ideal).min(1.0) } else { 0.0 }
    }

    /// What fusion reads of a match: BM25 against the ideal, halved for a document missing a term.
    pub fn evidence(&self, bm25: f64, complete: bool) -> f64 {
        self.relative(bm25) * if complete { 1.0 } else { 0.5 }
    }

    /// A match's score on a fixed 0..1 scale: half for holding every term the query asked for,
    /// half for its BM25 against the ideal (capped).
    pub fn score(&self, bm25: f64, complete: bool) -> f64 {
        let relative = self.relative(bm25);
        if complete { 0.5 + 0.5 * relative } else { 0.5 * relative }
    }
}

/// The most query words a correction is looked up for: each costs a trigram look-up, and a long
/// pasted text can hold dozens the tenant never uses (a 512-character job ad took over a second).
pub const MAX_CORRECTED_WORDS: usize = 8;

/// Which query words a correction is looked up for: no document holds them, they are long
/// enough for a one-letter slip to be told from another word, and they hold no digit; the first
/// few, in the query's order. A number or code near another (`-1042`, `1043`, `ec2`) names a
/// different thing, not a slip, and digits share trigrams with every other number: at a million
/// profiles one such word drew 125,000 candidates and took 0.4-1 s.
pub fn words_to_correct(stats: &TermStatistics, settings: &KeywordSettings) -> Vec<String> {
    stats
        .terms
        .iter()
        .filter(|(term, holding)| {
            *holding == 0 && term.chars().count() >= settings.typo_min_chars && !term.chars().any(|c| c.is_ascii_digit())
        })
        .map(|(term, _)| term.clone())
        .take(MAX_CORRECTED_WORDS)
        .collect()
}

/// The plan for `stats` (the query's words) and `near` (stand-ins for words no document holds).
pub fn plan(stats: &TermStatistics, near: &[NearTerm], settings: &KeywordSettings) -> KeywordPlan {
    let n = stats.documents;
    let mut terms: Vec<(WeightedTerm, i64)> = Vec::new();
    let mut corrections = Vec::new();
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut ideal = 0.0;
    for (term, holding) in &stats.terms {
        let stand_ins = if *holding > 0 { Vec::new() } else { stand_ins(term, near.iter()) };
        if *holding > 0 || stand_ins.is_empty() {
            let weight = idf(n, *holding);
            ideal += weight;
            if *holding > 0 {
                terms.push((WeightedTerm { term: term.clone(), idf: weight, boost: 1.0 }, *holding));
                groups.push(vec![term.clone()]);
            }
            continue;
        }
        let mut best: f64 = 0.0;
        let mut group = Vec::new();
        for (t, edits) in &stand_ins {
            let boost = settings.typo_weight.powi(*edits as i32);
            let weight = idf(n, t.documents);
            best = best.max(weight * boost);
            terms.push((WeightedTerm { term: t.term.clone(), idf: weight, boost }, t.documents));
            group.push(t.term.clone());
        }
        ideal += best;
        groups.push(group);
        corrections.push(Correction {
            word: term.clone(),
            matched_as: stand_ins.iter().map(|(t, _)| (t.term.clone(), t.similarity)).collect(),
        });
    }
    // The rarest words find candidates while their matches stay within bounds.
    let mut by_rarity: Vec<&(WeightedTerm, i64)> = terms.iter().collect();
    by_rarity.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.term.cmp(&b.0.term)));
    let mut budget = settings.broad_max_matches;
    let (mut rare, mut broad) = (Vec::new(), Vec::new());
    for (term, holding) in by_rarity {
        if *holding <= budget {
            budget -= holding;
            rare.push(term.term.clone());
        } else {
            broad.push(term.term.clone());
        }
    }
    let complete = if corrections.is_empty() {
        stats.websearch.clone()
    } else {
        groups.iter().map(|g| format!("({})", any_of(g))).collect::<Vec<_>>().join(" & ")
    };
    KeywordPlan {
        terms: terms.into_iter().map(|(t, _)| t).collect(),
        matching: (!rare.is_empty()).then(|| any_of(&rare)),
        broad: (!broad.is_empty()).then(|| any_of(&broad)),
        complete,
        ideal,
        average_length: if stats.documents > 0 { stats.words as f64 / stats.documents as f64 } else { 1.0 },
        has_words: !stats.terms.is_empty(),
        corrections,
    }
}

/// `'a' | 'b'`: words as the index stores them, quoted so that PostgreSQL takes them as they are.
fn any_of(words: &[String]) -> String {
    words.iter().map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"))).collect::<Vec<_>>().join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(terms: &[(&str, i64)], documents: i64) -> TermStatistics {
        TermStatistics {
            terms: terms.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect(),
            documents,
            words: documents * 100,
            websearch: terms.iter().map(|(t, _)| format!("'{t}'")).collect::<Vec<_>>().join(" & "),
        }
    }

    const SETTINGS: KeywordSettings = KeywordSettings { broad_max_matches: 1000, typo_weight: 0.8, typo_min_chars: 4 };

    #[test]
    fn exclusions_and_phrases_are_told_apart() {
        let q = split(r#""rust engineer" or go -java -"project manager" berlin-based"#);
        assert_eq!(q.positive.split_whitespace().collect::<Vec<_>>(), vec!["\"rust", "engineer\"", "or", "go", "berlin-based"]);
        assert_eq!(q.excluded.as_deref(), Some(r#"java "project manager""#));
        assert_eq!(split("plain words").excluded, None);
        assert_eq!(split("a - b").positive, "a - b", "a lone dash excludes nothing");
    }

    #[test]
    fn a_long_text_of_unknown_words_looks_up_corrections_for_the_first_few_only() {
        let words: Vec<(String, i64)> = (1..=30).map(|i| (format!("unknown{}", "x".repeat(i)), 0)).collect();
        let refs: Vec<(&str, i64)> = words.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        let to_correct = words_to_correct(&stats(&refs, 1000), &SETTINGS);
        assert_eq!(to_correct.len(), MAX_CORRECTED_WORDS);
        assert_eq!(to_correct[0], "unknownx");
        let few = words_to_correct(&stats(&[("rustt", 0), ("go", 0), ("berlin", 5)], 1000), &SETTINGS);
        assert_eq!(few, ["rustt"], "short and known words are never corrected");
        let codes = words_to_correct(&stats(&[("-1042", 0), ("cert", 0), ("python3", 0), ("2718", 0)], 1000), &SETTINGS);
        assert_eq!(codes, ["cert"], "numbers and codes are never corrected");
    }

    #[test]
    fn rare_words_are_worth_more_and_weights_never_go_negative() {
        assert!(idf(1000, 1) > idf(1000, 100));
        assert!(idf(1000, 1000) > 0.0);
        assert!(idf(1000, 5000) > 0.0, "statistics that ran ahead of the count still give a weight");
        assert!(idf(0, 0) > 0.0);
    }

    #[test]
    fn common_words_only_score_candidates_that_rarer_words_found() {
        let p = plan(&stats(&[("engin", 900), ("rust", 40), ("berlin", 300)], 10_000), &[], &SETTINGS);
        assert_eq!(p.matching.as_deref(), Some("'rust' | 'berlin'"));
        assert_eq!(p.broad.as_deref(), Some("'engin'"));
        let all_common = plan(&stats(&[("engin", 5000)], 10_000), &[], &SETTINGS);
        assert_eq!((all_common.matching, all_common.broad.as_deref()), (None, Some("'engin'")));
    }

    #[test]
    fn a_word_no_document_holds_is_replaced_by_its_near_words_at_a_discount() {
        let near =
            [NearTerm { query_term: "thorvaldsdotir".into(), term: "thorvaldsdottir".into(), similarity: 0.8, documents: 2 }];
        let st = stats(&[("thorvaldsdotir", 0), ("munich", 10)], 200);
        assert_eq!(words_to_correct(&st, &SETTINGS), vec!["thorvaldsdotir"]);
        let p = plan(&st, &near, &SETTINGS);
        assert_eq!(
            p.corrections,
            vec![Correction { word: "thorvaldsdotir".into(), matched_as: vec![("thorvaldsdottir".into(), 0.8)] }]
        );
        let stand_in = p.terms.iter().find(|t| t.term == "thorvaldsdottir").unwrap();
        assert!((stand_in.boost - 0.8).abs() < 1e-9, "one edit");
        assert_eq!(p.complete, "('thorvaldsdottir') & ('munich')");
        // Short words are never corrected.
        assert!(words_to_correct(&stats(&[("sre", 0)], 10), &SETTINGS).is_empty());
    }

    #[test]
    fn stand_ins_are_the_fewest_edits_away_within_bounds_most_used_first() {
        let near =
            |term: &str, documents: i64| NearTerm { query_term: "rodriu".into(), term: term.into(), similarity: 0.5, documents };
        let candidates = [near("rodrigu", 3), near("rodriguez", 9), near("rod", 50), near("rodrik", 1)];
        let picked: Vec<(&str, usize)> =
            stand_ins("rodriu", candidates.iter()).iter().map(|(t, e)| (t.term.as_str(), *e)).collect();
        assert_eq!(picked, vec![("rodrigu", 1), ("rodrik", 1)], "one edit beats three; more documents first");
        // A swap of neighbours is one edit; short words get one at most.
        let swap = [NearTerm { query_term: "salzaar".into(), term: "salazar".into(), similarity: 0.3, documents: 1 }];
        assert_eq!(stand_ins("salzaar", swap.iter()).len(), 1);
        let short = [
            NearTerm { query_term: "barbt".into(), term: "bart".into(), similarity: 0.4, documents: 1 },
            NearTerm { query_term: "barbt".into(), term: "barber".into(), similarity: 0.4, documents: 9 },
        ];
        assert_eq!(stand_ins("barbt", short.iter()).iter().map(|(t, _)| t.term.as_str()).collect::<Vec<_>>(), vec!["bart"]);
        assert_eq!(max_edits(3), 0);
    }

    #[test]
    fn a_complete_match_always_outscores_a_partial_one() {
        let p = plan(&stats(&[("account", 5), ("nairobi", 7)], 200), &[], &SETTINGS);
        assert!(p.score(0.1, true) >= 0.5);
        assert!(p.score(1e9, false) <= 0.5);
        assert_eq!(p.score(1e9, true), 1.0);
        assert_eq!(p.score(0.0, false), 0.0);
    }

    #[test]
    fn quotes_in_words_cannot_break_out_of_the_query() {
        assert_eq!(any_of(&["o'neil".into(), "a\\b".into()]), r"'o''neil' | 'a\\b'");
    }
}
