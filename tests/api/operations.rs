//! Operations: metrics, statements, backups, a database outage under a running service, and a
//! streaming read replica. The outage and replica tests run PostgreSQL servers of their own
//! (scripts/dev-db named instances on their own ports), so stopping one disturbs no other test.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;
use url::Url;
use vitae_tests::pg_tools::repo_root;
use vitae_tests::{TestApp, TestDb, expect_json, expect_problem};

/// A named scripts/dev-db server, destroyed when dropped.
struct Instance {
    name: &'static str,
    port: u16,
}

impl Instance {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(repo_root().join("scripts/dev-db"));
        command.args(args).env("VITAE_DEV_PG_INSTANCE", self.name).env("VITAE_DEV_PG_PORT", self.port.to_string());
        command
    }

    fn dev_db(&self, args: &[&str]) {
        let output = self.command(args).output().expect("running scripts/dev-db");
        assert!(output.status.success(), "dev-db {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// A fresh server (any old data folder of this name removed first).
    fn fresh(name: &'static str, port: u16) -> Self {
        let instance = Self { name, port };
        instance.dev_db(&["destroy"]);
        instance.dev_db(&["start"]);
        instance
    }

    fn superuser(&self) -> Url {
        Url::parse(&format!("postgres://postgres:postgres@127.0.0.1:{}/postgres", self.port)).unwrap()
    }

    fn url(&self, role: &str) -> String {
        format!("postgres://{role}:{role}@127.0.0.1:{}/vitae", self.port)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.command(&["destroy"]).output();
    }
}

async fn eventually(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} did not happen within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn metrics_show_requests_search_stages_pools_and_the_index() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    app.create_profile(&tenant, json!({"display_name": "Rhea", "headline": "Rust engineer"})).await;
    expect_json(app.post("/v1/search", &tenant.read, &json!({"q": "rust"})).send().await.unwrap(), 200).await;
    let body = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for needle in [
        r#"vitae_http_requests_total{method="POST",route="/v1/profiles",status="201"} 1"#,
        r#"vitae_http_requests_total{method="POST",route="/v1/search",status="200"} 1"#,
        r#"vitae_http_request_duration_seconds_bucket{method="POST",route="/v1/search",le="10"} 1"#,
        r#"vitae_search_stage_seconds_count{mode="hybrid",stage="semantic"} 1"#,
        r#"vitae_embedding_batch_seconds_count{kind="documents"}"#,
        r#"vitae_db_pool_connections{pool="primary",state="idle"}"#,
        "vitae_ann_index_lists 0",
    ] {
        assert!(body.contains(needle), "/metrics lacks {needle}:\n{body}");
    }
    // The request id is taken from the caller, or made, and returned.
    let response = app.http.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let response = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"].len(), 36);

    // Another tenant's writes show up only as normalised statements: no ids, no values.
    let rival = app.tenant("rival").await;
    let theirs = app.create_profile(&rival, json!({"display_name": "Zorblax Quorvath", "headline": "Secret agent"})).await;
    let statements = expect_json(app.get("/v1/admin/statements", &tenant.admin).send().await.unwrap(), 200).await;
    // The busiest statements vary run to run; some name the schema quoted (foreign-key checks).
    let names_the_schema = |q: &str| q.contains("vitae.") || q.contains("\"vitae\".");
    assert!(statements.as_array().unwrap().iter().any(|s| names_the_schema(s["query"].as_str().unwrap())), "{statements}");
    let text = statements.to_string();
    for secret in [rival.id.to_string(), theirs["id"].as_str().unwrap().to_owned(), "Zorblax".to_owned()] {
        assert!(!text.contains(&secret), "the statements show another tenant's {secret}");
    }
    expect_problem(app.get("/v1/admin/statements", &tenant.write).send().await.unwrap(), 403, "forbidden").await;
}

#[tokio::test]
async fn with_a_metrics_token_only_the_scraper_that_sends_it_reads_metrics() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("scrape-me-7f3a".into())).await;
    let tenant = app.tenant("acme").await;
    let metrics = || app.http.get(app.url("/metrics"));
    let refused = metrics().send().await.unwrap();
    assert_eq!(refused.headers()["www-authenticate"], "Bearer");
    expect_problem(refused, 401, "unauthorized").await;
    expect_problem(metrics().bearer_auth("scrape-me-7f3b").send().await.unwrap(), 401, "unauthorized").await;
    // An API key, even an admin one, is not the metrics token.
    expect_problem(metrics().bearer_auth(&tenant.admin).send().await.unwrap(), 401, "unauthorized").await;
    let allowed = metrics().bearer_auth("scrape-me-7f3a").send().await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert!(allowed.text().await.unwrap().contains("vitae_http_requests_total"));
}

