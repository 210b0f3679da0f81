//! Search at scale: N synthetic profiles whose embeddings are written directly, then every mode
//! through HTTP at 1, 2 and 8 clients, against the floor: the SQL of each leg (and a naive RRF
//! hybrid) run directly against PostgreSQL in the same run, by the same number of clients.
//!
//! Profiles are realistic by default (see `population`): real model embeddings of real profile
//! texts, varied per profile, with their words, skills and roles; a second tenant of 1,000
//! profiles sits in the same shared index. Filters at 10% and 1% selectivity use tags `sel10` /
//! `sel1`. Recall is counted by distance (an equally near twin is a hit) on real query texts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pgvector::Vector;
use serde_json::{Value, json};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use uuid::Uuid;
use vitae_embed::Embedder;
use vitae_embed::local::LocalEmbedder;
use vitae_repository::ann::VectorStorage;
use vitae_repository::search::PASSAGES_WALKED;

use crate::server::BenchServer;
use crate::stats::{Recall, ms, summarise};
use crate::{indexes, population};

#[derive(clap::Args)]
pub struct Args {
    /// Synthetic profiles to load.
    #[arg(long, default_value_t = 100_000)]
    profiles: i64,
    /// Seconds each (mode, clients) cell runs.
    #[arg(long, default_value_t = 4.0)]
    seconds: f64,
    /// Client counts.
    #[arg(long, value_delimiter = ',', default_value = "1,2,8")]
    clients: Vec<usize>,
    /// `hnsw` (the service's default) or `ivfflat`.
    #[arg(long, default_value = "hnsw")]
    index: String,
    /// `halfvec` (the service's default) or `vector`: what the index is built over (`VITAE_ANN_STORAGE`). With `--reuse`,
    /// an index of another kind or storage is rebuilt.
    #[arg(long, default_value = "halfvec", value_parser = ["halfvec", "vector"])]
    storage: String,
    /// Reuse the database of a previous run when it holds the same number of profiles.
    #[arg(long)]
    reuse: bool,
    /// `realistic`: real embeddings of real profile texts, varied per profile (see
    /// `population`); `degenerate`: sums of a few roles, skills and cities (mostly near
    /// duplicates at scale: the first generator, kept to compare).
    #[arg(long, value_enum, default_value_t = Vectors::Realistic)]
    vectors: Vectors,
    /// Realistic vectors: the most each profile moves towards each of two neighbouring ones.
    #[arg(long, default_value_t = 1.0)]
    spread: f64,
    /// Realistic vectors: the norm of each profile's random direction.
    #[arg(long, default_value_t = 0.75)]
    noise: f64,
    /// Realistic vectors: profiles of a second, small tenant, inside `--profiles` (0: none).
    #[arg(long, default_value_t = 1000)]
    small_tenant: i64,
    /// After the rest, build and measure each kind of vector index on the same rows (raw SQL).
    /// Run last: the service's own index is dropped meanwhile (and restored).
    #[arg(long, value_enum)]
    compare_indexes: Option<indexes::Compare>,
    /// `maintenance_work_mem` for index builds (an HNSW build is slow once its graph outgrows it).
    #[arg(long, default_value = "4GB")]
    build_memory: String,
    /// Only the narrow searches (filters and the small tenant), with where their time goes: a
    /// quick loop while working on them.
    #[arg(long)]
    narrow_only: bool,
    /// Only the semantic recall: a quick loop while working on the window and the index.
    #[arg(long, conflicts_with = "narrow_only")]
    recall_only: bool,
    #[arg(long, env = "VITAE_MODEL_DIR", default_value = ".local/models/all-MiniLM-L6-v2")]
    model_dir: std::path::PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Vectors {
    Realistic,
    Degenerate,
}

const ROLES: &[&str] = &[
    "backend engineer building payment APIs",
    "frontend developer working in React",
    "site reliability engineer on call",
    "data engineer building Spark pipelines",
    "machine learning engineer training models",
    "mobile developer shipping iOS apps",
    "security engineer doing penetration tests",
    "database administrator tuning PostgreSQL",
    "cloud architect designing on AWS",
    "product manager for a B2B platform",
    "UX designer running user research",
    "technical writer for developer docs",
    "cardiologist treating heart disease",
    "general practitioner in a family clinic",
    "emergency nurse in a trauma unit",
    "physiotherapist for sports injuries",
    "pharmacist in a hospital",
    "dentist running a private practice",
    "corporate lawyer for mergers and acquisitions",
    "employment lawyer",
    "tax accountant for small businesses",
    "financial analyst building valuation models",
    "auditor at a big four firm",
    "investment banker in capital markets",
    "primary school teacher",
    "university lecturer in physics",
    "pastry chef making croissants",
    "head chef of a restaurant",
    "sommelier in fine dining",
    "civil engineer designing bridges",
    "electrician on building sites",
    "architect of housing projects",
    "supply chain manager",
    "warehouse operations lead",
    "truck driver on long haul routes",
    "pilot flying commercial jets",
    "journalist covering politics",
    "marketing manager for consumer brands",
    "sales executive for enterprise software",
    "recruiter hiring engineers",
];
const SKILLS: &[&str] = &[
    "Rust",
    "Go",
    "Java",
    "Python",
    "TypeScript",
    "React",
    "Kubernetes",
    "Terraform",
    "PostgreSQL",
    "Kafka",
    "Spark",
    "Airflow",
    "PyTorch",
    "Swift",
    "Kotlin",
    "penetration testing",
    "AWS",
    "SQL tuning",
    "roadmapping",
    "user interviews",
    "Figma",
    "API documentation",
    "echocardiography",
    "patient care",
    "triage",
    "rehabilitation",
    "pharmacology",
    "orthodontics",
    "due diligence",
    "contract negotiation",
    "employment law",
    "tax returns",
    "bookkeeping",
    "financial modelling",
    "Excel",
    "audit",
    "IPOs",
    "lesson planning",
    "quantum mechanics",
    "lamination",
    "menu design",
    "wine pairing",
    "structural analysis",
    "wiring",
    "AutoCAD",
    "logistics",
    "inventory",
    "HGV licence",
    "flight safety",
    "reporting",
    "SEO",
    "brand strategy",
    "negotiation",
    "sourcing",
    "interviewing",
    "incident response",
    "observability",
    "GraphQL",
    "Docker",
    "Linux",
];
const CITIES: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Munich", "DE"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Paris", "FR"),
    ("Lyon", "FR"),
    ("Madrid", "ES"),
    ("Lisbon", "PT"),
    ("Amsterdam", "NL"),
    ("Warsaw", "PL"),
    ("Stockholm", "SE"),
    ("New York", "US"),
    ("Chicago", "US"),
    ("Austin", "US"),
    ("Toronto", "CA"),
    ("Mexico City", "MX"),
    ("Sao Paulo", "BR"),
    ("Lagos", "NG"),
    ("Nairobi", "KE"),
    ("Bangalore", "IN"),
    ("Singapore", "SG"),
    ("Tokyo", "JP"),
    ("Sydney", "AU"),
];
/// Paraphrases (semantic), words (keyword-friendly) and rare codes.
const QUERIES: &[&str] = &[
    "someone who keeps servers running at night",
    "heart doctor",
    "person who bakes pastries",
    "lawyer for company takeovers",
    "engineer who builds data pipelines",
    "designer who talks to users",
    "expert in finding security holes",
    "flies airplanes",
    "teaches children",
    "writes news articles",
    "backend engineer",
    "React developer",
    "PostgreSQL",
    "Kubernetes Terraform",
    "tax accountant",
    "nurse",
    "Spark Airflow",
    "iOS Swift",
    "machine learning PyTorch",
    "sales enterprise software",
    "CERT-1042",
    "CERT-2718",
    "CERT-3141",
    "CERT-4999",
    "senior data engineer in Berlin",
    "lawyer",
    "engineer",
    "chef",
    "manager",
    "developer",
];

