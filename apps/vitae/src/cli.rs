//! The `vitae` command line. `vitae` alone serves.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use vitae_repository::{RepoError, TenantTx, migrate, tenants};

use indicatif::{ProgressBar, ProgressStyle};

use crate::auth::{self, Scope};
use crate::http::import::parse_lines;
use crate::service::import;
use crate::service::indexer::Indexer;
use crate::service::reembed;
use vitae_repository::ann;
use vitae_search::memory::TenantMemory;
use vitae_search::{Engine, eval};

use crate::config::Config;
use crate::startup::{self, Application};
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(name = "vitae", version, about = "Semantic profile search over PostgreSQL")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply, revert or list schema migrations (runs as VITAE_OWNER_DATABASE_URL).
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the effective configuration, secrets masked.
    Config,
    /// Print the OpenAPI document (openapi/openapi.json is its copy).
    Openapi,
    /// Import profiles from an NDJSON file (one profile per line, each with an external_id).
    Import {
        /// The tenant's id or name.
        #[arg(long)]
        tenant: String,
        /// The NDJSON file.
        file: std::path::PathBuf,
        /// Lines per transaction.
        #[arg(long, default_value_t = crate::service::import::DEFAULT_BATCH)]
        batch: usize,
    },
    /// Re-embed every document made by another model than the configured one, in batches,
    /// while search keeps serving (runs as VITAE_OWNER_DATABASE_URL to see every tenant).
    Reembed {
        /// Profiles per transaction.
        #[arg(long, default_value_t = 50)]
        batch: i64,
    },
    /// Load the demo profiles (about 200) into the tenant `demo`, creating it, and print a new
    /// API key and an example request. Running it again updates the same profiles.
    Demo {
        /// The address the server will listen on, for the example request.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base_url: String,
    },
    /// Build the search index now (concurrently: a running service keeps serving), or drop it.
    Reindex {
        /// `ivfflat` or `hnsw` (default: VITAE_ANN_INDEX).
        #[arg(long)]
        kind: Option<String>,
        /// IVFFlat lists (default: from the row count); HNSW m.
        #[arg(long)]
        lists: Option<i32>,
        /// Drop the index instead: search ranks exactly.
        #[arg(long, conflicts_with_all = ["kind", "lists"])]
        drop: bool,
        /// Calibrate the serving index's ef_search (probes), and the passages', again instead of
        /// rebuilding it: after changing VITAE_ANN_TARGET_RECALL, or once writes have changed the rows.
        #[arg(long, conflicts_with_all = ["kind", "lists", "drop"])]
        calibrate: bool,
    },
    /// Score search quality on labelled sets: hit@10, MRR@10 and nDCG@10 for each leg and every
    /// fusion candidate, per set and per kind of query.
    Eval {
        /// A set folder (queries.json), or a queries file (JSON: {"queries": [{"query", "kind",
        /// "relevant": [external ids]}]}). The profiles.ndjson beside it is loaded into the tenant
        /// `eval-FOLDER` the first time.
        #[arg(required = true)]
        sets: Vec<std::path::PathBuf>,
        /// Score against this tenant (id or name) instead, loading nothing.
        #[arg(long)]
        tenant: Option<String>,
        /// Load the folders' profiles again even when their tenant exists.
        #[arg(long)]
        reload: bool,
    },
    /// Back up schema `vitae` (pg_dump, custom format) as the owner role.
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Restore a backup into VITAE_OWNER_DATABASE_URL's database (one transaction; the database
    /// must not hold schema `vitae` yet).
    Restore { file: std::path::PathBuf },
    /// The slowest statements (pg_stat_statements), by mean time.
    Stats {
        #[arg(long, default_value_t = 10)]
        limit: i64,
    },
    /// Manage tenants.
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// Manage API keys.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
}

