//! Percentiles of latencies.

use std::time::Duration;

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
