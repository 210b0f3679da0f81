//! A running Vitae server for one test: its own database, its own port, real HTTP.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use vitae::Application;
use vitae::config::Config;

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
        Self::spawn_on(TestDb::create().await, adjust).await
    }

    /// Spawns a server on `db` (migrated unless `adjust` turns migrations on).
    pub async fn spawn_on(db: TestDb, adjust: impl FnOnce(&mut Config)) -> Self {
        init_logs();
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("socket address"),
            database_url: db.app_url(),
            owner_database_url: Some(db.owner_url()),
            // The template already carries every migration.
            migrate_on_start: false,
            model_dir: crate::pg_tools::model_dir(),
            // Tests run in parallel processes on few cores: one embedding worker each.
            embedding_workers: 1,
            ..Config::default()
        };
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

    /// A new tenant with one key of each scope.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let pool = vitae_repository::DatabaseSettings::new(self.db.app_url()).pool().expect("pool");
        let tenant = vitae_repository::tenants::create(&pool, name).await.expect("creating a tenant");
        let mut keys = Vec::new();
        for scope in ["read", "write", "admin"] {
            let key = vitae::auth::generate();
            let mut tx = vitae_repository::TenantTx::begin(&pool, tenant.id).await.expect("tx");
            vitae_repository::tenants::insert_key(&mut tx, key.id, scope, &key.secret_hash, &[scope.to_owned()])
                .await
                .expect("creating a key");
            tx.commit().await.expect("commit");
            keys.push(key.token);
        }
        pool.close().await;
        let [read, write, admin] = <[String; 3]>::try_from(keys).expect("three keys");
        Tenant { id: tenant.id, read, write, admin }
    }

    /// The client generated from the OpenAPI document, authenticated with `key`.
    pub fn client(&self, key: &str) -> vitae_client::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {key}")).expect("header value");
        headers.insert(reqwest::header::AUTHORIZATION, value);
        let http = reqwest::Client::builder().default_headers(headers).build().expect("HTTP client");
        vitae_client::Client::new_with_client(&self.base_url, http)
    }

    pub fn get(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(key).json(body)
    }

    /// A POST of a raw body with this content type (imports, malformed or mistyped bodies).
    pub fn post_body(
        &self,
        path: &str,
        key: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(key).header("content-type", content_type).body(body)
    }

    pub fn patch(&self, path: &str, key: &str, body: &serde_json::Value) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).bearer_auth(key).json(body)
    }

    pub fn delete(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(key)
    }

    /// Creates a profile with the write key and returns its body (panics unless 201).
    pub async fn create_profile(&self, tenant: &Tenant, body: serde_json::Value) -> serde_json::Value {
        let response = self.post("/v1/profiles", &tenant.write, &body).send().await.expect("request");
        expect_json(response, 201).await
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

/// A tenant and a key of each scope.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: uuid::Uuid,
    pub read: String,
    pub write: String,
    pub admin: String,
}

/// The JSON body of a response with status `status` (panics with the body otherwise).
pub async fn expect_json(response: reqwest::Response, status: u16) -> serde_json::Value {
    let actual = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json response with this status and code; returns the document.
pub async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = expect_json(response, status).await;
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    body
}

/// The fields a 422 (or 409) problem names.
pub fn problem_fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Logs only when asked for: `TEST_LOG=debug cargo test ...`.
fn init_logs() {
    if let Ok(filter) = std::env::var("TEST_LOG") {
        vitae::telemetry::init(vitae::config::LogFormat::Text, &filter);
    }
}
