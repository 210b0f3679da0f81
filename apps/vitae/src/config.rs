//! Configuration: every setting comes from a `VITAE_`-prefixed environment variable (the field
//! name in upper case), optionally from a TOML file named by `VITAE_CONFIG` (same names in lower
//! case); the environment wins. Defaults suit the local development database. An invalid value
//! stops start-up with a message naming the variable and what it accepts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use vitae_domain::search::{Fusion, FusionDefaults, FusionMethod, IndexKind, VectorStorage};
use vitae_repository::DatabaseSettings;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// The service's database role (owns no table). Writes and reads.
    pub database_url: String,
    /// A read replica for searches and plain reads; the primary when unset.
    pub read_database_url: Option<String>,
    /// The owner role, for migrations, ANN index upkeep and backups. When unset, the service
    /// neither migrates nor builds indexes by itself (run `vitae migrate` / `vitae reindex`).
    pub owner_database_url: Option<String>,
    /// Apply pending migrations at start-up.
    pub migrate_on_start: bool,
    /// Where `pg_dump` and `pg_restore` are, for `vitae backup` / `vitae restore` (default: PATH).
    pub pg_bin_dir: Option<PathBuf>,

    pub pool_max_connections: u32,
    pub pool_min_connections: u32,
    #[serde(with = "humantime_serde")]
    pub pool_idle_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub pool_acquire_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub statement_timeout: Duration,
    /// Statements slower than this are logged with their duration.
    #[serde(with = "humantime_serde")]
    pub slow_statement_threshold: Duration,

    /// `local` (all-MiniLM-L6-v2 in-process) or `openai` (any OpenAI-compatible endpoint).
    pub embedding_provider: EmbeddingProvider,
    /// Folder with model.safetensors, tokenizer.json and config.json (local provider).
    pub model_dir: PathBuf,
    /// Local embedding workers, one thread each (0: one per core).
    pub embedding_workers: usize,
    /// Texts per model forward pass (local) or per request (openai).
    pub embedding_batch_size: usize,
    /// Base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1.
    pub openai_base_url: String,
    pub openai_model: String,
    /// Sent as a bearer token; read from the environment, never printed.
    pub openai_api_key: Option<String>,
    #[serde(with = "humantime_serde")]
    pub openai_timeout: Duration,
    pub openai_max_retries: u32,
    /// Query embeddings kept for repeated queries and paging.
    pub query_cache_size: usize,

    /// Largest request body, in bytes (bulk imports have their own limit).
    pub body_limit_bytes: usize,
    /// Largest bulk-import body, in bytes.
    pub import_body_limit_bytes: usize,
    /// Requests running longer are answered 503.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// The same for bulk imports, which embed many documents (committed batches stay).
    #[serde(with = "humantime_serde")]
    pub import_timeout: Duration,
    /// Requests per second allowed per API key (0: no limit), and the burst above it.
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    /// Browser origins allowed to call the API (comma-separated; none by default).
    pub cors_origins: Vec<String>,
    /// When set, `/metrics` answers only `Authorization: Bearer <this token>` (Prometheus'
    /// `authorization` setting); unset, it is open: keep it off the public ingress.
    pub metrics_token: Option<String>,

    /// Candidates each search leg contributes (the deepest a result list pages).
    pub search_window: i64,
    /// Filtered searches matching at most this many documents are ranked exactly (about 0.8 µs
    /// a row at a million rows, most of it reading the row). A big index raises the limit to
    /// where ranking costs less than an iterative scan's walk (sqrt(8 · window · index rows):
    /// 12,649 at 100k rows, 40,000 at a million; `vitae_search::plan::exact_limit`).
    pub search_exact_max_rows: i64,
    /// What one visit of a filtered index scan costs, in rows ranked exactly: 8 by measurement
    /// (a visit about 10 µs, a row ranked by inner product 1-1.7 µs, at 100k and 1M rows). A
    /// big index ranks a selection exactly while that is cheaper than the scan's walk; 0 leaves
    /// only the limits above.
    pub search_visit_cost: f64,
    /// Keyword words held by more documents than this (summed over a query's rarest words) only
    /// score candidates found by rarer words or by meaning, instead of finding their own. 1,000
    /// by measurement: at 100k profiles, 5,000 made BM25 score up to 5,000 documents a query
    /// (hybrid p50 64 ms against 21 ms at 1,000, `scripts/bench search`).
    pub search_broad_max_matches: i64,
    /// How long a tenant's vocabulary (for reading job descriptions) and the sizes of its
    /// selections (which choose the vector path) are used before they are read again, in the
    /// background while the old ones still serve: a skill new to a tenant is recognised in
    /// job descriptions within about this long.
    #[serde(with = "humantime_serde")]
    pub search_memory_ttl: Duration,
    /// In every mode but keyword, look up a search's words (their statistics, stand-ins for
    /// mistyped ones, the matches of rare ones) beside its semantic leg, on a second pooled
    /// connection that reads the same snapshot, when one is idle (or the pool has room): a search
    /// then holds two connections for a while. Off: one connection per search, one step after
    /// the other.
    pub search_legs_side_by_side: bool,
    /// BM25: term frequency saturation (k1) and length normalisation (b).
    pub search_bm25_k1: f64,
    pub search_bm25_b: f64,
    /// Weight of one occurrence in each section of a document: name, headline and titles;
    /// skills and tags; organisations, descriptions and places; summary. Details at 0.15 (not
    /// 0.3) so that a role in a title outweighs a place repeated in every role: "accountant
    /// nairobi" lists accountants elsewhere before Nairobi's chefs (the mixed set lost 0.009
    /// MRR@10 for it, measured with `scripts/eval`).
    pub search_weight_titles: f64,
    pub search_weight_skills: f64,
    pub search_weight_details: f64,
    pub search_weight_summary: f64,
    /// Typo tolerance: a query word no document holds is compared with the tenant's words at
    /// least this alike (trigram similarity, 0 to 1), and matched to those fewest edits away
    /// (one edit from 4 letters, two from 7)...
    pub search_typo_similarity: f64,
    /// ...each counting this much of an exact match per edit (0.8: one edit 0.8, two 0.64).
    pub search_typo_weight: f64,
    /// Cosine similarity that scores 0 on the semantic 0..1 scale (measured: unrelated
    /// query-profile pairs score about this).
    pub search_similarity_floor: f64,
    /// Documents found only by meaning match a text query from this cosine similarity up (the
    /// relevance cutoff behind `total` and facets).
    pub search_min_similarity: f64,
    /// Multi-aspect profiles: how far a candidate's similarity moves up to its nearest passage's
    /// (a role, the skills, the summary, ...) when that is closer: 0 ignores passages, 1 takes
    /// the nearer.
    pub search_passage_weight: f64,
    /// Fixes ivfflat.probes (hnsw.ef_search) instead of the value calibrated at build time.
    pub search_probes: Option<i32>,
    /// Fixes the passages' walk's hnsw.ef_search alone (100 to 1000): the trade between finding
    /// the documents near a query by one passage and the walk's time, without moving the
    /// documents' walk.
    pub search_passage_probes: Option<i32>,
    /// Default fusion of hybrid search: `max`, `blend` or `rrf`. `max` (other weight 0.3) by
    /// measurement (`scripts/eval`): the only candidate at least as good as the better leg on
    /// MRR@10 and nDCG@10 on every labelled set; RRF lost to the semantic leg on paraphrases and
    /// to the keyword leg on names, a 0.7 blend lost names, a 0.5 blend lost paraphrases.
    pub search_fusion: FusionMethod,
    /// Blend: weight of the semantic score (the keyword score gets the rest).
    pub search_semantic_ratio: f64,
    /// RRF: the k in 1 / (k + rank), and each leg's weight.
    pub search_rrf_k: f64,
    pub search_rrf_semantic_weight: f64,
    pub search_rrf_keyword_weight: f64,
    /// Max: how much the weaker leg's score adds to the stronger one's.
    pub search_max_other_weight: f64,

    /// `hnsw` or `ivfflat`: HNSW answered as well as IVFFlat several times faster on the bench
    /// (README, Benchmarks), and needs no retraining as rows change; IVFFlat builds faster.
    pub ann_index: IndexKind,
    /// `halfvec` or `vector`: the index over the embeddings cast to half precision, or as stored.
    /// halfvec by measurement at a million bench profiles: the index 1.1 GB against 1.9, built
    /// in 173 s against 253, semantic p50 6.3 ms against 8.6 at the same calibrated ef_search
    /// and recall (README, Benchmarks); the table keeps full precision. A change rebuilds.
    pub ann_storage: VectorStorage,
    /// Build the ANN index once there are this many embeddings (exact search below).
    pub ann_min_rows: i64,
    /// Build and rebuild the index by itself (needs VITAE_OWNER_DATABASE_URL).
    pub ann_auto: bool,
    /// How often index upkeep looks at the table.
    #[serde(with = "humantime_serde")]
    pub ann_check_interval: Duration,
    /// Recall@10 the calibrated probes must reach.
    pub ann_target_recall: f64,
    /// `maintenance_work_mem` for index builds (a PostgreSQL size: kB, MB or GB). HNSW builds
    /// far slower once the graph outgrows it (4GB held a million 384-dimension rows here).
    pub ann_build_memory: String,
    /// HNSW `ef_construction`: candidates weighed per row while building the graph. 128 by
    /// measurement at a million bench profiles: about the build time of pgvector's default 64,
    /// and recall 1.000 on real query texts where a 64-build gave 0.924 (both calibrated
    /// ef_search 600; README, Benchmarks).
    pub ann_hnsw_ef_construction: i32,
    /// HNSW `m`: neighbours per row in the graph. Each row a filtered scan walks past reads this
    /// many (times two at the bottom layer), so fewer make a selective filter's walk cheaper,
    /// at a lower ceiling of recall (README, Benchmarks).
    pub ann_hnsw_m: i32,
    /// Whether an HNSW build indexes the passages too, so that semantic search finds documents
    /// through their nearest passage (a role, the skills) and not only re-scores the nearest
    /// documents by it. The passages index is about three times the documents' (three passages a
    /// profile) and takes as long again to build.
    pub ann_passages: bool,

    /// `text` or `json`.
    pub log_format: LogFormat,
    /// A tracing filter, e.g. `info` or `vitae=debug,sqlx=warn`.
    pub log_filter: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmbeddingProvider {
    Local,
    Openai,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The local development database started by `scripts/dev-db` (see README).
pub const LOCAL_APP_URL: &str = "postgres://vitae_app:vitae_app@127.0.0.1:54329/vitae";
pub const LOCAL_OWNER_URL: &str = "postgres://vitae_owner:vitae_owner@127.0.0.1:54329/vitae";

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: LOCAL_APP_URL.into(),
            read_database_url: None,
            owner_database_url: Some(LOCAL_OWNER_URL.into()),
            migrate_on_start: true,
            pg_bin_dir: None,
            pool_max_connections: 10,
            pool_min_connections: 0,
            pool_idle_timeout: Duration::from_secs(30),
            pool_acquire_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(30),
            slow_statement_threshold: Duration::from_secs(1),
            embedding_provider: EmbeddingProvider::Local,
            model_dir: PathBuf::from(".local/models/all-MiniLM-L6-v2"),
            embedding_workers: 0,
            embedding_batch_size: 32,
            openai_base_url: "https://api.openai.com/v1".into(),
            openai_model: "text-embedding-3-small".into(),
            openai_api_key: None,
            openai_timeout: Duration::from_secs(30),
            openai_max_retries: 4,
            query_cache_size: 10_000,
            body_limit_bytes: 1024 * 1024,
            import_body_limit_bytes: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            import_timeout: Duration::from_secs(30 * 60),
            rate_limit_per_second: 100,
            rate_limit_burst: 200,
            cors_origins: Vec::new(),
            metrics_token: None,
            search_window: 200,
            search_exact_max_rows: 2_000,
            search_visit_cost: 8.0,
            search_broad_max_matches: 1_000,
            search_memory_ttl: Duration::from_secs(60),
            search_legs_side_by_side: true,
            search_bm25_k1: 1.2,
            search_bm25_b: 0.75,
            search_weight_titles: 1.0,
            search_weight_skills: 0.6,
            search_weight_details: 0.15,
            search_weight_summary: 0.3,
            search_typo_similarity: 0.2,
            search_typo_weight: 0.8,
            search_similarity_floor: 0.1,
            search_min_similarity: 0.3,
            search_passage_weight: 1.0,
            search_probes: None,
            search_passage_probes: None,
            search_fusion: FusionMethod::Max,
            search_semantic_ratio: 0.7,
            search_rrf_k: 60.0,
            search_rrf_semantic_weight: 1.0,
            search_rrf_keyword_weight: 1.0,
            search_max_other_weight: 0.3,
            ann_index: IndexKind::Hnsw,
            ann_storage: VectorStorage::Halfvec,
            ann_min_rows: 10_000,
            ann_auto: true,
            ann_check_interval: Duration::from_secs(300),
            ann_target_recall: 0.95,
            ann_build_memory: "512MB".into(),
            ann_hnsw_ef_construction: 128,
            ann_hnsw_m: vitae_repository::ann::DEFAULT_HNSW_M,
            ann_passages: true,
            log_format: LogFormat::Text,
            log_filter: "info,sqlx::postgres::notice=warn".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl Config {
    /// Checks the ranges serde cannot express.
    fn check(self) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        if !(0.0..=1.0).contains(&self.search_semantic_ratio) {
            problems.push("VITAE_SEARCH_SEMANTIC_RATIO: must be from 0 to 1");
        }
        if !(0.0..=1.0).contains(&self.ann_target_recall) {
            problems.push("VITAE_ANN_TARGET_RECALL: must be from 0 to 1");
        }
        if !is_pg_size(&self.ann_build_memory) {
            problems.push("VITAE_ANN_BUILD_MEMORY: must be a size such as 512MB or 4GB");
        }
        if !(2..=100).contains(&self.ann_hnsw_m) {
            problems.push("VITAE_ANN_HNSW_M: must be from 2 to 100");
        }
        if !(4..=1000).contains(&self.ann_hnsw_ef_construction) {
            problems.push("VITAE_ANN_HNSW_EF_CONSTRUCTION: must be from 4 to 1000");
        }
        if self.search_passage_probes.is_some_and(|p| !(100..=1000).contains(&p)) {
            // A walk of fewer keeps too few candidates for the passages it returns; pgvector
            // stops at 1000.
            problems.push("VITAE_SEARCH_PASSAGE_PROBES: must be from 100 to 1000");
        }
        if !(1..=1000).contains(&self.search_window) {
            problems.push("VITAE_SEARCH_WINDOW: must be from 1 to 1000");
        }
        if !(0.0..=1000.0).contains(&self.search_visit_cost) {
            problems.push("VITAE_SEARCH_VISIT_COST: must be from 0 to 1000");
        }
        for (value, problem) in [
            (self.search_typo_similarity, "VITAE_SEARCH_TYPO_SIMILARITY: must be from 0 to 1"),
            (self.search_typo_weight, "VITAE_SEARCH_TYPO_WEIGHT: must be from 0 to 1"),
            (self.search_similarity_floor, "VITAE_SEARCH_SIMILARITY_FLOOR: must be from 0 to 1 (below 1)"),
            (self.search_min_similarity, "VITAE_SEARCH_MIN_SIMILARITY: must be from 0 to 1"),
            (self.search_bm25_b, "VITAE_SEARCH_BM25_B: must be from 0 to 1"),
            (self.search_passage_weight, "VITAE_SEARCH_PASSAGE_WEIGHT: must be from 0 to 1"),
        ] {
            if !(0.0..=1.0).contains(&value) || (problem.contains("FLOOR") && value >= 1.0) {
                problems.push(problem);
            }
        }
        if !(self.search_bm25_k1.is_finite() && self.search_bm25_k1 >= 0.0) {
            problems.push("VITAE_SEARCH_BM25_K1: must be 0 or more");
        }
        let weights =
            [self.search_weight_titles, self.search_weight_skills, self.search_weight_details, self.search_weight_summary];
        if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
            problems.push("VITAE_SEARCH_WEIGHT_*: must be 0 or more");
        }
        if self.search_rrf_k <= 0.0 {
            problems.push("VITAE_SEARCH_RRF_K: must be above 0");
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(ConfigError(format!("invalid configuration:\n  {}", problems.join("\n  "))))
        }
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_figment(Self::figment(std::env::var_os("VITAE_CONFIG").map(PathBuf::from)))
    }

    fn figment(file: Option<PathBuf>) -> Figment {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            figment = figment.merge(Toml::file_exact(file));
        }
        // VITAE_DEV_* belong to the developer scripts (scripts/), not to the service.
        let env = Env::prefixed("VITAE_")
            .ignore(&["config", "cors_origins"])
            .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("dev_"));
        figment = figment.merge(env);
        // Lists are comma-separated in the environment: VITAE_CORS_ORIGINS=https://a.example,https://b.example
        let cors = std::env::var("VITAE_CORS_ORIGINS")
            .ok()
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>());
        if let Some(origins) = cors {
            figment = figment.merge(Serialized::default("cors_origins", origins));
        }
        figment
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        figment
            .extract::<Config>()
            .map_err(|errors| {
                let lines: Vec<String> = errors.into_iter().map(describe_error).collect();
                ConfigError(format!("invalid configuration:\n  {}", lines.join("\n  ")))
            })?
            .check()
    }

    /// The search engine's settings.
    pub fn search(&self) -> vitae_search::SearchSettings {
        vitae_search::SearchSettings {
            window: self.search_window,
            exact_max_rows: self.search_exact_max_rows,
            visit_cost: self.search_visit_cost,
            probes: self.search_probes,
            passage_probes: self.search_passage_probes,
            keyword: vitae_search::keyword::KeywordSettings {
                broad_max_matches: self.search_broad_max_matches,
                typo_weight: self.search_typo_weight,
                typo_min_chars: 4,
            },
            typo_min_similarity: self.search_typo_similarity,
            bm25_k1: self.search_bm25_k1,
            bm25_b: self.search_bm25_b,
            section_weights: [
                self.search_weight_titles,
                self.search_weight_skills,
                self.search_weight_details,
                self.search_weight_summary,
            ],
            passage_weight: self.search_passage_weight,
            legs_side_by_side: self.search_legs_side_by_side,
            calibration: vitae_search::Calibration {
                similarity_floor: self.search_similarity_floor,
                min_similarity: self.search_min_similarity,
            },
        }
    }

    /// Hybrid search's default fusion, and the parameters a request naming a method leaves out.
    pub fn fusion(&self) -> FusionDefaults {
        let rrf = Fusion::Rrf {
            k: self.search_rrf_k,
            semantic_weight: self.search_rrf_semantic_weight,
            keyword_weight: self.search_rrf_keyword_weight,
        };
        let blend = Fusion::Blend { semantic_ratio: self.search_semantic_ratio };
        let max = Fusion::Max { other_weight: self.search_max_other_weight };
        let by_method = FusionDefaults { default: max, rrf, blend, max };
        FusionDefaults { default: by_method.of(self.search_fusion), ..by_method }
    }

    pub fn database(&self, url: &str) -> DatabaseSettings {
        DatabaseSettings {
            url: url.to_owned(),
            max_connections: self.pool_max_connections,
            min_connections: self.pool_min_connections,
            idle_timeout: self.pool_idle_timeout,
            acquire_timeout: self.pool_acquire_timeout,
            statement_timeout: self.statement_timeout,
            slow_statement_threshold: self.slow_statement_threshold,
            application_name: "vitae".into(),
        }
    }

    /// The owner pool needs few connections: migrations and index builds run one at a time.
    pub fn owner_database(&self) -> Option<DatabaseSettings> {
        self.owner_database_url.as_deref().map(|url| DatabaseSettings {
            max_connections: 2,
            // Index builds take minutes on large tables.
            statement_timeout: Duration::ZERO,
            application_name: "vitae-maintenance".into(),
            ..self.database(url)
        })
    }

    /// The configuration as `vitae config` prints it: one `VITAE_NAME=value` line per setting,
    /// passwords and keys masked.
    pub fn masked_env_lines(&self) -> Vec<String> {
        let value = serde_json::to_value(self).unwrap_or_default();
        let mut lines = Vec::new();
        if let serde_json::Value::Object(map) = value {
            for (key, value) in map {
                let text = match value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string()))
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                lines.push(format!("VITAE_{}={}", key.to_uppercase(), mask_secret(&key, &text)));
            }
        }
        lines
    }
}

