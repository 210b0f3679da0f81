//! Import throughput end to end: NDJSON through `POST /v1/profiles:import` into a fresh
//! database, with the local model. The floor: the model alone embedding exactly the texts the
//! service embeds (rebuilt here with the domain crate), in the same run.

use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;
use vitae_domain::document::SearchDocument;
use vitae_domain::mask::{self, MaskConfig, MaskRecord, ProfileAggregate};
use vitae_domain::profile::{Availability, Contact, ExperienceRecord, ProfileRecord, SkillRecord};
use vitae_embed::Embedder;
use vitae_embed::local::LocalEmbedder;

use crate::server::BenchServer;

#[derive(clap::Args)]
pub struct Args {
    /// Profiles to import (the demo profiles, repeated under new external ids).
    #[arg(long, default_value_t = 1000)]
    profiles: usize,
    #[arg(long, default_value = "demo/profiles.ndjson")]
    source: PathBuf,
    #[arg(long, env = "VITAE_MODEL_DIR", default_value = ".local/models/all-MiniLM-L6-v2")]
    model_dir: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let demo: Vec<Value> = std::fs::read_to_string(&args.source)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let lines: Vec<Value> = (0..args.profiles)
        .map(|i| {
            let mut line = demo[i % demo.len()].clone();
            line["external_id"] = Value::from(format!("bench-{i}"));
            // Distinct text per line, so nothing is embedded once for several profiles.
            let headline = line["headline"].as_str().unwrap_or_default().to_owned();
            line["headline"] = Value::from(format!("{headline} #{i}"));
            line
        })
        .collect();
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();

    // The floor: the exact texts the service will embed, embedded by the model alone.
    let texts: Vec<String> = lines.iter().flat_map(embedding_texts).collect();
    let unique: std::collections::BTreeSet<&String> = texts.iter().collect();
    let embedder = LocalEmbedder::load(&args.model_dir, 0, 32)?;
    embedder.embed(texts[..32.min(texts.len())].to_vec()).await?;
    let started = Instant::now();
    embedder.embed(unique.iter().map(|s| (*s).clone()).collect()).await?;
    let floor = started.elapsed().as_secs_f64();
    drop(embedder);

    let server = BenchServer::start("vitae_bench_import", &[]).await?;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let response = http
        .post(format!("{}/v1/profiles:import", server.base_url))
        .bearer_auth(&server.key)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let report: Value = response.json().await?;
    let took = started.elapsed().as_secs_f64();
    anyhow::ensure!(status.is_success(), "import failed: {report}");
    anyhow::ensure!(report["failed"] == 0, "some lines failed: {report}");

    println!(
        "import of {} profiles ({} search documents, {} distinct texts to embed), local model, one request",
        args.profiles,
        texts.len(),
        unique.len()
    );
    println!();
    println!("| measure                                        | value |");
    println!("|------------------------------------------------|-------|");
    println!("| end to end through POST /v1/profiles:import     | {:.1} profiles/s ({took:.1} s) |", args.profiles as f64 / took);
    println!("| documents embedded and written                 | {:.1} documents/s |", texts.len() as f64 / took);
    println!(
        "| floor: the model alone on the same texts        | {:.1} profiles/s ({floor:.1} s) |",
        args.profiles as f64 / floor
    );
    println!("| import time / model-only time                   | {:.2}x |", took / floor);
    Ok(())
}

/// The texts the service embeds for one import line: one per mask (the public default included).
fn embedding_texts(line: &Value) -> Vec<String> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    let profile = ProfileRecord {
        id,
        slug: "bench".into(),
        external_id: None,
        display_name: text(line, "display_name"),
        headline: text(line, "headline"),
        summary: text(line, "summary"),
        location: text(line, "location"),
        country: line["country"].as_str().map(str::to_owned),
        contact: serde_json::from_value::<Contact>(line["contact"].clone()).unwrap_or_default(),
        tags: serde_json::from_value(line["tags"].clone()).unwrap_or_default(),
        availability: Availability::parse(line["availability"].as_str().unwrap_or("open")).unwrap_or_default(),
        is_active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let experiences = line["experiences"].as_array().into_iter().flatten().map(|e| ExperienceRecord {
        id: Uuid::now_v7(),
        profile_id: id,
        title: text(e, "title"),
        organization: text(e, "organization"),
        description: text(e, "description"),
        start_date: e["start_date"].as_str().and_then(|d| d.parse().ok()).unwrap_or_default(),
        end_date: e["end_date"].as_str().and_then(|d| d.parse().ok()),
        location: text(e, "location"),
        tags: serde_json::from_value(e["tags"].clone()).unwrap_or_default(),
        version: 1,
        created_at: now,
        updated_at: now,
    });
    let skills = line["skills"].as_array().into_iter().flatten().map(|s| SkillRecord {
        id: Uuid::now_v7(),
        profile_id: id,
        name: text(s, "name"),
        category: text(s, "category").to_lowercase(),
        level: s["level"].as_i64().map(|l| l as i16),
        years: s["years"].as_f64().map(|y| y as f32),
        version: 1,
        created_at: now,
        updated_at: now,
    });
    let mut masks = vec![MaskConfig::public_default()];
    masks.extend(line["masks"].as_array().into_iter().flatten().filter_map(|m| MaskConfig::parse("config", &m["config"]).ok()));
    let aggregate = ProfileAggregate { profile, experiences: experiences.collect(), skills: skills.collect(), masks: vec![] };
    let today = now.date_naive();
    masks
        .into_iter()
        .map(|config| {
            let record = MaskRecord {
                id: Uuid::now_v7(),
                profile_id: id,
                slug: "m".into(),
                name: "m".into(),
                is_default: false,
                config: config.normalised(),
                version: 1,
                created_at: now,
                updated_at: now,
            };
            SearchDocument::build(&mask::apply(&aggregate, &record), today).embedding_text
        })
        .collect()
}