pub async fn run(args: Args) -> anyhow::Result<()> {
    // One database per generator and size, so `--reuse` never mixes them.
    let name = match args.vectors {
        Vectors::Realistic => format!("vitae_bench_search_real_{}", args.profiles),
        Vectors::Degenerate => format!("vitae_bench_search_{}", args.profiles),
    };
    let server = BenchServer::start_or_reuse(
        &name,
        args.reuse,
        &[
            ("VITAE_ANN_AUTO", "false".into()),
            ("VITAE_ANN_INDEX", args.index.clone()),
            ("VITAE_ANN_STORAGE", args.storage.clone()),
            ("VITAE_ANN_BUILD_MEMORY", args.build_memory.clone()),
        ],
    )
    .await?;
    let embedder = LocalEmbedder::load(&args.model_dir, 0, 32)?;
    let mut su = PgConnection::connect(&server.superuser_url).await?;
    let tenant: Uuid = sqlx::query_scalar("select id from vitae.tenants where name = 'bench'").fetch_one(&mut su).await?;
    let small = match args.vectors {
        Vectors::Realistic if args.small_tenant > 0 => Some(server.tenant("bench-small").await?),
        _ => None,
    };
    let existing: i64 = sqlx::query_scalar("select count(*) from vitae.document_embeddings").fetch_one(&mut su).await?;
    let mut tenants = vec![(tenant, args.profiles - small.as_ref().map_or(0, |_| args.small_tenant))];
    tenants.extend(small.as_ref().map(|(id, _)| (*id, args.small_tenant)));
    let shape = population::Shape { spread: args.spread, noise: args.noise };
    if existing != args.profiles {
        let started = Instant::now();
        match args.vectors {
            Vectors::Realistic => population::load(&mut su, &embedder, &tenants, shape).await?,
            Vectors::Degenerate => load(&mut su, &embedder, tenant, args.profiles).await?,
        }
        println!("loaded {} profiles in {:.1}s", args.profiles, started.elapsed().as_secs_f64());
        let started = Instant::now();
        let out = server.cli(&["reindex", "--kind", &args.index])?;
        println!("{out} (wall {:.1}s)", started.elapsed().as_secs_f64());
    } else {
        println!("reusing {existing} profiles");
        let passages: bool = sqlx::query_scalar("select exists (select from vitae.document_passages)").fetch_one(&mut su).await?;
        if !passages && args.vectors == Vectors::Realistic {
            let started = Instant::now();
            population::add_passages(&mut su, &embedder, &tenants).await?;
            println!("gave the reused profiles passages in {:.1}s", started.elapsed().as_secs_f64());
        }
    }
    let http = reqwest::Client::new();
    let mut index: Value =
        http.get(format!("{}/v1/admin/search-index", server.base_url)).bearer_auth(&server.key).send().await?.json().await?;
    if index["kind"] != args.index.as_str() || index["storage"] != args.storage.as_str() {
        let started = Instant::now();
        let out = server.cli(&["reindex", "--kind", &args.index])?;
        println!("{out} (wall {:.1}s)", started.elapsed().as_secs_f64());
        index =
            http.get(format!("{}/v1/admin/search-index", server.base_url)).bearer_auth(&server.key).send().await?.json().await?;
    }
    let order = floor_order(&args.storage);
    println!("index: {index}");
    let passages_indexed = index["passages"] == true;
    let probes = index["probes"].as_i64().unwrap_or(10);
    let setting = if args.index == "hnsw" { "hnsw.ef_search" } else { "ivfflat.probes" };

    let vectors: Vec<Vector> =
        embedder.embed(QUERIES.iter().map(|q| (*q).to_owned()).collect()).await?.into_iter().map(Vector::from).collect();
    let floor_pool = PgPoolOptions::new()
        .max_connections(8)
        .after_connect(move |conn, _| {
            let statement = format!("set {setting} = {probes}; set ivfflat.iterative_scan = relaxed_order");
            Box::pin(async move {
                conn.execute(sqlx::AssertSqlSafe(statement)).await?;
                Ok(())
            })
        })
        .connect(&server.superuser_url)
        .await?;

    let (database, embeddings, index, options, passage_index): (String, String, Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(
            "select pg_size_pretty(pg_database_size(current_database())), \
           pg_size_pretty(pg_total_relation_size('vitae.document_embeddings')), \
           (select pg_size_pretty(sum(pg_relation_size(format('vitae.%I', indexname)::regclass))) from pg_indexes \
            where schemaname = 'vitae' and indexname like 'document\\_embeddings\\_ann\\_%'), \
           (select array_to_string(c.reloptions, ', ') from vitae.ann_index_state s \
            join pg_class c on c.relname = s.index_name), \
           (select pg_size_pretty(pg_relation_size(to_regclass(format('vitae.%I', s.passage_index_name)))) \
            from vitae.ann_index_state s where s.passage_index_name is not null)",
        )
        .fetch_one(&floor_pool)
        .await?;
    println!("vectors: {:?}", args.vectors);
    population::print_statistics(&floor_pool, tenant, 30).await?;
    if let Some((small, _)) = &small {
        print!("small tenant's ");
        population::print_statistics(&floor_pool, *small, 30).await?;
    }
    println!(
        "sizes: database {database}, embeddings table {embeddings} (indexes included), vector index {} ({}), passages' {}",
        index.as_deref().unwrap_or("none"),
        options.as_deref().unwrap_or("no options"),
        passage_index.as_deref().unwrap_or("none")
    );
    prewarm(&mut su).await?;

    if !args.narrow_only {
        print_recall(&http, &server, &floor_pool, tenant, &vectors, &order, (setting, probes, passages_indexed)).await?;
    }
    if args.recall_only {
        return Ok(());
    }
    let scopes = (tenant, small.as_ref());
    narrow_searches(&http, &server, &floor_pool, scopes, &vectors, (args.small_tenant, passages_indexed)).await?;
    if args.narrow_only {
        return Ok(());
    }
    // Latency and throughput per mode and client count: service through HTTP, then raw SQL.
    println!(
        "\nmode      clients | service p50  p95 ms   q/s  (took p50) | SQL p50  p95 ms   q/s | p50 ratio  q/s ratio | default p50  p95 ms  vs plain"
    );
    let http = Arc::new(http);
    let server = Arc::new(server);
    let work: Arc<Vec<(String, Vector)>> = Arc::new(QUERIES.iter().map(|q| (*q).to_owned()).zip(vectors).collect());
    for mode in ["semantic", "keyword", "hybrid"] {
        for &clients in &args.clients {
            let duration = Duration::from_secs_f64(args.seconds);
            let service = drive(clients, duration, work.clone(), {
                let (http, server) = (http.clone(), server.clone());
                move |(q, _)| {
                    let (http, server) = (http.clone(), server.clone());
                    async move {
                        let page = search(
                            &http,
                            &server.base_url,
                            &server.key,
                            json!({"q": q, "mode": mode, "limit": 10, "facets": false, "highlight": false}),
                        )
                        .await?;
                        Ok(page["took_ms"].as_f64().unwrap_or(0.0))
                    }
                }
            })
            .await?;
            // The request as the API serves it by default: facets and highlights on.
            let default = drive(clients, duration, work.clone(), {
                let (http, server) = (http.clone(), server.clone());
                move |(q, _)| {
                    let (http, server) = (http.clone(), server.clone());
                    async move {
                        let page =
                            search(&http, &server.base_url, &server.key, json!({"q": q, "mode": mode, "limit": 10})).await?;
                        Ok(page["took_ms"].as_f64().unwrap_or(0.0))
                    }
                }
            })
            .await?;
            let sql = drive(clients, duration, work.clone(), {
                let (pool, order) = (floor_pool.clone(), order.clone());
                move |(q, v)| {
                    let (pool, order) = (pool.clone(), order.clone());
                    async move {
                        let started = Instant::now();
                        match mode {
                            "semantic" => drop(semantic_sql(&pool, &order, tenant, &v, 10).await?),
                            "keyword" => drop(keyword_sql(&pool, tenant, &q).await?),
                            _ => drop(hybrid_sql(&pool, &order, tenant, &q, &v).await?),
                        }
                        Ok(started.elapsed().as_secs_f64() * 1000.0)
                    }
                }
            })
            .await?;
            println!(
                "{mode:<9} {clients:>7} | {:>11.1} {:>5.1} {:>6.0}  ({:>6.1}) | {:>7.1} {:>5.1} {:>6.0} | {:>9.2} {:>10.2} | {:>11.1} {:>6.1} {:>9.2}",
                service.p50,
                service.p95,
                service.qps,
                service.inner_p50,
                sql.p50,
                sql.p95,
                sql.qps,
                service.p50 / sql.p50.max(1e-9),
                service.qps / sql.qps.max(1e-9),
                default.p50,
                default.p95,
                default.p50 / service.p50.max(1e-9)
            );
        }
    }
    // Where the service's time goes: each stage's median over the queries, at 1 client.
    println!("\nstages, p50 ms (1 client):");
    for mode in ["semantic", "keyword", "hybrid"] {
        for (label, plain) in [("plain", true), ("default", false)] {
            let mut stages = Stages::default();
            for (q, _) in work.iter() {
                let mut body = json!({"q": q, "mode": mode, "limit": 10});
                if plain {
                    body["facets"] = json!(false);
                    body["highlight"] = json!(false);
                }
                stages.add(&search(&http, &server.base_url, &server.key, body).await?);
            }
            println!("  {mode:<9} {label:<8} {}", stages.medians());
        }
    }
    println!(
        "\nservice: HTTP with cached query embeddings, limit 10, no facets or highlights (default: the same with the\n\
         API's defaults, facets and highlights on); (took p50) is the server's own\n\
         took_ms. SQL: each leg's query run directly as the superuser ({setting} {probes}); hybrid = a naive RRF of\n\
         both legs' top 200 in one statement (the keyword leg ranking every match)."
    );
    match_jobs(&http, &server, &embedder, &floor_pool, tenant, &args).await?;
    floor_pool.close().await;
    if let Some(compare) = args.compare_indexes {
        let queries: Vec<Vector> = work.iter().map(|(_, v)| v.clone()).collect();
        indexes::compare(&mut su, tenant, &queries, compare, &args.build_memory).await?;
    }
    Ok(())
}

/// Recall@10 of the semantic leg (service and raw SQL) against exact search, by distance.
async fn print_recall(
    http: &reqwest::Client,
    server: &BenchServer,
    floor_pool: &PgPool,
    tenant: Uuid,
    vectors: &[Vector],
    order: &str,
    // The index as searched: its search setting, and whether the passages are indexed.
    (setting, probes, passages_indexed): (&str, i64, bool),
) -> anyhow::Result<()> {
    let mut service_recall = Recall::default();
    let mut sql_recall = Recall::default();
    let mut aspect_recall = Recall::default();
    for (q, v) in QUERIES.iter().zip(vectors) {
        let page = search(
            http,
            &server.base_url,
            &server.key,
            json!({"q": q, "mode": "semantic", "limit": 10, "facets": false, "highlight": false, "explain": true}),
        )
        .await?;
        let exact = exact_top(floor_pool, tenant, v, None, own_ranking(&page, passages_indexed)).await?;
        let every_aspect = exact_top(floor_pool, tenant, v, None, Reference::EveryAspect).await?;
        let exact_documents = exact_top(floor_pool, tenant, v, None, Reference::Documents).await?;
        let found = distances_of(floor_pool, tenant, v, &profile_ids(&page), Distance::NearestAspect).await?;
        service_recall.add_query(q, &exact, &found);
        aspect_recall.add(&every_aspect, &found);
        let raw = semantic_sql(floor_pool, order, tenant, v, 10).await?;
        sql_recall.add(&exact_documents, &distances_of(floor_pool, tenant, v, &raw, Distance::Document).await?);
    }
    println!(
        "\nrecall@10 vs exact, within the relevance cutoff, ties by distance counted as hits ({} real query texts): \
         service semantic {:.3} (against its own ranking over exact indexes: the {WINDOW} nearest documents{}, each at its \
         nearest aspect, document or passage), raw SQL ({setting} {probes}) {:.3} (against the nearest documents)\n\
         the service's semantic top 10 against every document by its nearest aspect, every passage searched: {:.3}\n\
         the service's misses against its own ranking: {}",
        QUERIES.len(),
        service_recall.value(),
        if passages_indexed { format!(" and those of the {PASSAGES_WALKED} nearest passages") } else { String::new() },
        sql_recall.value(),
        aspect_recall.value(),
        service_recall.misses()
    );
    Ok(())
}

/// Narrow searches: filters at 10% and 1%, and a small tenant in the shared index. Pages full,
/// recall, latency and where the time goes; the service picks its path (index or exact) itself.
async fn narrow_searches(
    http: &reqwest::Client,
    server: &BenchServer,
    floor_pool: &PgPool,
    (tenant, small): (Uuid, Option<&(Uuid, String)>),
    vectors: &[Vector],
    (small_size, passages_indexed): (i64, bool),
) -> anyhow::Result<()> {
    println!(
        "\nnarrow searches (1 client; recall and fullness within the relevance cutoff)  mode      pages full  recall@10  p50 ms  p95 ms"
    );
    let mut scopes: Vec<(String, Uuid, &str, Option<&str>)> = vec![
        ("tags=sel10".into(), tenant, server.key.as_str(), Some("sel10")),
        ("tags=sel1".into(), tenant, server.key.as_str(), Some("sel1")),
    ];
    if let Some((small, key)) = &small {
        scopes.push((format!("tenant of {small_size}"), *small, key.as_str(), None));
    }
    for (label, scope_tenant, key, tag) in &scopes {
        // Once untimed first, so the first mode measured does not pay for reading the scope's
        // pages into memory; the path each search takes says what it is checked against.
        let mut references = Vec::with_capacity(QUERIES.len());
        for q in QUERIES {
            let mut body = narrow_body(q, "hybrid", *tag);
            body["explain"] = json!(true);
            references.push(own_ranking(&search(http, &server.base_url, key, body).await?, passages_indexed));
        }
        // The exact answers first: ranking a selection exactly between two timed requests
        // would measure each request right after a scan of up to 100,000 vectors, which no
        // search of the service's own leaves behind (it doubled the 1% filter's p50).
        let mut exact_tops = Vec::with_capacity(vectors.len());
        for (v, reference) in vectors.iter().zip(references) {
            exact_tops.push(exact_top(floor_pool, *scope_tenant, v, *tag, reference).await?);
        }
        // Untimed rounds of both modes: each pooled connection maps the shared buffers it
        // touches for itself, and a filtered walk touches rows all over them, so connections
        // fresh from the pool measured the 10% tag at 1M at 39.0 ms, against 26.5 with a pool
        // of three. A running service's connections are warm.
        for _ in 0..WARM_ROUNDS {
            for mode in ["semantic", "hybrid"] {
                for q in QUERIES {
                    search(http, &server.base_url, key, narrow_body(q, mode, *tag)).await?;
                }
            }
        }
        for mode in ["semantic", "hybrid"] {
            let mut full = 0;
            let mut latencies = Vec::new();
            let mut pages = Vec::with_capacity(QUERIES.len());
            let mut stages = Stages::default();
            for q in QUERIES {
                let started = Instant::now();
                let page = search(http, &server.base_url, key, narrow_body(q, mode, *tag)).await?;
                latencies.push(started.elapsed());
                stages.add(&page);
                pages.push(profile_ids(&page));
            }
            let mut recall = Recall::default();
            let mut short = Vec::new();
            for (((got, exact), v), q) in pages.iter().zip(&exact_tops).zip(vectors).zip(QUERIES) {
                // Full: as many hits as the exact search has above the cutoff (10 at most).
                full += usize::from(got.len() >= exact.len());
                if got.len() < exact.len() {
                    short.push(format!("{q:?} {} of {}", got.len(), exact.len()));
                }
                if mode == "semantic" {
                    recall.add_query(q, exact, &distances_of(floor_pool, *scope_tenant, v, got, Distance::NearestAspect).await?);
                }
            }
            let s = summarise(latencies);
            let misses = (mode == "semantic").then(|| recall.misses());
            let recall = if mode == "semantic" { format!("{:.3}", recall.value()) } else { "  -  ".into() };
            println!(
                "  {label:<18}                                                    {mode:<9} {full:>3}/{:<3}     {recall}   {:>6.1}  {:>6.1}",
                QUERIES.len(),
                ms(s.p50),
                ms(s.p95)
            );
            println!("  {:<18}  {}", "", stages.medians());
            if !short.is_empty() {
                println!("  {:<18}  short pages: {}", "", short.join(", "));
            }
            if let Some(misses) = misses {
                println!("  {:<18}  recall misses: {misses}", "");
            }
        }
    }

    Ok(())
}

/// Untimed rounds of every narrow search before the timed one.
const WARM_ROUNDS: usize = 3;

/// A narrow search's request: plain (no facets or highlights), the scope's tag when it has one.
fn narrow_body(q: &str, mode: &str, tag: Option<&str>) -> Value {
    let mut body = json!({"q": q, "mode": mode, "limit": 10, "facets": false, "highlight": false});
    if let Some(tag) = tag {
        body["filters"] = json!({"tags": [tag]});
    }
    body
}

/// Each stage's timings (`timings.<stage>_ms`) over a run of searches.
#[derive(Default)]
struct Stages {
    took: Vec<f64>,
    by_stage: [Vec<f64>; 6],
}

impl Stages {
    const NAMES: [&str; 6] = ["embed", "semantic", "keyword", "fuse", "facets", "hits"];

    fn add(&mut self, page: &Value) {
        self.took.push(page["took_ms"].as_f64().unwrap_or(0.0));
        for (name, values) in Self::NAMES.iter().zip(self.by_stage.iter_mut()) {
            values.push(page["timings"][format!("{name}_ms")].as_f64().unwrap_or(0.0));
        }
    }

    /// "took 10.8 | embed 0.0, semantic 10.1, ...": each median.
    fn medians(&mut self) -> String {
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let parts: Vec<String> =
            Self::NAMES.iter().zip(self.by_stage.iter_mut()).map(|(name, v)| format!("{name} {:.1}", median(v))).collect();
        format!("took {:>5.1} | {}", median(&mut self.took), parts.join(", "))
    }
}

/// A job description of about 3,000 characters: a title, the company at length, the work, the
/// skills asked for, benefits.
fn job_description(i: usize) -> String {
    let title = QUERIES[i % QUERIES.len()];
    let blurb = "We are a fast-growing team on a mission to change how our industry works. Founded a decade ago, we \
        now serve customers in more than thirty countries. Our people are our greatest asset, and we invest in them every \
        day. We believe in doing the right thing, working together and having fun along the way.";
    let mut job = format!("{title}\n\nAbout us\n{blurb} {blurb}\n\nThe role\n");
    for q in QUERIES.iter().skip(i).take(12) {
        job.push_str(&format!("- Work with the {q} on our customers' hardest problems, from the first idea to production\n"));
    }
    job.push_str(&format!("\nRequirements\n- {}+ years of experience\n", 3 + i % 5));
    for skill in SKILLS.iter().skip(i).take(5) {
        job.push_str(&format!("- Solid {skill} in production\n"));
    }
    job.push_str("\nNice to have\n");
    for skill in SKILLS.iter().skip(i + 5).take(2) {
        job.push_str(&format!("- {skill}\n"));
    }
    job.push_str(&format!(
        "\nWhat we offer\n- Thirty days of paid holiday\n- A learning budget\n- Flexible hours\n\n{blurb} {blurb}\n"
    ));
    job
}

/// `POST /v1/match` with a 3,000-character job at 1 client, against its SQL floor: the nearest
/// profiles to each scored passage, one statement per passage (the passages embedded beforehand).
async fn match_jobs(
    http: &reqwest::Client,
    server: &BenchServer,
    embedder: &LocalEmbedder,
    floor_pool: &PgPool,
    tenant: Uuid,
    args: &Args,
) -> anyhow::Result<()> {
    let jobs: Vec<String> = (0..8).map(job_description).collect();
    let mut work = Vec::new();
    // The first time each job is sent: the model embeds its passages.
    let mut cold = Vec::new();
    let mut cold_embed = Vec::new();
    let mut cold_read = Vec::new();
    for job in &jobs {
        let t = Instant::now();
        let response =
            http.post(format!("{}/v1/match", server.base_url)).bearer_auth(&server.key).json(&json!({"job": job})).send().await?;
        let status = response.status();
        let body: Value = response.json().await?;
        cold.push(t.elapsed());
        cold_embed.push(body["timings"]["embed_ms"].as_f64().unwrap_or(0.0));
        cold_read.push(body["timings"]["read_ms"].as_f64().unwrap_or(0.0));
        anyhow::ensure!(status.is_success(), "match answered {status}: {body}");
        let passages: Vec<String> = body["understood"]["passages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["weight"].as_f64().unwrap_or(0.0) > 0.0)
            .filter_map(|p| p["text"].as_str().map(str::to_owned))
            .collect();
        let vectors: Vec<Vector> = embedder.embed(passages).await?.into_iter().map(Vector::from).collect();
        work.push((job.clone(), vectors));
    }
    let work = Arc::new(work);
    let duration = Duration::from_secs_f64(args.seconds);
    let mut service = Vec::new();
    let mut took = Vec::new();
    let mut floor = Vec::new();
    let mut stages: Vec<(&str, Vec<f64>)> =
        ["embed", "read", "candidates", "evidence", "facets", "hits"].into_iter().map(|s| (s, Vec::new())).collect();
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < duration || i < work.len() {
        let (job, vectors) = &work[i % work.len()];
        i += 1;
        let t = Instant::now();
        let response =
            http.post(format!("{}/v1/match", server.base_url)).bearer_auth(&server.key).json(&json!({"job": job})).send().await?;
        let body: Value = response.json().await?;
        service.push(t.elapsed());
        took.push(body["took_ms"].as_f64().unwrap_or(0.0));
        for (stage, ms) in stages.iter_mut() {
            ms.push(body["timings"][format!("{stage}_ms")].as_f64().unwrap_or(0.0));
        }
        let t = Instant::now();
        for v in vectors {
            semantic_sql(floor_pool, &floor_order(&args.storage), tenant, v, 10).await?;
        }
        floor.push(t.elapsed());
    }
    let (service, floor) = (summarise(service), summarise(floor));
    took.sort_by(f64::total_cmp);
    let scored = work.iter().map(|(_, v)| v.len()).sum::<usize>() as f64 / work.len() as f64;
    println!(
        "\nmatch (a {}-character job, {scored:.1} scored passages, 1 client): service p50 {:.1} p95 {:.1} ms (took p50 {:.1}) | \
         SQL floor (nearest 10 per passage) p50 {:.1} p95 {:.1} ms | p50 ratio {:.2}",
        jobs[0].chars().count(),
        ms(service.p50),
        ms(service.p95),
        took[took.len() / 2],
        ms(floor.p50),
        ms(floor.p95),
        ms(service.p50) / ms(floor.p50).max(1e-9)
    );
    let medians: Vec<String> = stages
        .iter_mut()
        .map(|(stage, ms)| {
            ms.sort_by(f64::total_cmp);
            format!("{stage} {:.1}", ms[ms.len() / 2])
        })
        .collect();
    println!("match stages, p50 ms: {}", medians.join(", "));
    cold_embed.sort_by(f64::total_cmp);
    // The tenant's first match reads its vocabulary; later ones find it remembered (and read
    // again in the background once it is older than VITAE_SEARCH_MEMORY_TTL).
    let (first_ms, first_read) = (ms(cold[0]), cold_read[0]);
    let cold = summarise(cold.split_off(1));
    println!(
        "match, first time each job is sent: the tenant's first {first_ms:.1} ms, of which reading its vocabulary \
         {first_read:.1} ms; the {} others p50 {:.1} p95 {:.1} ms, of which the model {:.1} ms (p50 of all)",
        jobs.len() - 1,
        ms(cold.p50),
        ms(cold.p95),
        cold_embed[cold_embed.len() / 2]
    );
    println!(
        "match: the timed requests repeat the jobs, so their passages come from the query cache (as when a job is \
         paged or a term pinned), like the floor's, embedded beforehand; the vocabulary is remembered."
    );
    Ok(())
}

async fn search(http: &reqwest::Client, base_url: &str, key: &str, body: Value) -> anyhow::Result<Value> {
    let response = http.post(format!("{base_url}/v1/search")).bearer_auth(key).json(&body).send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    anyhow::ensure!(status.is_success(), "search answered {status}: {body}");
    Ok(body)
}

/// The cosine distances to `v` of the profiles' default documents.
/// How a document's distance to a query is measured: its own vector's (what the index and the
/// floor rank by), or the nearer of it and its nearest passage's (what the service ranks by,
/// `VITAE_SEARCH_PASSAGE_WEIGHT` 1).
#[derive(Clone, Copy)]
enum Distance {
    Document,
    NearestAspect,
}

impl Distance {
    /// The distance of the embedding `e` (its document `e.document_id`) to `$1`.
    fn sql(self) -> &'static str {
        match self {
            Self::Document => "(e.embedding <=> $1)::float8",
            Self::NearestAspect => {
                "least(e.embedding <=> $1, (select min(p.embedding <=> $1) from vitae.document_passages p \
                   where p.tenant_id = e.tenant_id and p.document_id = e.document_id))::float8"
            }
        }
    }
}

async fn distances_of(pool: &PgPool, tenant: Uuid, v: &Vector, profiles: &[Uuid], by: Distance) -> anyhow::Result<Vec<f64>> {
    let statement = format!(
        "select {} from vitae.search_documents d \
         join vitae.document_embeddings e on e.tenant_id = d.tenant_id and e.document_id = d.id \
         where d.tenant_id = $2 and d.is_default and d.profile_id = any($3) order by 1",
        by.sql()
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(statement)).bind(v).bind(tenant).bind(profiles).fetch_all(pool).await?)
}