/// A PostgreSQL memory size in whole kB, MB or GB (what `SET maintenance_work_mem` accepts).
fn is_pg_size(value: &str) -> bool {
    ["kB", "MB", "GB"].iter().any(|unit| {
        value.strip_suffix(unit).is_some_and(|n| !n.is_empty() && n.len() <= 7 && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Masks the password of a URL and the whole of anything named like a secret.
fn mask_secret(key: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    if key.ends_with("_key") || key.ends_with("_token") || key.contains("secret") || key.contains("password") {
        return "********".into();
    }
    if key.ends_with("_url")
        && let Ok(mut url) = url::Url::parse(value)
        && url.password().is_some()
    {
        let _ = url.set_password(Some("********"));
        return url.to_string();
    }
    value.to_owned()
}

/// Turns a figment error into "VITAE_X: what was wrong (accepted: ...)".
fn describe_error(error: figment::Error) -> String {
    let key = error.path.join("_");
    let variable = if key.is_empty() { "VITAE_*".to_owned() } else { format!("VITAE_{}", key.to_uppercase()) };
    let accepts = match key.as_str() {
        "listen" => " (accepts host:port, e.g. 127.0.0.1:8080)",
        "log_format" => " (accepts text or json)",
        "embedding_provider" => " (accepts local or openai)",
        "search_fusion" => " (accepts blend, rrf or max)",
        "ann_index" => " (accepts ivfflat or hnsw)",
        "ann_storage" => " (accepts vector or halfvec)",
        "ann_auto" | "search_legs_side_by_side" => " (accepts true or false)",
        "ann_check_interval" | "search_memory_ttl" => " (accepts a duration, e.g. 5m)",
        "search_semantic_ratio"
        | "ann_target_recall"
        | "search_typo_similarity"
        | "search_typo_weight"
        | "search_similarity_floor"
        | "search_min_similarity"
        | "search_bm25_b"
        | "search_passage_weight" => " (accepts a number from 0 to 1)",
        "search_rrf_k"
        | "search_rrf_semantic_weight"
        | "search_rrf_keyword_weight"
        | "search_bm25_k1"
        | "search_max_other_weight"
        | "search_visit_cost" => " (accepts a number)",
        k if k.starts_with("search_weight_") => " (accepts a number)",
        k if k.starts_with("search_") || k == "ann_min_rows" || k.starts_with("ann_hnsw_") => " (accepts a whole number)",
        "request_timeout" | "import_timeout" | "openai_timeout" => " (accepts a duration, e.g. 30s)",
        k if k.ends_with("_bytes")
            || k.ends_with("_size")
            || k.ends_with("_workers")
            || k.starts_with("rate_limit")
            || k.ends_with("_retries") =>
        {
            " (accepts a whole number)"
        }
        "migrate_on_start" => " (accepts true or false)",
        k if k.starts_with("pool_") && (k.ends_with("_timeout")) => " (accepts a duration, e.g. 2s or 500ms)",
        "statement_timeout" | "slow_statement_threshold" => " (accepts a duration, e.g. 30s or 1500ms)",
        k if k.ends_with("_connections") => " (accepts a whole number)",
        _ => "",
    };
    let source = match &error.metadata {
        Some(meta) if meta.name.contains("TOML") => " in the config file",
        _ => "",
    };
    format!("{variable}{source}: {}{accepts}", error.kind)
}

#[cfg(test)]
// figment's test jail hands back its own (large) error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_match_the_documented_pool_settings() {
        let config = Config::default();
        assert_eq!(config.pool_max_connections, 10);
        assert_eq!(config.pool_idle_timeout, Duration::from_secs(30));
        assert_eq!(config.pool_acquire_timeout, Duration::from_secs(2));
    }

    #[test]
    fn environment_variables_override_defaults() {
        Jail::expect_with(|jail| {
            jail.set_env("VITAE_POOL_MAX_CONNECTIONS", "25");
            jail.set_env("VITAE_POOL_ACQUIRE_TIMEOUT", "750ms");
            jail.set_env("VITAE_LOG_FORMAT", "json");
            jail.set_env("VITAE_CORS_ORIGINS", "https://a.example, https://b.example");
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.pool_max_connections, 25);
            assert_eq!(config.pool_acquire_timeout, Duration::from_millis(750));
            assert_eq!(config.log_format, LogFormat::Json);
            assert_eq!(config.cors_origins, vec!["https://a.example", "https://b.example"]);
            Ok(())
        });
    }

    #[test]
    fn an_invalid_value_names_the_variable_and_what_it_accepts() {
        Jail::expect_with(|jail| {
            jail.set_env("VITAE_POOL_MAX_CONNECTIONS", "many");
            let error = Config::from_figment(Config::figment(None)).expect_err("must fail").to_string();
            assert!(error.contains("VITAE_POOL_MAX_CONNECTIONS"), "{error}");
            assert!(error.contains("whole number"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn hnsw_graph_quality_is_set_by_the_environment_within_range() {
        Jail::expect_with(|jail| {
            assert_eq!(Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?.ann_hnsw_m, 8);
            jail.set_env("VITAE_ANN_HNSW_M", "16");
            assert_eq!(Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?.ann_hnsw_m, 16);
            jail.set_env("VITAE_ANN_HNSW_M", "1");
            let error = Config::from_figment(Config::figment(None)).expect_err("out of range").to_string();
            assert!(error.contains("VITAE_ANN_HNSW_M: must be from 2 to 100"), "{error}");
            jail.set_env("VITAE_ANN_HNSW_M", "dense");
            let error = Config::from_figment(Config::figment(None)).expect_err("not a number").to_string();
            assert!(error.contains("VITAE_ANN_HNSW_M") && error.contains("whole number"), "{error}");
            jail.set_env("VITAE_ANN_HNSW_M", "8");
            jail.set_env("VITAE_ANN_HNSW_EF_CONSTRUCTION", "200");
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.ann_hnsw_ef_construction, 200);
            jail.set_env("VITAE_ANN_HNSW_EF_CONSTRUCTION", "2");
            let error = Config::from_figment(Config::figment(None)).expect_err("out of range").to_string();
            assert!(error.contains("VITAE_ANN_HNSW_EF_CONSTRUCTION: must be from 4 to 1000"), "{error}");
            jail.set_env("VITAE_ANN_HNSW_EF_CONSTRUCTION", "lots");
            let error = Config::from_figment(Config::figment(None)).expect_err("not a number").to_string();
            assert!(error.contains("whole number"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn the_index_storage_is_halfvec_unless_the_environment_says_vector() {
        Jail::expect_with(|jail| {
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.ann_storage, VectorStorage::Halfvec);
            jail.set_env("VITAE_ANN_STORAGE", "vector");
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.ann_storage, VectorStorage::Vector);
            jail.set_env("VITAE_ANN_STORAGE", "bit");
            let error = Config::from_figment(Config::figment(None)).expect_err("unknown storage").to_string();
            assert!(error.contains("VITAE_ANN_STORAGE") && error.contains("accepts vector or halfvec"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn the_index_visit_cost_is_a_number_within_range() {
        Jail::expect_with(|jail| {
            assert_eq!(Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?.search_visit_cost, 8.0);
            jail.set_env("VITAE_SEARCH_VISIT_COST", "0");
            assert_eq!(Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?.search_visit_cost, 0.0);
            jail.set_env("VITAE_SEARCH_VISIT_COST", "-1");
            let error = Config::from_figment(Config::figment(None)).expect_err("negative").to_string();
            assert!(error.contains("VITAE_SEARCH_VISIT_COST: must be from 0 to 1000"), "{error}");
            jail.set_env("VITAE_SEARCH_VISIT_COST", "cheap");
            let error = Config::from_figment(Config::figment(None)).expect_err("not a number").to_string();
            assert!(error.contains("VITAE_SEARCH_VISIT_COST") && error.contains("accepts a number"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn the_passages_walk_takes_its_own_setting_then_both_graphs_then_the_calibrated_one() {
        let ann = |kind: &str| vitae_repository::ann::AnnState {
            index_name: "documents".into(),
            kind: kind.into(),
            storage: "halfvec".into(),
            lists: 8,
            rows_at_build: 1_000_000,
            probes: 600,
            measured_recall: Some(0.95),
            build_ms: 1,
            built_at: chrono::Utc::now(),
            passage_probes: Some(150),
            passage_recall: Some(0.95),
            passage_index_name: Some("passages".into()),
        };
        Jail::expect_with(|jail| {
            let walk = || -> Result<Option<i32>, String> {
                Ok(Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?.search().passage_walk_ef(&ann("hnsw")))
            };
            assert_eq!(walk()?, Some(600), "calibrated at 150, never below the documents' 600");
            jail.set_env("VITAE_SEARCH_PROBES", "800");
            assert_eq!(walk()?, Some(800), "both graphs fixed");
            jail.set_env("VITAE_SEARCH_PASSAGE_PROBES", "150");
            assert_eq!(walk()?, Some(150), "the passages' own, below the documents'");
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.search().probes, Some(800), "the documents' walk does not move");
            assert_eq!(config.search().passage_walk_ef(&ann("ivfflat")), None, "no passage graph");
            jail.clear_env();
            jail.set_env("VITAE_SEARCH_PROBES", "20");
            assert_eq!(walk()?, Some(100), "at least twice the 50 passages walked");
            for wrong in ["99", "1001"] {
                jail.set_env("VITAE_SEARCH_PASSAGE_PROBES", wrong);
                let error = Config::from_figment(Config::figment(None)).expect_err("out of range").to_string();
                assert!(error.contains("VITAE_SEARCH_PASSAGE_PROBES: must be from 100 to 1000"), "{error}");
            }
            Ok(())
        });
    }

    #[test]
    fn a_search_runs_its_legs_side_by_side_unless_told_not_to() {
        Jail::expect_with(|jail| {
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert!(config.search().legs_side_by_side);
            jail.set_env("VITAE_SEARCH_LEGS_SIDE_BY_SIDE", "false");
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert!(!config.search().legs_side_by_side);
            jail.set_env("VITAE_SEARCH_LEGS_SIDE_BY_SIDE", "sometimes");
            let error = Config::from_figment(Config::figment(None)).expect_err("not a bool").to_string();
            assert!(error.contains("VITAE_SEARCH_LEGS_SIDE_BY_SIDE") && error.contains("accepts true or false"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn what_searches_remember_is_read_again_after_a_duration() {
        Jail::expect_with(|jail| {
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.search_memory_ttl, Duration::from_secs(60));
            jail.set_env("VITAE_SEARCH_MEMORY_TTL", "5m");
            let config = Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            assert_eq!(config.search_memory_ttl, Duration::from_secs(300));
            jail.set_env("VITAE_SEARCH_MEMORY_TTL", "soon");
            let error = Config::from_figment(Config::figment(None)).expect_err("not a duration").to_string();
            assert!(error.contains("VITAE_SEARCH_MEMORY_TTL") && error.contains("accepts a duration"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn unknown_variables_are_refused_but_developer_script_ones_ignored() {
        Jail::expect_with(|jail| {
            jail.set_env("VITAE_DATABSE_URL", "postgres://typo");
            let error = Config::from_figment(Config::figment(None)).expect_err("a typo must not pass").to_string();
            assert!(error.contains("VITAE_DATABSE_URL"), "{error}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("VITAE_DEV_PG_PORT", "5555");
            Config::from_figment(Config::figment(None)).map_err(|e| e.to_string())?;
            Ok(())
        });
    }

    #[test]
    fn a_config_file_is_read_and_the_environment_wins_over_it() {
        Jail::expect_with(|jail| {
            jail.create_file("vitae.toml", "pool_max_connections = 7\nlisten = \"0.0.0.0:9000\"")?;
            jail.set_env("VITAE_LISTEN", "127.0.0.1:9001");
            let config = Config::from_figment(Config::figment(Some("vitae.toml".into()))).map_err(|e| e.to_string())?;
            assert_eq!(config.pool_max_connections, 7);
            assert_eq!(config.listen.port(), 9001);
            Ok(())
        });
    }

    #[test]
    fn index_build_memory_must_be_a_postgresql_size() {
        for good in ["512MB", "4GB", "65536kB"] {
            assert!(is_pg_size(good), "{good}");
        }
        for bad in ["", "4G", "GB", "4 GB", "1GB'; drop table x", "-1MB", "99999999GB"] {
            assert!(!is_pg_size(bad), "{bad}");
        }
    }

    #[test]
    fn printed_configuration_masks_passwords_keys_and_tokens() {
        let config =
            Config { openai_api_key: Some("sk-live-123".into()), metrics_token: Some("scrape-456".into()), ..Config::default() };
        let lines = config.masked_env_lines().join("\n");
        assert!(lines.contains("VITAE_DATABASE_URL=postgres://vitae_app:********@127.0.0.1:54329/vitae"), "{lines}");
        assert!(lines.contains("VITAE_METRICS_TOKEN=********"), "{lines}");
        for secret in ["vitae_app:vitae_app", "sk-live-123", "scrape-456"] {
            assert!(!lines.contains(secret), "{lines}");
        }
    }
}
