//! The local model, as the service runs it (single-threaded workers, one per core) and, for the
//! floor, the model called directly on one thread.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vitae_embed::Embedder;
use vitae_embed::local::{LocalEmbedder, MiniLm};

use crate::stats::{ms, summarise};

#[derive(clap::Args)]
pub struct Args {
    /// Folder with the model files.
    #[arg(long, env = "VITAE_MODEL_DIR", default_value = ".local/models/all-MiniLM-L6-v2")]
    model_dir: PathBuf,
    /// Sentences for the throughput run.
    #[arg(long, default_value_t = 1024)]
    sentences: usize,
    /// Single queries for the latency run.
    #[arg(long, default_value_t = 300)]
    queries: usize,
    /// Workers (0: one per core, as the service does).
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Texts per forward pass.
    #[arg(long, default_value_t = 32)]
    batch: usize,
}

/// Profile-like sentences of about 60 tokens, varied so no two are the same.
pub fn sentences(n: usize) -> Vec<String> {
    let roles = [
        "backend engineer",
        "data scientist",
        "intensive care nurse",
        "pastry chef",
        "product designer",
        "site reliability engineer",
        "corporate lawyer",
        "mathematics teacher",
        "supply chain analyst",
    ];
    let skills = [
        "Rust, PostgreSQL and Kafka",
        "Python, SQL and statistics",
        "ventilators and triage",
        "laminated doughs and chocolate",
        "Figma and user research",
        "Kubernetes, Terraform and on-call rotations",
        "mergers and acquisitions",
        "algebra and curriculum design",
        "inventory planning and SAP",
    ];
    let cities = ["Berlin", "Lisbon", "Toronto", "Nairobi", "Osaka", "Austin", "Warsaw", "Lyon"];
    (0..n)
        .map(|i| {
            format!(
                "Senior {} with {} years of experience in {}, based in {}, who led a team of {} people across three time zones, shipped work used by millions of customers every day, mentored juniors and spoke about reliability, testing and observability at conferences.",
                roles[i % roles.len()],
                3 + i % 17,
                skills[(i / 3) % skills.len()],
                cities[(i / 7) % cities.len()],
                2 + i % 11
            )
        })
        .collect()
}

const QUERIES: &[&str] = &[
    "senior rust engineer in berlin",
    "pastry chef",
    "nurse for very sick patients",
    "kubernetes on-call",
    "lawyer for takeovers",
    "data scientist who knows statistics",
    "ux researcher",
    "warehouse supervisor with forklift experience",
];

pub async fn run(args: Args) -> anyhow::Result<()> {
    let texts = sentences(args.sentences);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let direct = MiniLm::load(&args.model_dir)?.with_max_batch(args.batch);
    let tokens = direct.tokenize(&refs)?;
    let mean_tokens = tokens.iter().map(Vec::len).sum::<usize>() as f64 / tokens.len() as f64;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "local model all-MiniLM-L6-v2, {cores} cores, RAYON_NUM_THREADS={}",
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "unset".into())
    );
    println!("throughput corpus: {} sentences, {mean_tokens:.1} tokens each on average (with [CLS]/[SEP])", texts.len());

    // The floor: the model called directly, on this thread.
    direct.embed(&refs[..64])?;
    let started = Instant::now();
    direct.embed(&refs)?;
    let direct_rate = texts.len() as f64 / started.elapsed().as_secs_f64();

    let service = LocalEmbedder::load(&args.model_dir, args.workers, args.batch)?;
    service.embed(texts[..64].to_vec()).await?;
    let started = Instant::now();
    service.embed(texts.clone()).await?;
    let service_rate = texts.len() as f64 / started.elapsed().as_secs_f64();

    let mut latencies: Vec<Duration> = Vec::with_capacity(args.queries);
    for i in 0..args.queries {
        let query = format!("{} {}", QUERIES[i % QUERIES.len()], i);
        let started = Instant::now();
        service.embed(vec![query]).await?;
        latencies.push(started.elapsed());
    }
    let latency = summarise(latencies);

    println!();
    println!("| measure                                   | value |");
    println!("|-------------------------------------------|-------|");
    println!("| batch throughput, service ({} workers)      | {service_rate:.1} sentences/s |", service.worker_count());
    println!("| batch throughput, model on one thread     | {direct_rate:.1} sentences/s |");
    println!("| service / one-thread floor                | {:.2}x |", service_rate / direct_rate);
    println!(
        "| single query latency p50 / p95 / p99      | {:.2} / {:.2} / {:.2} ms |",
        ms(latency.p50),
        ms(latency.p95),
        ms(latency.p99)
    );
    println!();
    println!(
        "targets: p50 <= 15 ms; throughput at or above sentence-transformers with torch on the same 2 cores (62-66 sentences/s measured by a prototype)"
    );
    Ok(())
}