fn profile_ids(page: &Value) -> Vec<Uuid> {
    page["hits"].as_array().into_iter().flatten().filter_map(|h| h["profile_id"].as_str()?.parse().ok()).collect()
}

struct Cell {
    p50: f64,
    p95: f64,
    qps: f64,
    /// The median of what each call reported (the server's took_ms; the SQL's own time).
    inner_p50: f64,
}

/// `clients` loops over the work for `duration`, each call timed.
async fn drive<F, Fut>(clients: usize, duration: Duration, work: Arc<Vec<(String, Vector)>>, call: F) -> anyhow::Result<Cell>
where
    F: Fn((String, Vector)) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = anyhow::Result<f64>> + Send,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let (work, call) = (work.clone(), call.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut inner = Vec::new();
            let mut i = client * 7;
            while started.elapsed() < duration {
                let item = work[i % work.len()].clone();
                i += 1;
                let t = Instant::now();
                inner.push(call(item).await?);
                samples.push(t.elapsed());
            }
            anyhow::Ok((samples, inner))
        }));
    }
    let mut samples = Vec::new();
    let mut inner = Vec::new();
    for task in tasks {
        let (s, i) = task.await??;
        samples.extend(s);
        inner.extend(i);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let count = samples.len();
    let s = summarise(samples);
    inner.sort_by(f64::total_cmp);
    Ok(Cell {
        p50: ms(s.p50),
        p95: ms(s.p95),
        qps: count as f64 / elapsed,
        inner_p50: inner.get(inner.len() / 2).copied().unwrap_or(0.0),
    })
}

