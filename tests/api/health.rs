//! Liveness and readiness.

use vitae_tests::TestApp;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/healthz")).send().await.expect("request");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_is_ready_when_the_database_answers_and_is_migrated() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/readyz")).send().await.expect("request");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["migrations"], "current");
}

#[tokio::test]
async fn readyz_is_not_ready_while_migrations_are_pending() {
    let app = TestApp::spawn().await;
    vitae_repository::migrate::down_to(&app.db.owner_pool(), 2).await.expect("reverting one");
    let response = app.http.get(app.url("/readyz")).send().await.expect("request");
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["migrations"], "pending");
}

#[tokio::test]
async fn the_server_migrates_an_empty_database_at_start_up() {
    let db = vitae_tests::TestDb::create().await;
    vitae_repository::migrate::down_to(&db.owner_pool(), 0).await.expect("emptying");
    let config = vitae::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: db.app_url(),
        owner_database_url: Some(db.owner_url()),
        migrate_on_start: true,
        model_dir: vitae_tests::pg_tools::model_dir(),
        embedding_workers: 1,
        ..vitae::Config::default()
    };
    let app = vitae::Application::build(config).await.expect("build migrates");
    let address = app.local_addr();
    let server = tokio::spawn(app.run_until(std::future::pending()));
    let response = reqwest::get(format!("http://{address}/readyz")).await.expect("request");
    assert_eq!(response.status(), 200);
    server.abort();
}

#[tokio::test]
async fn unknown_routes_answer_404_problem_json() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/no/such/route")).send().await.expect("request");
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], 404);
    assert_eq!(body["code"], "not_found");
    assert!(body["request_id"].is_string());
}
