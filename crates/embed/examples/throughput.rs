//! Scratch measurement of the local provider (the real benchmark is `vitae-bench embed`).

// Tests and examples fail by panicking with the error they met.
#![allow(clippy::unwrap_used)]
use std::time::Instant;
use vitae_embed::Embedder;
use vitae_embed::local::LocalEmbedder;

fn sentence(i: usize) -> String {
    let roles = ["backend engineer", "data scientist", "nurse", "pastry chef", "product designer", "site reliability engineer"];
    let skills = [
        "Rust and PostgreSQL",
        "Python, SQL and statistics",
        "intensive care and ventilators",
        "laminated doughs and chocolate",
        "Figma and user research",
        "Kubernetes, Terraform and on-call",
    ];
    format!(
        "Senior {} with {} years of experience in {}, who led a team of {} people, shipped products used by millions, mentored juniors, and wrote about reliability, testing and observability at conferences in Berlin, Lisbon and Toronto.",
        roles[i % 6],
        3 + i % 12,
        skills[(i / 6) % 6],
        2 + i % 9
    )
}

#[tokio::main]
async fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or(".local/models/all-MiniLM-L6-v2".into()));
    let workers: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let batch: usize = std::env::args().nth(3).and_then(|s| s.parse().ok()).unwrap_or(32);
    let e = LocalEmbedder::load(&dir, workers, batch).unwrap();
    let texts: Vec<String> = (0..512).map(sentence).collect();
    e.embed(texts[..64].to_vec()).await.unwrap();
    let t = Instant::now();
    e.embed(texts.clone()).await.unwrap();
    println!("workers {workers} batch {batch}: {:.1} sentences/s", texts.len() as f64 / t.elapsed().as_secs_f64());
    let mut lat = vec![];
    for i in 0..200 {
        let q = format!("rust engineer {i}");
        let t = Instant::now();
        e.embed(vec![q]).await.unwrap();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("query p50 {:.2} ms p95 {:.2} ms", lat[100], lat[190]);
}