#[derive(Debug, Subcommand)]
enum TenantAction {
    /// Create a tenant and print its id.
    Create {
        /// A unique name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeyAction {
    /// Create an API key and print it (shown this once; only its hash is stored).
    Create {
        /// The tenant's id or name.
        #[arg(long)]
        tenant: String,
        /// Comma-separated: read, write, admin.
        #[arg(long, value_delimiter = ',', default_value = "read")]
        scopes: Vec<String>,
        /// A label to recognise the key by.
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Revoke an API key: it stops working at once.
    Revoke {
        #[arg(long)]
        tenant: String,
        /// The key's id (the part after `vitae_`, or the UUID).
        id: String,
    },
    /// List a tenant's keys (never their secrets).
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the newest migration, or down to a version.
    Down {
        /// Revert every migration newer than this version (0 reverts all).
        #[arg(long, conflicts_with = "all")]
        to: Option<i64>,
        /// Revert every migration.
        #[arg(long)]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
}

pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("vitae: {error}");
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    telemetry::init(config.log_format, &config.log_filter);
    match run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("vitae: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate { action } => migrate_command(config, action).await,
        Command::Config => {
            for line in config.masked_env_lines() {
                println!("{line}");
            }
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::http::document().to_pretty_json().context("serialising the document")?);
            Ok(())
        }
        Command::Tenant { action } => tenant_command(config, action).await,
        Command::Import { tenant, file, batch } => import_command(config, tenant, file, batch).await,
        Command::Reembed { batch } => reembed_command(config, batch).await,
        Command::Demo { base_url } => demo_command(config, base_url).await,
        Command::Key { action } => key_command(config, action).await,
        Command::Reindex { kind, lists, drop, calibrate } => reindex_command(config, kind, lists, drop, calibrate).await,
        Command::Eval { sets, tenant, reload } => eval_command(config, sets, tenant, reload).await,
        Command::Backup { out } => {
            let owner = config.owner_database_url.clone().context("VITAE_OWNER_DATABASE_URL is required for backups")?;
            let bytes = crate::service::backup::backup(config.pg_bin_dir.as_deref(), &owner, &out).await?;
            println!("backed up schema vitae to {} ({bytes} bytes)", out.display());
            Ok(())
        }
        Command::Restore { file } => {
            let owner = config.owner_database_url.clone().context("VITAE_OWNER_DATABASE_URL is required for restores")?;
            crate::service::backup::restore(config.pg_bin_dir.as_deref(), &owner, &file).await?;
            println!("restored {}", file.display());
            Ok(())
        }
        Command::Stats { limit } => {
            let pools = startup::connect(&config)?;
            let pool = pools.owner.clone().unwrap_or_else(|| pools.primary.clone());
            let rows = vitae_repository::health::slowest_statements(&pool, limit.clamp(1, 100)).await?;
            println!("{:>8} {:>10} {:>10} {:>10}  query", "calls", "mean ms", "max ms", "total ms");
            for r in rows {
                println!("{:>8} {:>10.2} {:>10.2} {:>10.0}  {}", r.calls, r.mean_ms, r.max_ms, r.total_ms, r.query);
            }
            pools.close().await;
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    app.run_until(shutdown_signal()).await
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn migrate_command(config: Config, action: MigrateAction) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let Some(owner) = pools.owner else {
        bail!("VITAE_OWNER_DATABASE_URL is required: migrations run as the owner role");
    };
    match action {
        MigrateAction::Up => {
            migrate::up(&owner).await.context("applying migrations")?;
            println!("migrations are current (version {})", migrate::latest_version());
        }
        MigrateAction::Down { to, all } => {
            let mut conn = owner.acquire().await.context("connecting as the owner role")?;
            let applied: Vec<i64> =
                migrate::status(&mut conn).await?.into_iter().filter(|m| m.applied).map(|m| m.version).collect();
            drop(conn);
            let target = match (to, all) {
                (_, true) => 0,
                (Some(version), false) => version,
                // The newest applied one: down to the one before it.
                (None, false) => applied.iter().rev().nth(1).copied().unwrap_or(0),
            };
            migrate::down_to(&owner, target).await.context("reverting migrations")?;
            println!("reverted to version {target}");
        }
        MigrateAction::Status => {
            let mut conn = owner.acquire().await.context("connecting as the owner role")?;
            for m in migrate::status(&mut conn).await? {
                let state = match (m.applied, m.checksum_mismatch) {
                    (true, true) => "applied, but the file has changed since",
                    (true, false) => "applied",
                    (false, _) => "pending",
                };
                println!("{:04} {:<24} {state}", m.version, m.description);
            }
        }
    }
    owner.close().await;
    Ok(())
}

async fn tenant_command(config: Config, action: TenantAction) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    match action {
        TenantAction::Create { name } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("a tenant name is 1 to 100 characters");
            }
            match tenants::create(&pools.primary, name).await {
                Ok(tenant) => println!("created tenant {} ({})", tenant.name, tenant.id),
                Err(RepoError::Conflict { .. }) => bail!("a tenant named {name:?} exists"),
                Err(e) => return Err(e).context("creating the tenant"),
            }
        }
    }
    pools.close().await;
    Ok(())
}