/// The distances of the exact top 10 the service may answer: documents at or above its
/// relevance cutoff (a search's hits stop there), so a short page below the cutoff is not
/// counted as a miss.
/// What a search is checked against, ranked exactly.
#[derive(Clone, Copy)]
enum Reference {
    /// The 10 nearest documents: what the index and the floor rank by.
    Documents,
    /// The service's own ranking with exact indexes: the window of documents nearest by their
    /// own vectors, each then at the distance of its nearest aspect (document or passage); on the
    /// index path (`passages`), with the documents of the nearest passages the service walks.
    Window { passages: bool },
    /// Every document by its nearest aspect, passages searched too (no index does this).
    EveryAspect,
}

/// What a search (asked with `explain`) is checked against: its own ranking, with the
/// passages' documents when it took the index path and the passages are indexed.
fn own_ranking(page: &Value, passages_indexed: bool) -> Reference {
    Reference::Window { passages: passages_indexed && page["plan"]["semantic"] == "ann" }
}

/// The service's default window (`VITAE_SEARCH_WINDOW`).
const WINDOW: i64 = 200;

/// A union with the documents of the `limit` passages nearest to `$1` of the tenant's (`$2`)
/// default documents (with the tag `$3`), ranked exactly.
fn passages_of(limit: i64) -> String {
    format!(
        "union (select p.document_id from vitae.document_passages p \
         join vitae.search_documents d on d.tenant_id = p.tenant_id and d.id = p.document_id \
         where p.tenant_id = $2 and d.is_default and ($3::text is null or d.tags @> array[$3]) \
         order by (p.embedding <=> $1) + 0 limit {limit})"
    )
}

