//! Building and running the server. `Application::build` binds the listener first, so callers
//! (tests) can ask for port 0 and learn the real port before serving.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use vitae_embed::Embedder;
use vitae_embed::local::LocalEmbedder;
use vitae_embed::openai::{OpenAiEmbedder, OpenAiSettings};
use vitae_repository::{Pools, migrate};

use crate::config::{Config, EmbeddingProvider};
use crate::http;
use crate::service::indexer::Indexer;
use crate::state::{App, AppState};

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let pools = connect(&config)?;
        if config.migrate_on_start {
            match &pools.owner {
                Some(owner) => migrate::up(owner).await.context("applying migrations at start-up (VITAE_OWNER_DATABASE_URL)")?,
                None => tracing::warn!("VITAE_MIGRATE_ON_START is set but VITAE_OWNER_DATABASE_URL is not; skipping migrations"),
            }
        }
        let embedder = embedder(&config).await?;
        let listener =
            TcpListener::bind(config.listen).await.with_context(|| format!("binding {} (VITAE_LISTEN)", config.listen))?;
        let contract = contract()?;
        let state = AppState(Arc::new(App::new(config, pools, Indexer::new(embedder), contract)));
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests finish
    /// and closes the pools.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let router = http::router(self.state.clone());
        tracing::info!(address = %self.local_addr(), "serving");
        // Index upkeep runs beside the server and stops with it.
        let stop_upkeep = tokio_util::sync::CancellationToken::new();
        let upkeep = tokio::spawn(crate::service::upkeep::run(self.state.clone(), stop_upkeep.clone()));
        let served = http::server::serve(self.listener, router, shutdown).await.context("serving HTTP");
        stop_upkeep.cancel();
        let _ = upkeep.await;
        self.state.pools.close().await;
        served?;
        Ok(())
    }
}

/// Opens the pools (lazily: nothing connects until first use).
pub fn connect(config: &Config) -> anyhow::Result<Pools> {
    let primary = config.database(&config.database_url).pool().context("VITAE_DATABASE_URL is not a valid PostgreSQL URL")?;
    let read = match &config.read_database_url {
        Some(url) => config.database(url).pool().context("VITAE_READ_DATABASE_URL is not a valid PostgreSQL URL")?,
        None => primary.clone(),
    };
    let owner = match config.owner_database() {
        Some(settings) => Some(settings.pool().context("VITAE_OWNER_DATABASE_URL is not a valid PostgreSQL URL")?),
        None => None,
    };
    Ok(Pools { primary, read, owner })
}

/// The configured embedding provider, ready to use (the local model is loaded here).
pub async fn embedder(config: &Config) -> anyhow::Result<Arc<dyn Embedder>> {
    Ok(match config.embedding_provider {
        EmbeddingProvider::Local => {
            let (dir, workers, batch) = (config.model_dir.clone(), config.embedding_workers, config.embedding_batch_size);
            let embedder = tokio::task::spawn_blocking(move || LocalEmbedder::load(&dir, workers, batch))
                .await
                .context("loading the embedding model")?
                .context("loading the embedding model (VITAE_MODEL_DIR)")?;
            tracing::info!(model = embedder.model_id(), workers = embedder.worker_count(), "embedding model loaded");
            Arc::new(embedder)
        }
        EmbeddingProvider::Openai => Arc::new(
            OpenAiEmbedder::new(OpenAiSettings {
                base_url: config.openai_base_url.clone(),
                model: config.openai_model.clone(),
                api_key: config.openai_api_key.clone(),
                dimensions: vitae_embed::local::DIMENSIONS,
                batch_size: config.embedding_batch_size,
                timeout: config.openai_timeout,
                max_retries: config.openai_max_retries,
                initial_backoff: std::time::Duration::from_millis(250),
            })
            .context("configuring the OpenAI-compatible embedding provider")?,
        ),
    })
}

/// The request contract, from this build's OpenAPI document.
pub fn contract() -> anyhow::Result<crate::http::contract::Contract> {
    crate::http::contract::Contract::from_document(&http::document())
        .map_err(|e| anyhow::anyhow!("compiling the request schemas: {e}"))
}
