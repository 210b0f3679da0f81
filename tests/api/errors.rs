//! Malformed requests get precise problem documents, never a 500.

use serde_json::json;
use vitae_tests::{TestApp, expect_problem, problem_fields};

#[tokio::test]
async fn malformed_json_is_400_and_says_where_it_broke() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let response = app
        .http
        .post(app.url("/v1/profiles"))
        .bearer_auth(&tenant.write)
        .header("content-type", "application/json")
        .body("{\"display_name\": \"Ada\",,}")
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, 400, "malformed_request").await;
    assert!(problem["detail"].as_str().unwrap().contains("line 1 column"), "{problem}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut request = app.http.post(app.url("/v1/profiles")).bearer_auth(&tenant.write).body("display_name=Ada");
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        expect_problem(request.send().await.unwrap(), 415, "unsupported_media_type").await;
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn_with(|c| c.body_limit_bytes = 4096).await;
    let tenant = app.tenant("acme").await;
    let body = json!({"display_name": "Ada", "summary": "x".repeat(5000)});
    expect_problem(app.post("/v1/profiles", &tenant.write, &body).send().await.unwrap(), 413, "payload_too_large").await;
}

#[tokio::test]
async fn wrong_types_missing_and_unknown_fields_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    for (body, field, code) in [
        (json!({"display_name": 42}), "display_name", "type"),
        (json!({"headline": "no name"}), "display_name", "required"),
        (json!({"display_name": "Ada", "nickname": "A"}), "nickname", "unknown_field"),
        (json!({"display_name": "Ada", "availability": "busy"}), "availability", "format"),
        (json!({"display_name": "Ada", "skills": [{"name": "Rust", "level": "high"}]}), "skills[0].level", "type"),
        (
            json!({"display_name": "Ada", "experiences": [{"title": "x", "start_date": "yesterday"}]}),
            "experiences[0].start_date",
            "format",
        ),
        (json!(["Ada"]), "", "type"),
        (json!({"display_name": "Ada", "contact": [null]}), "contact", "type"),
    ] {
        let problem =
            expect_problem(app.post("/v1/profiles", &tenant.write, &body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{body} -> {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
}

#[tokio::test]
async fn bad_query_parameters_are_422_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("availability=busy", "availability"),
        ("updated_since=yesterday", "updated_since"),
        ("cursor=not-a-cursor", "cursor"),
        ("country=XX", "country"),
        ("colour=blue", "colour"),
    ] {
        let response = app.get(&format!("/v1/profiles?{query}"), &tenant.read).send().await.unwrap();
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{query} -> {problem}");
    }
}

#[tokio::test]
async fn a_malformed_id_in_the_path_is_404() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    expect_problem(app.get("/v1/profiles/not-a-uuid", &tenant.read).send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test]
async fn a_malformed_if_match_is_400_and_a_stale_one_412() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let path = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    for bad in ["", "W/\"1\"", "\"one\"", "\"1\", \"2\"", "-1", "\"1"] {
        let response = app.patch(&path, &tenant.write, &json!({"headline": "x"})).header("if-match", bad).send().await.unwrap();
        expect_problem(response, 400, "malformed_request").await;
    }
    for stale in ["\"999\"", "999"] {
        let response = app.patch(&path, &tenant.write, &json!({"headline": "x"})).header("if-match", stale).send().await.unwrap();
        expect_problem(response, 412, "precondition_failed").await;
    }
}

#[tokio::test]
async fn error_messages_escape_control_characters_they_quote() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let response = app.get("/v1/profiles?%C2%9Dodd%01=1", &tenant.read).send().await.unwrap();
    let problem = expect_problem(response, 422, "validation_failed").await;
    let text = problem.to_string();
    assert!(!text.chars().any(char::is_control), "{text}");
    assert!(problem["errors"][0]["field"].as_str().unwrap().contains("\\u{1}"), "{problem}");
}

#[tokio::test]
async fn integers_may_be_written_with_a_zero_fraction() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app
        .create_profile(
            &tenant,
            json!({"display_name": "Ada", "skills": [{"name": "Rust", "level": 5.0}],
            "masks": [{"name": "Team", "config": {"version": 1.0}}]}),
        )
        .await;
    assert_eq!(profile["skills"][0]["level"], 5);
    let problem = expect_problem(
        app.post("/v1/profiles", &tenant.write, &json!({"display_name": "Bo", "skills": [{"name": "Go", "level": 4.5}]}))
            .send()
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["skills[0].level"]);
}

#[tokio::test]
async fn a_wrong_method_is_405_problem_json() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let response = app.http.put(app.url("/v1/profiles")).bearer_auth(&tenant.write).send().await.unwrap();
    assert!(response.headers().get("allow").is_some());
    expect_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn nul_characters_are_refused_with_422_not_a_database_error() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let problem = expect_problem(
        app.post("/v1/profiles", &tenant.write, &json!({"display_name": "Ada\u{0}Lovelace"})).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["display_name"]);
    let problem =
        expect_problem(app.get("/v1/profiles?tag=a%00b", &tenant.read).send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), vec!["tag"]);
}

#[tokio::test]
async fn error_bodies_carry_no_internals() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let response =
        app.post("/v1/profiles", &tenant.write, &json!({"display_name": "Ada", "external_id": "x1"})).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let response =
        app.post("/v1/profiles", &tenant.write, &json!({"display_name": "Bo", "external_id": "x1"})).send().await.unwrap();
    let problem = expect_problem(response, 409, "conflict").await;
    assert_eq!(problem_fields(&problem), vec!["external_id"]);
    let text = problem.to_string().to_lowercase();
    for secret in ["constraint", "violates", "sqlx", "postgres", "duplicate key"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}