/// Row count and a digest of every row of a table.
async fn table_digest(conn: &mut sqlx::PgConnection, table: &str) -> (i64, Option<String>) {
    let sql = format!("select count(*), md5(string_agg(t::text, '|' order by t::text)) from vitae.{table} t");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(conn).await.unwrap()
}

#[tokio::test]
async fn a_backup_restores_every_row_document_and_search_result() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    for (name, headline) in [("Rhea", "Rust engineer"), ("Paco", "Pastry chef"), ("Ines", "Cardiologist")] {
        app.create_profile(
            &tenant,
            json!({"display_name": name, "headline": headline,
            "skills": [{"name": "Cooking"}], "experiences": [{"title": headline, "start_date": "2020-01-01"}],
            "masks": [{"name": "Recruiters", "config": {"hide": ["summary"]}}]}),
        )
        .await;
    }
    let query = json!({"q": "heart doctor", "explain": true});
    let before = expect_json(app.post("/v1/search", &tenant.read, &query).send().await.unwrap(), 200).await;

    let dir = std::env::temp_dir().join(format!("vitae-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("vitae.dump");
    let bin = vitae_tests::pg_tools::pg_bin("pg_dump").parent().map(std::path::Path::to_path_buf);
    let bytes = vitae::service::backup::backup(bin.as_deref(), &app.db.owner_url(), &file).await.unwrap();
    assert!(bytes > 1000);

    let restored = TestDb::create_empty().await;
    vitae::service::backup::restore(bin.as_deref(), &restored.owner_url(), &file).await.unwrap();
    let tables = [
        "tenants",
        "api_keys",
        "profiles",
        "experiences",
        "skills",
        "masks",
        "search_documents",
        "document_embeddings",
        "document_passages",
    ];
    let mut original = app.db.connect_as_superuser().await;
    let mut copy = restored.connect_as_superuser().await;
    for table in tables {
        let (a, b) = (table_digest(&mut original, table).await, table_digest(&mut copy, table).await);
        assert!(a.0 > 0, "{table} has rows");
        assert_eq!(a, b, "{table}: the same rows after restore");
    }
    // A restore into a database that has the schema already fails and changes nothing.
    assert!(vitae::service::backup::restore(bin.as_deref(), &restored.owner_url(), &file).await.is_err());

    let copy_app = TestApp::spawn_on(restored, |_| {}).await;
    let after = expect_json(copy_app.post("/v1/search", &tenant.read, &query).send().await.unwrap(), 200).await;
    let hits = |page: &serde_json::Value| {
        page["hits"].as_array().unwrap().iter().map(|h| (h["profile_id"].clone(), h["score"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(hits(&after), hits(&before), "the same search results, by the same key");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn while_the_database_is_down_requests_get_503_with_retry_after_and_service_recovers() {
    let pg = Instance::fresh("outage", 54339);
    let app = TestApp::spawn_on(TestDb::existing(pg.superuser(), "vitae"), |c| {
        c.database_url = pg.url("vitae_app");
        c.owner_database_url = Some(pg.url("vitae_owner"));
        c.migrate_on_start = true;
    })
    .await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Rhea", "headline": "Rust engineer"})).await;
    let path = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    expect_json(app.get("/readyz", "").send().await.unwrap(), 200).await;

    pg.dev_db(&["stop"]);
    let started = Instant::now();
    let response = app.get(&path, &tenant.read).send().await.unwrap();
    let waited = started.elapsed();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}: within the acquire timeout, not a hang");
    let response = app.post("/v1/search", &tenant.read, &json!({"q": "rust"})).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status(), 200, "alive while the database is down");

    pg.dev_db(&["start"]);
    eventually("recovery without a restart", Duration::from_secs(30), async || {
        app.get(&path, &tenant.read).send().await.is_ok_and(|r| r.status() == 200)
    })
    .await;
    expect_json(app.get("/readyz", "").send().await.unwrap(), 200).await;
    app.create_profile(&tenant, json!({"display_name": "Paco", "headline": "Pastry chef"})).await;
}

#[tokio::test]
async fn searches_and_plain_reads_are_served_by_the_read_replica() {
    let primary = Instance::fresh("primary", 54349);
    let replica = Instance { name: "replica", port: 54359 };
    replica.dev_db(&["destroy"]);
    let app = TestApp::spawn_on(TestDb::existing(primary.superuser(), "vitae"), |c| {
        c.database_url = primary.url("vitae_app");
        c.owner_database_url = Some(primary.url("vitae_owner"));
        c.read_database_url = Some(replica.url("vitae_app"));
        c.migrate_on_start = true;
    })
    .await;
    let tenant = app.tenant("acme").await;
    // The replica is cloned after migrations and the tenant exist; it streams what follows.
    replica.dev_db(&["start-replica", &primary.port.to_string()]);
    let profile = app.create_profile(&tenant, json!({"display_name": "Rhea", "headline": "Rust engineer"})).await;
    let id = profile["id"].as_str().unwrap().to_owned();
    // A write answers from the primary at once, whatever the replica's lag.
    assert_eq!(profile["display_name"], "Rhea");
    eventually("replication of the new profile", Duration::from_secs(30), async || {
        let page = app.post("/v1/search", &tenant.read, &json!({"q": "rust"})).send().await.unwrap();
        page.status() == 200 && page.json::<serde_json::Value>().await.unwrap()["hits"][0]["profile_id"] == id.as_str()
    })
    .await;
    // A standby exports and imports snapshots too: the legs of those searches ran side by side.
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.lines().any(|l| l.starts_with("vitae_search_legs_total{run=\"side_by_side\"}")), "{metrics}");

    // Reads that must see their own writes ask for the primary with `Cache-Control: no-cache`.
    // With replay paused the replica is behind by exactly one edit, so each answer shows which
    // server gave it.
    let mut on_replica = sqlx::PgConnection::connect(replica.superuser().as_str()).await.unwrap();
    sqlx::query("select pg_wal_replay_pause()").execute(&mut on_replica).await.unwrap();
    let path = format!("/v1/profiles/{id}");
    let edited =
        expect_json(app.patch(&path, &tenant.write, &json!({"headline": "Rust and Postgres"})).send().await.unwrap(), 200).await;
    assert_eq!(edited["headline"], "Rust and Postgres", "a write answers from the primary");
    let headline = async |fresh: bool| {
        let mut request = app.get(&path, &tenant.read);
        if fresh {
            request = request.header("cache-control", "max-age=0, no-cache");
        }
        expect_json(request.send().await.unwrap(), 200).await["headline"].as_str().unwrap().to_owned()
    };
    assert_eq!(headline(false).await, "Rust engineer", "a plain read is served by the paused replica");
    assert_eq!(headline(true).await, "Rust and Postgres", "no-cache reads the primary");
    let keyword = json!({"q": "postgres", "mode": "keyword"});
    let stale = expect_json(app.post("/v1/search", &tenant.read, &keyword).send().await.unwrap(), 200).await;
    assert_eq!(stale["hits"], json!([]), "a plain search is served by the paused replica");
    let fresh = app.post("/v1/search", &tenant.read, &keyword).header("cache-control", "no-cache");
    let fresh = expect_json(fresh.send().await.unwrap(), 200).await;
    assert_eq!(fresh["hits"][0]["profile_id"], id.as_str(), "no-cache searches the primary");
    sqlx::query("select pg_wal_replay_resume()").execute(&mut on_replica).await.unwrap();
    eventually("replay of the edit", Duration::from_secs(30), async || headline(false).await == "Rust and Postgres").await;
    drop(on_replica);

    // With the primary gone, searches and plain reads still answer (from the replica); writes,
    // which need the primary, get 503.
    primary.dev_db(&["stop"]);
    let page = expect_json(app.post("/v1/search", &tenant.read, &json!({"q": "rust"})).send().await.unwrap(), 200).await;
    assert_eq!(page["hits"][0]["profile_id"], id.as_str());
    expect_json(app.get(&format!("/v1/profiles/{id}"), &tenant.read).send().await.unwrap(), 200).await;
    let write = app.post("/v1/profiles", &tenant.write, &json!({"display_name": "Paco"})).send().await.unwrap();
    assert_eq!(write.status(), 503);
    drop(app);
    drop(replica);
}