/// The 10 smallest distances of the tenant's default documents (with `tag`) to `v` by
/// `reference`, within the relevance cutoff. By every aspect, the 10 best are among the 10
/// nearest documents and the documents of the 200 nearest passages.
async fn exact_top(pool: &PgPool, tenant: Uuid, v: &Vector, tag: Option<&str>, reference: Reference) -> anyhow::Result<Vec<f64>> {
    let (nearest, passages, by) = match reference {
        Reference::Documents => (10, String::new(), Distance::Document),
        Reference::Window { passages: false } => (WINDOW, String::new(), Distance::NearestAspect),
        Reference::Window { passages: true } => (WINDOW, passages_of(PASSAGES_WALKED), Distance::NearestAspect),
        Reference::EveryAspect => (10, passages_of(200), Distance::NearestAspect),
    };
    let statement = format!(
        "with nearest as (select e.document_id from vitae.document_embeddings e \
           join vitae.search_documents d on d.id = e.document_id \
           where e.tenant_id = $2 and e.is_default and ($3::text is null or d.tags @> array[$3]) \
           order by (e.embedding <=> $1) + 0, e.document_id limit {nearest}), \
         candidates as (select document_id from nearest {passages}) \
         select t.distance from (select {} as distance from vitae.document_embeddings e \
           where e.tenant_id = $2 and e.document_id in (select document_id from candidates)) t \
         where 1 - t.distance >= $4 order by t.distance limit 10",
        by.sql()
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(statement))
        .bind(v)
        .bind(tenant)
        .bind(tag)
        .bind(MIN_SIMILARITY)
        .fetch_all(pool)
        .await?)
}

