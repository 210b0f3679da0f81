//! Stage 5: pages are slices of the fused list, in its fixed order; the cursor (the last
//! page's final score and document) says where the next one starts, so pages neither repeat nor
//! skip while the list stays the same. Facets count the whole list, not the page.

use vitae_domain::search::After;

use crate::fuse::Candidate;

/// One page of the fused list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub candidates: Vec<Candidate>,
    /// Candidates in the list: what paging can reach.
    pub total: usize,
    /// Where this page ended, when more follow.
    pub next: Option<After>,
}

/// The `limit` candidates after `after` (from the start without it).
pub fn page(candidates: &[Candidate], after: Option<After>, limit: usize) -> Page {
    let total = candidates.len();
    let start = match after {
        None => 0,
        Some(after) => candidates.iter().position(|c| is_after(c, after)).unwrap_or(total),
    };
    let page: Vec<Candidate> = candidates.iter().skip(start).take(limit).cloned().collect();
    let next =
        (start + page.len() < total).then(|| page.last().map(|c| After { score: c.score, document_id: c.document_id })).flatten();
    Page { candidates: page, total, next }
}

/// Whether `c` comes after the cursor in (score desc, document id asc) order.
fn is_after(c: &Candidate, after: After) -> bool {
    c.score < after.score || (c.score == after.score && c.document_id > after.document_id)
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

/// The most frequent values of each facet (20 at most), most frequent first.
pub fn facets(rows: Vec<(String, String, i64)>) -> Facets {
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

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn candidate(id: u128, score: f64) -> Candidate {
        Candidate {
            document_id: Uuid::from_u128(id),
            profile_id: Uuid::from_u128(id),
            score,
            semantic: None,
            keyword: None,
            bm25: None,
        }
    }

    #[test]
    fn pages_follow_each_other_without_gaps_or_repeats() {
        let list: Vec<Candidate> = [(1, 0.9), (2, 0.8), (3, 0.8), (4, 0.5), (5, 0.1)].map(|(i, s)| candidate(i, s)).to_vec();
        let first = page(&list, None, 2);
        assert_eq!(first.total, 5);
        assert_eq!(first.candidates.iter().map(|c| c.document_id.as_u128()).collect::<Vec<_>>(), vec![1, 2]);
        let second = page(&list, first.next, 2);
        assert_eq!(second.candidates.iter().map(|c| c.document_id.as_u128()).collect::<Vec<_>>(), vec![3, 4]);
        let last = page(&list, second.next, 2);
        assert_eq!(last.candidates.iter().map(|c| c.document_id.as_u128()).collect::<Vec<_>>(), vec![5]);
        assert_eq!(last.next, None, "the last page says so");
        let beyond = page(&list, Some(After { score: 0.0, document_id: Uuid::from_u128(9) }), 2);
        assert!(beyond.candidates.is_empty() && beyond.next.is_none());
    }

    #[test]
    fn facets_keep_the_twenty_most_frequent_values_most_frequent_first() {
        let mut rows: Vec<(String, String, i64)> = (0..25).map(|i| ("skills".to_owned(), format!("s{i:02}"), i)).collect();
        rows.push(("tags".into(), "b".into(), 2));
        rows.push(("tags".into(), "a".into(), 2));
        rows.push(("unknown".into(), "x".into(), 9));
        let f = facets(rows);
        assert_eq!(f.skills.len(), 20);
        assert_eq!(f.skills[0].value, "s24");
        assert_eq!(f.tags.iter().map(|v| v.value.as_str()).collect::<Vec<_>>(), vec!["a", "b"], "ties by value");
    }
}
