//! A running Vitae server for one test: its own database, its own port, real HTTP.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use vitae::config::Config;
use vitae::Application;

use crate::db::TestDb;

pub struct TestApp {
    pub address: SocketAddr,
    pub base_url: String,
    pub http: reqwest::Client,
    pub db: TestDb,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns a server whose configuration `adjust` may change first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        init_logs();
        let db = TestDb::create().await;
        let mut config = Config::default();
        config.listen = "127.0.0.1:0".parse().expect("socket address");
        config.database_url = db.app_url();
        config.owner_database_url = Some(db.owner_url());
        // The template already carries every migration.
        config.migrate_on_start = false;
        adjust(&mut config);
        let app = Application::build(config).await.expect("building the application");
        let address = app.local_addr();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Self {
            address,
            base_url: format!("http://{address}"),
            http: reqwest::Client::new(),
            db,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops the server the way SIGTERM does and waits for it to finish.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.server.take() {
            Some(handle) => handle.await?,
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.server.take() {
            handle.abort();
        }
    }
}

/// Logs only when asked for: `TEST_LOG=debug cargo test ...`.
fn init_logs() {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        vitae::telemetry::init(vitae::config::LogFormat::Text, &filter);
    }
}