/// Reads the tables and indexes searches use into shared buffers (`pg_prewarm`), so that the
/// figures do not depend on what loading or an earlier run left in memory: narrow searches read
/// rows all over the table, and this machine's page cache kept none of a fresh load (a filtered
/// search then read the disk). When they do not all fit, the passages' rows (6.3 GB at a million
/// profiles; a search reads the window's) go into the OS cache only, which this machine empties
/// of pages untouched for a minute: searches then read them from the disk. Prints what fits.
async fn prewarm(su: &mut PgConnection) -> anyhow::Result<()> {
    su.execute("create extension if not exists pg_prewarm").await?;
    let started = Instant::now();
    let searched = "from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where c.relkind in ('r', 'i', 't') \
           and ((n.nspname = 'vitae' and (c.relname like 'document\\_embeddings%' \
                 or c.relname like 'search\\_documents%' or c.relname like 'keyword\\_%' \
                 or c.relname like 'document\\_passages%')) \
                or c.oid = (select reltoastrelid from pg_class where oid = 'vitae.search_documents'::regclass))";
    let fits: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select sum(pg_relation_size(c.oid)) < 0.9 * pg_size_bytes(current_setting('shared_buffers')) {searched}"
    )))
    .fetch_one(&mut *su)
    .await?;
    let passage_rows = if fits { "'buffer'" } else { "'read'" };
    let (blocks, buffers, huge_pages): (i64, String, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select coalesce(sum(pg_prewarm(c.oid, case when c.relname like 'document\\_passages%' \
           and c.relname not like 'document\\_passages\\_ann\\_%' then {passage_rows} else 'buffer' end)), 0)::int8, \
           current_setting('shared_buffers'), current_setting('huge_pages_status') {searched}"
    )))
    .fetch_one(&mut *su)
    .await?;
    println!(
        // Huge pages matter at this size: with 4 kB pages, ranking a 1% tag's 10,000 rows out of a
        // full 8 GB of buffers took 22-24 ms in SQL; with huge pages, 12.
        "prewarmed {} MB of tables and indexes in {:.1}s (shared_buffers {buffers}, huge pages {huge_pages}; {})",
        blocks * 8 / 1024,
        started.elapsed().as_secs_f64(),
        if fits { "all in shared buffers" } else { "the passages' rows into the OS cache only" }
    );
    Ok(())
}

