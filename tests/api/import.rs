//! Bulk import: NDJSON lines keyed by external_id; re-running updates; bad lines fail alone.

use serde_json::{Value, json};
use vitae_tests::{TestApp, expect_json, expect_problem};

fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

async fn import(app: &TestApp, key: &str, body: String) -> Value {
    let response = app.post_body("/v1/profiles:import", key, "application/x-ndjson", body).send().await.unwrap();
    expect_json(response, 200).await
}

#[tokio::test]
async fn importing_twice_updates_instead_of_duplicating() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let lines = vec![
        json!({"external_id": "p1", "display_name": "Ada Lovelace", "skills": [{"name": "Mathematics"}]}),
        json!({"external_id": "p2", "display_name": "Grace Hopper", "masks": [{"name": "Press", "config": {"hide": ["summary"]}}]}),
        json!({"external_id": "p3", "display_name": "Alan Turing"}),
    ];
    let first = import(&app, &tenant.write, ndjson(&lines)).await;
    assert_eq!((first["lines"].as_u64(), first["created"].as_u64(), first["failed"].as_u64()), (Some(3), Some(3), Some(0)));
    let ids: Vec<Value> = first["results"].as_array().unwrap().iter().map(|r| r["id"].clone()).collect();

    let mut changed = lines.clone();
    changed[0]["headline"] = json!("Mathematician");
    changed[0]["skills"] = json!([{"name": "Poetry"}]);
    let second = import(&app, &tenant.write, ndjson(&changed)).await;
    assert_eq!((second["updated"].as_u64(), second["created"].as_u64()), (Some(3), Some(0)));
    let ids_again: Vec<Value> = second["results"].as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, ids_again, "the same profiles");

    let list = expect_json(app.get("/v1/profiles?limit=100", &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let ada =
        expect_json(app.get(&format!("/v1/profiles/{}", ids[0].as_str().unwrap()), &tenant.write).send().await.unwrap(), 200)
            .await;
    assert_eq!(ada["headline"], "Mathematician");
    let skills: Vec<&str> = ada["skills"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(skills, vec!["Poetry"], "parts are replaced, not appended");
    let grace = ids[1].as_str().unwrap();
    let masks = expect_json(app.get(&format!("/v1/profiles/{grace}/masks"), &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(masks.as_array().unwrap().len(), 2, "public and press, once each");
}

#[tokio::test]
async fn a_bad_line_fails_alone_naming_its_line_and_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let body = [
        json!({"external_id": "ok-1", "display_name": "Good One"}).to_string(),
        "{not json".to_owned(),
        json!({"display_name": "No External Id"}).to_string(),
        String::new(),
        json!({"external_id": "bad-country", "display_name": "X", "country": "XX"}).to_string(),
        json!({"external_id": "bad-dates", "display_name": "Y", "experiences": [{"title": "t", "start_date": "2020-02-01", "end_date": "2020-01-01"}]}).to_string(),
        json!({"external_id": "ok-2", "display_name": "Good Two", "unknown": 1}).to_string(),
        json!({"external_id": "ok-3", "display_name": "Good Three"}).to_string(),
    ]
    .join("\n");
    let report = import(&app, &tenant.write, body).await;
    assert_eq!((report["lines"].as_u64(), report["created"].as_u64(), report["failed"].as_u64()), (Some(7), Some(2), Some(5)));
    let failures: Vec<(u64, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| (r["line"].as_u64().unwrap(), r["errors"][0]["field"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        failures,
        vec![
            (2, "line".to_owned()),
            (3, "external_id".to_owned()),
            (5, "country".to_owned()),
            (6, "experiences[0].end_date".to_owned()),
            (7, "unknown".to_owned()),
        ]
    );
    let list = expect_json(app.get("/v1/profiles?limit=100", &tenant.write).send().await.unwrap(), 200).await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Good One", "Good Three"]);
}

#[tokio::test]
async fn an_import_needs_ndjson_and_write_scope() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let body = json!({"external_id": "p1", "display_name": "Ada"}).to_string();
    let response =
        app.http.post(app.url("/v1/profiles:import")).bearer_auth(&tenant.write).json(&json!([body])).send().await.unwrap();
    expect_problem(response, 415, "unsupported_media_type").await;
    let response = app
        .http
        .post(app.url("/v1/profiles:import"))
        .bearer_auth(&tenant.read)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    expect_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn imported_profiles_are_searchable_documents_when_the_import_returns() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let lines: Vec<Value> = (0..130)
        .map(|i| json!({"external_id": format!("p{i}"), "display_name": format!("Person {i}"), "headline": format!("Engineer number {i}")}))
        .collect();
    let report = import(&app, &tenant.write, ndjson(&lines)).await;
    assert_eq!(report["created"], 130, "two batches");
    let mut conn = app.db.connect_as_superuser().await;
    let (documents, embedded): (i64, i64) = sqlx::query_as(
        "select count(*), count(e.document_id) from vitae.search_documents d \
         left join vitae.document_embeddings e on e.document_id = d.id where d.tenant_id = $1",
    )
    .bind(tenant.id)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!((documents, embedded), (130, 130));
}