async fn key_command(config: Config, action: KeyAction) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let find = |tenant: String| {
        let pool = pools.primary.clone();
        async move {
            tenants::find(&pool, &tenant).await.map_err(|e| match e {
                RepoError::NotFound => {
                    anyhow::anyhow!("no tenant {tenant:?} (give its id or name)")
                }
                e => anyhow::Error::new(e).context("finding the tenant"),
            })
        }
    };
    match action {
        KeyAction::Create { tenant, scopes, name } => {
            let tenant = find(tenant).await?;
            let mut parsed = Vec::new();
            for scope in &scopes {
                match Scope::parse(scope) {
                    Some(s) => parsed.push(s.as_str().to_owned()),
                    None => bail!("unknown scope {scope:?}: use read, write or admin"),
                }
            }
            let key = auth::generate();
            let mut tx = TenantTx::begin(&pools.primary, tenant.id).await?;
            tenants::insert_key(&mut tx, key.id, &name, &key.secret_hash, &parsed).await?;
            tx.commit().await?;
            eprintln!("created key {} for tenant {} with scopes {}", key.id, tenant.name, parsed.join(","));
            eprintln!("it is shown this once; store it now:");
            println!("{}", key.token);
        }
        KeyAction::Revoke { tenant, id } => {
            let tenant = find(tenant).await?;
            let id = id.strip_prefix("vitae_").map(|rest| rest.split('_').next().unwrap_or_default()).unwrap_or(&id);
            let id = uuid::Uuid::try_parse(id).context("a key id is a UUID")?;
            let mut tx = TenantTx::begin(&pools.primary, tenant.id).await?;
            let key = tenants::revoke_key(&mut tx, id).await.map_err(|e| match e {
                RepoError::NotFound => {
                    anyhow::anyhow!("tenant {} has no key {id}", tenant.name)
                }
                e => anyhow::Error::new(e),
            })?;
            tx.commit().await?;
            println!("revoked key {} at {}", key.id, key.revoked_at.map(|t| t.to_rfc3339()).unwrap_or_default());
        }
        KeyAction::List { tenant } => {
            let tenant = find(tenant).await?;
            let mut tx = TenantTx::begin_read_only(&pools.primary, tenant.id).await?;
            for key in tenants::list_keys(&mut tx).await? {
                let state = key.revoked_at.map(|t| format!("revoked {}", t.to_rfc3339())).unwrap_or_else(|| "active".into());
                println!("{}  {:<20} {:<16} {state}", key.id, key.name, key.scopes.join(","));
            }
            tx.commit().await?;
        }
    }
    pools.close().await;
    Ok(())
}

fn progress_bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{spinner}} {what} {{bar:40}} {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

async fn import_command(config: Config, tenant: String, file: std::path::PathBuf, batch: usize) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let pools = startup::connect(&config)?;
    let tenant = tenants::find(&pools.primary, &tenant).await.context("finding the tenant")?;
    let indexer = Indexer::new(startup::embedder(&config).await?);
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    let bar = progress_bar(lines, "importing");
    let started = std::time::Instant::now();
    let contract = startup::contract()?;
    let report = import::run(&pools.primary, &indexer, tenant.id, parse_lines(&contract, &text), batch, &|done, _| {
        bar.set_position(done as u64)
    })
    .await;
    bar.finish_and_clear();
    for failure in report.results.iter().filter(|r| r.errors.iter().len() > 0) {
        for error in &failure.errors {
            eprintln!("line {}: {}: {}", failure.line, if error.field.is_empty() { "line" } else { &error.field }, error.message);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} lines: {} created, {} updated, {} failed in {seconds:.1}s ({:.0} profiles/s)",
        report.lines,
        report.created,
        report.updated,
        report.failed,
        (report.created + report.updated) as f64 / seconds.max(1e-9)
    );
    pools.close().await;
    if report.failed > 0 { bail!("{} lines failed", report.failed) } else { Ok(()) }
}

async fn reembed_command(config: Config, batch: i64) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let indexer = Indexer::new(startup::embedder(&config).await?);
    let bar = progress_bar(0, "re-embedding profiles");
    let result = reembed::run(&pools, &indexer, batch.max(1), None, &|p| {
        if p.batches == 0 {
            bar.set_length(p.profiles_total);
        }
        bar.set_position(p.profiles_done);
    })
    .await;
    bar.finish_and_clear();
    pools.close().await;
    let progress = result.context("re-embedding")?;
    println!(
        "re-embedded the documents of {} of {} profiles with {}",
        progress.profiles_done,
        progress.profiles_total,
        indexer.embedder().model_id()
    );
    Ok(())
}