/// The service's default relevance cutoff (`VITAE_SEARCH_MIN_SIMILARITY`).
const MIN_SIMILARITY: f64 = 0.3;

/// The floor's order by the query vector `$1`, as the index over `storage` serves it.
fn floor_order(storage: &str) -> String {
    let storage = VectorStorage::parse(storage).unwrap_or(VectorStorage::Halfvec);
    vitae_repository::ann::distance_order(storage, "embedding", "$1")
}

async fn semantic_sql(pool: &PgPool, order: &str, tenant: Uuid, v: &Vector, limit: i64) -> anyhow::Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select d.profile_id from (select document_id from vitae.document_embeddings where tenant_id = $2 and is_default \
           order by {order} limit $3) n join vitae.search_documents d on d.tenant_id = $2 and d.id = n.document_id"
    )))
    .bind(v)
    .bind(tenant)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

async fn keyword_sql(pool: &PgPool, tenant: Uuid, q: &str) -> anyhow::Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "select profile_id from vitae.search_documents, websearch_to_tsquery('english', $1) query \
         where tenant_id = $2 and is_default and tsv @@ query \
         order by ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', tsv, query, 32) desc, id limit 10",
    )
    .bind(q)
    .bind(tenant)
    .fetch_all(pool)
    .await?)
}

async fn hybrid_sql(pool: &PgPool, order: &str, tenant: Uuid, q: &str, v: &Vector) -> anyhow::Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "with s as (select document_id as id, row_number() over () as r from \
             (select document_id from vitae.document_embeddings where tenant_id = $3 and is_default \
              order by {order} limit 200) x), \
         k as (select id, row_number() over () as r from \
             (select id from vitae.search_documents, websearch_to_tsquery('english', $2) query \
              where tenant_id = $3 and is_default and tsv @@ query \
              order by ts_rank_cd('{{0.1, 0.2, 0.4, 1.0}}', tsv, query, 32) desc limit 200) y) \
         select coalesce(s.id, k.id) from s full join k on s.id = k.id \
         order by coalesce(1.0 / (60 + s.r), 0) + coalesce(1.0 / (60 + k.r), 0) desc limit 10"
    )))
    .bind(v)
    .bind(q)
    .bind(tenant)
    .fetch_all(pool)
    .await?)
}

