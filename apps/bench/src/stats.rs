//! Percentiles of latencies, and recall over many queries.

use std::time::Duration;

use vitae_repository::ann::recall_hits;

#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub struct Summary {
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub mean: Duration,
}

pub fn summarise(mut samples: Vec<Duration>) -> Summary {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let total: Duration = samples.iter().sum();
    Summary { p50: at(0.50), p95: at(0.95), p99: at(0.99), mean: total / samples.len().max(1) as u32 }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Recall@10 over many queries, by distance: a result as near as the exact 10th is a hit,
/// whichever profile it is (duplicates are normal in real data).
#[derive(Default)]
pub struct Recall {
    found: usize,
    wanted: usize,
    /// The queries that missed, as `"query" found of wanted (nearest similarity)`.
    misses: Vec<String>,
}

impl Recall {
    pub fn add(&mut self, exact: &[f64], got: &[f64]) {
        let (found, wanted) = recall_hits(exact, got);
        self.found += found;
        self.wanted += wanted;
    }

    /// As [`Recall::add`], naming the query among the misses when it missed, with the cosine
    /// similarity of its exact nearest (a query far from everything has no clear top ten).
    pub fn add_query(&mut self, query: &str, exact: &[f64], got: &[f64]) {
        let (found, wanted) = recall_hits(exact, got);
        if found < wanted {
            let nearest = exact.iter().copied().fold(f64::INFINITY, f64::min);
            self.misses.push(format!("{query:?} {found} of {wanted} (nearest {:.2})", 1.0 - nearest));
        }
        self.add(exact, got);
    }

    /// The missing queries, for a line of their own ("none" when every query found all).
    pub fn misses(&self) -> String {
        if self.misses.is_empty() { "none".into() } else { self.misses.join(", ") }
    }

    /// A query with nothing above the cutoff has nothing to miss.
    pub fn value(&self) -> f64 {
        if self.wanted == 0 { 1.0 } else { self.found as f64 / self.wanted as f64 }
    }
}