/// The demo profiles, built into the binary so `vitae demo` works anywhere.
const DEMO_PROFILES: &str = include_str!("../../../demo/profiles.ndjson");

async fn demo_command(config: Config, base_url: String) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let tenant = match tenants::find(&pools.primary, "demo").await {
        Ok(tenant) => tenant,
        Err(RepoError::NotFound) => tenants::create(&pools.primary, "demo").await.context("creating the demo tenant")?,
        Err(e) => return Err(e).context("finding the demo tenant"),
    };
    let indexer = Indexer::new(startup::embedder(&config).await?);
    let lines = DEMO_PROFILES.lines().count() as u64;
    let bar = progress_bar(lines, "loading demo profiles");
    let started = std::time::Instant::now();
    let contract = startup::contract()?;
    let report = import::run(
        &pools.primary,
        &indexer,
        tenant.id,
        parse_lines(&contract, DEMO_PROFILES),
        import::DEFAULT_BATCH,
        &|done, _| bar.set_position(done as u64),
    )
    .await;
    bar.finish_and_clear();
    if report.failed > 0 {
        bail!("{} demo profiles failed to load: {:?}", report.failed, report.results.iter().find(|r| !r.errors.is_empty()));
    }
    let key = auth::generate();
    let mut tx = TenantTx::begin(&pools.primary, tenant.id).await?;
    tenants::insert_key(&mut tx, key.id, "demo", &key.secret_hash, &["admin".to_owned()]).await?;
    tx.commit().await?;
    pools.close().await;
    println!(
        "Loaded {} demo profiles ({} new, {} updated) into tenant `demo` in {:.1}s.\n\n\
         API key (admin scope, shown once):\n  {}\n\n\
         Search:\n  curl -s -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    \
         -d '{{\"q\": \"backend engineer who knows kafka\", \"limit\": 3}}' {base_url}/v1/search\n\n\
         Search console (paste the key): {base_url}/console\n\
         API docs: {base_url}/docs",
        report.lines,
        report.created,
        report.updated,
        started.elapsed().as_secs_f64(),
        key.token,
        key.token,
    );
    Ok(())
}

async fn reindex_command(
    config: Config,
    kind: Option<String>,
    lists: Option<i32>,
    drop: bool,
    calibrate: bool,
) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let Some(owner) = pools.owner.clone() else {
        bail!("VITAE_OWNER_DATABASE_URL is required: indexes are built by the owner role");
    };
    if drop {
        ann::drop_index(&owner).await.context("dropping the index")?;
        println!("dropped the search index; search ranks exactly until the next build");
        pools.close().await;
        return Ok(());
    }
    let kind = match kind.as_deref() {
        None => config.ann_index,
        Some(k) => ann::IndexKind::parse(k).with_context(|| format!("unknown index kind {k:?}: use ivfflat or hnsw"))?,
    };
    if lists.is_some_and(|l| !(1..=32_768).contains(&l)) {
        bail!("--lists is 1 to 32768");
    }
    let options = ann::BuildOptions {
        kind,
        storage: config.ann_storage,
        lists,
        target_recall: config.ann_target_recall,
        maintenance_work_mem: config.ann_build_memory.clone(),
        ef_construction: config.ann_hnsw_ef_construction,
        hnsw_m: config.ann_hnsw_m,
        passages: config.ann_passages,
        queries: crate::service::upkeep::calibration_queries(startup::embedder(&config).await?.as_ref()).await,
        ..ann::BuildOptions::default()
    };
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let (verb, done) = if calibrate {
        spinner.set_message("calibrating the search index");
        let done = match ann::recalibrate(&owner, &options).await {
            Err(vitae_repository::RepoError::NotFound) => {
                bail!("there is no search index to calibrate: build one with `vitae reindex`")
            }
            done => done.context("calibrating the index"),
        };
        ("calibrated", done)
    } else {
        spinner.set_message(format!("building the {} index", kind.as_str()));
        ("built", ann::build(&owner, &options).await.context("building the index"))
    };
    spinner.finish_and_clear();
    pools.close().await;
    match done? {
        None => bail!("another build is running"),
        Some(s) => {
            let seconds = if calibrate { started.elapsed().as_secs_f64() } else { s.build_ms as f64 / 1000.0 };
            println!(
                "{verb} {} ({} over {}, lists/m {}) over {} rows in {seconds:.1}s; probes {} give recall@10 {}",
                s.index_name,
                s.kind,
                s.storage,
                s.lists,
                s.rows_at_build,
                s.probes,
                s.measured_recall.map_or("n/a".into(), |r| format!("{r:.3}")),
            );
            if let Some(probes) = s.passage_probes {
                let recall = s.passage_recall.map_or("n/a".into(), |r| format!("{r:.3}"));
                println!(
                    "passages: {} with probes {probes} give recall@10 {recall}",
                    s.passage_index_name.as_deref().unwrap_or("-")
                );
            }
            if s.passages_miss_recall(config.ann_target_recall) {
                eprintln!(
                    "warning: the passages' walk stays below the target {} even at the largest probes tried; \
                     searches will find fewer documents through their nearest passage",
                    config.ann_target_recall
                );
            }
            if s.misses_recall(config.ann_target_recall) {
                eprintln!(
                    "warning: recall@10 stays below the target {} even at the largest probes tried; \
                     searches will miss neighbours (more lists, or the other index kind, may help)",
                    config.ann_target_recall
                );
            }
        }
    }
    Ok(())
}