/// Writes `n` synthetic profiles, each with its default mask, search document and embedding,
/// as the superuser in set-based statements (the phrases are embedded by the real model here).
async fn load(su: &mut PgConnection, embedder: &LocalEmbedder, tenant: Uuid, n: i64) -> anyhow::Result<()> {
    su.execute("delete from vitae.profiles").await?;
    let mut phrases: Vec<(String, i32, String, Option<String>)> = Vec::new();
    phrases.extend(ROLES.iter().enumerate().map(|(i, r)| ("role".to_owned(), i as i32, (*r).to_owned(), None)));
    phrases.extend(SKILLS.iter().enumerate().map(|(i, s)| ("skill".to_owned(), i as i32, (*s).to_owned(), None)));
    phrases.extend(
        CITIES.iter().enumerate().map(|(i, (c, cc))| ("city".to_owned(), i as i32, (*c).to_owned(), Some((*cc).to_owned()))),
    );
    let vectors = embedder.embed(phrases.iter().map(|p| p.2.clone()).collect()).await?;
    su.execute("create temp table if not exists phrases (kind text, i int, text text, extra text, embedding vector(384)); truncate phrases")
        .await?;
    for (p, v) in phrases.iter().zip(vectors) {
        sqlx::query("insert into phrases values ($1, $2, $3, $4, $5)")
            .bind(&p.0)
            .bind(p.1)
            .bind(&p.2)
            .bind(&p.3)
            .bind(Vector::from(v))
            .execute(&mut *su)
            .await?;
    }
    let (roles, skills, cities) = (ROLES.len() as i64, SKILLS.len() as i64, CITIES.len() as i64);
    // Each profile: a role, three skills near the role's (so clusters form), a city.
    sqlx::query(
        "create temp table synth as \
         select g, md5('p' || g)::uuid as id, md5('m' || g)::uuid as mask_id, md5('d' || g)::uuid as doc_id, \
           (hashint8(g) & 2147483647) % $1 as role, \
           ((hashint8(g) & 2147483647) % $1 * 3 / 2 + (hashint8(g * 3) & 7)) % $2 as s1, \
           ((hashint8(g) & 2147483647) % $1 * 3 / 2 + (hashint8(g * 5) & 7)) % $2 as s2, \
           (hashint8(g * 7) & 2147483647) % $2 as s3, \
           (hashint8(g * 11) & 2147483647) % $3 as city \
         from generate_series(1, $4) g",
    )
    .bind(roles)
    .bind(skills)
    .bind(cities)
    .bind(n)
    .execute(&mut *su)
    .await?;
    su.execute("analyze synth").await?;
    let statements = [
        "insert into vitae.profiles (tenant_id, id, slug, external_id, display_name, headline, summary, location, country, tags, availability) \
         select $1, s.id, 'p-' || s.g, 'synth-' || s.g, 'Person ' || s.g, r.text, \
           'Holds CERT-' || (s.g % 5000) || '. Works with ' || k1.text || ' and ' || k2.text || '.', c.text, c.extra, \
           array_remove(array[case when s.g % 10 = 0 then 'sel10' end, case when s.g % 100 = 0 then 'sel1' end], null), \
           (array['open', 'not_looking', 'open_to_contract'])[1 + s.g % 3] \
         from synth s join phrases r on r.kind = 'role' and r.i = s.role join phrases k1 on k1.kind = 'skill' and k1.i = s.s1 \
           join phrases k2 on k2.kind = 'skill' and k2.i = s.s2 join phrases c on c.kind = 'city' and c.i = s.city",
        "insert into vitae.masks (tenant_id, id, profile_id, slug, name, is_default, config) \
         select $1, s.mask_id, s.id, 'public', 'Public', true, '{}' from synth s",
        "insert into vitae.search_documents (tenant_id, id, profile_id, mask_id, mask_slug, is_default, text_a, text_b, text_c, text_d, \
           skills, tags, country, availability, years_experience, years_counted_on, profile_updated_at, card, content_hash) \
         select $1, s.doc_id, s.id, s.mask_id, 'public', true, p.display_name || ' ' || p.headline, \
           concat_ws(' ', k1.text, k2.text, k3.text), p.location, p.summary, \
           array[lower(k1.text), lower(k2.text), lower(k3.text)], p.tags, p.country, p.availability, (s.g % 30)::real, \
           current_date, now(), \
           jsonb_build_object('slug', p.slug, 'display_name', p.display_name, 'headline', p.headline, 'location', p.location, \
             'country', p.country, 'availability', p.availability), sha256(s.g::text::bytea) \
         from synth s join vitae.profiles p on p.tenant_id = $1 and p.id = s.id \
           join phrases k1 on k1.kind = 'skill' and k1.i = s.s1 join phrases k2 on k2.kind = 'skill' and k2.i = s.s2 \
           join phrases k3 on k3.kind = 'skill' and k3.i = s.s3",
        "insert into vitae.document_embeddings (tenant_id, document_id, is_default, model_id, embedding) \
         select $1, s.doc_id, true, 'all-MiniLM-L6-v2', \
           l2_normalize(r.embedding + r.embedding + k1.embedding + k2.embedding + k3.embedding + c.embedding) \
         from synth s join phrases r on r.kind = 'role' and r.i = s.role join phrases k1 on k1.kind = 'skill' and k1.i = s.s1 \
           join phrases k2 on k2.kind = 'skill' and k2.i = s.s2 join phrases k3 on k3.kind = 'skill' and k3.i = s.s3 \
           join phrases c on c.kind = 'city' and c.i = s.city",
    ];
    for statement in statements {
        sqlx::query(statement).bind(tenant).execute(&mut *su).await?;
    }
    su.execute("drop table synth").await?;
    for table in ["profiles", "masks", "search_documents", "document_embeddings"] {
        su.execute(sqlx::AssertSqlSafe(format!("vacuum analyze vitae.{table}"))).await?;
    }
    Ok(())
}