async fn eval_command(config: Config, sets: Vec<std::path::PathBuf>, tenant: Option<String>, reload: bool) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let indexer = Indexer::new(startup::embedder(&config).await?);
    let cache = vitae_embed::cache::QueryCache::new(config.query_cache_size);
    let current = ann::state(&pools.primary).await?;
    let settings = config.search();
    let memory = std::sync::Arc::new(TenantMemory::new(16, std::time::Duration::from_secs(3600)));
    let engine = Engine {
        pool: &pools.read,
        embedder: indexer.embedder().as_ref(),
        cache: &cache,
        ann: current.as_ref(),
        settings: &settings,
        memory: &memory,
    };
    let variants = eval::variants(config.fusion());
    for path in sets {
        let queries_file = if path.is_dir() { path.join("queries.json") } else { path.clone() };
        let folder = queries_file.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
        let tenant = match &tenant {
            Some(tenant) => tenants::find(&pools.primary, tenant).await.context("finding the tenant")?,
            None => {
                let folder_name =
                    std::fs::canonicalize(&folder)?.file_name().and_then(|n| n.to_str()).unwrap_or("set").to_owned();
                load_eval_set(&pools, &indexer, &folder, &format!("eval-{folder_name}"), reload).await?
            }
        };
        let text = std::fs::read_to_string(&queries_file).with_context(|| format!("reading {}", queries_file.display()))?;
        let set: eval::EvalSet = serde_json::from_str(&text).with_context(|| format!("parsing {}", queries_file.display()))?;
        let started = std::time::Instant::now();
        let report = eval::run(&engine, tenant.id, &set, &variants).await.context("running the labelled queries")?;
        println!(
            "\n## {} ({} queries, tenant {}, depth {}, {:.0}s)\n{}",
            path.display(),
            set.queries.len(),
            tenant.name,
            eval::DEPTH,
            started.elapsed().as_secs_f64(),
            set.description
        );
        print!("{}", report.table());
    }
    pools.close().await;
    Ok(())
}

/// The tenant holding a set folder's profiles, created and loaded the first time (or `reload`).
async fn load_eval_set(
    pools: &vitae_repository::Pools,
    indexer: &Indexer,
    folder: &std::path::Path,
    name: &str,
    reload: bool,
) -> anyhow::Result<tenants::Tenant> {
    let (tenant, created) = match tenants::find(&pools.primary, name).await {
        Ok(tenant) => (tenant, false),
        Err(RepoError::NotFound) => (tenants::create(&pools.primary, name).await.context("creating the tenant")?, true),
        Err(e) => return Err(e).context("finding the tenant"),
    };
    let mut tx = TenantTx::begin_read_only(&pools.primary, tenant.id).await?;
    let profiles = vitae_repository::profiles::count_profiles(&mut tx).await?;
    tx.commit().await?;
    if created || reload || profiles == 0 {
        let file = folder.join("profiles.ndjson");
        let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
        let bar = progress_bar(text.lines().count() as u64, "loading profiles");
        let contract = startup::contract()?;
        let report =
            import::run(&pools.primary, indexer, tenant.id, parse_lines(&contract, &text), import::DEFAULT_BATCH, &|done, _| {
                bar.set_position(done as u64)
            })
            .await;
        bar.finish_and_clear();
        if report.failed > 0 {
            bail!(
                "{} profiles of {} failed to load: {:?}",
                report.failed,
                file.display(),
                report.results.iter().find(|r| !r.errors.is_empty())
            );
        }
    }
    Ok(tenant)
}
