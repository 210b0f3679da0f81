//! API keys: 401 without a valid one, 403 without the scope, tenants never see each other.

use serde_json::json;
use vitae_tests::{TestApp, expect_json, expect_problem};

#[tokio::test]
async fn a_request_without_a_key_is_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/v1/profiles")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    expect_problem(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn malformed_unknown_and_wrong_scheme_keys_are_401() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let mut forged = tenant.read.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    for header in [
        "Bearer nonsense".to_owned(),
        format!("Basic {}", tenant.read),
        format!("Bearer {forged}"),
        format!("Bearer vitae_{}_{}", uuid::Uuid::now_v7().simple(), "A".repeat(43)),
    ] {
        let response = app.http.get(app.url("/v1/profiles")).header("authorization", header.clone()).send().await.unwrap();
        expect_problem(response, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn a_revoked_key_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    expect_json(app.get("/v1/profiles", &tenant.read).send().await.unwrap(), 200).await;
    let pool = vitae_repository::DatabaseSettings::new(app.db.app_url()).pool().unwrap();
    let key = vitae::auth::parse(&tenant.read).unwrap();
    let mut tx = vitae_repository::TenantTx::begin(&pool, tenant.id).await.unwrap();
    vitae_repository::tenants::revoke_key(&mut tx, key.id).await.unwrap();
    tx.commit().await.unwrap();
    let problem = expect_problem(app.get("/v1/profiles", &tenant.read).send().await.unwrap(), 401, "unauthorized").await;
    assert!(problem["detail"].as_str().unwrap().contains("revoked"));
}

#[tokio::test]
async fn a_read_key_cannot_write_and_a_write_key_can() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let body = json!({"display_name": "Ada"});
    let problem = expect_problem(app.post("/v1/profiles", &tenant.read, &body).send().await.unwrap(), 403, "forbidden").await;
    assert!(problem["detail"].as_str().unwrap().contains("write"));
    let profile = app.create_profile(&tenant, body).await;
    let id = profile["id"].as_str().unwrap();
    for request in [
        app.patch(&format!("/v1/profiles/{id}"), &tenant.read, &json!({"headline": "x"})),
        app.delete(&format!("/v1/profiles/{id}"), &tenant.read),
        app.post(&format!("/v1/profiles/{id}/restore"), &tenant.read, &json!({})),
        app.post(&format!("/v1/profiles/{id}/skills"), &tenant.read, &json!({"name": "Rust"})),
        app.post(&format!("/v1/profiles/{id}/experiences"), &tenant.read, &json!({"title": "x", "start_date": "2020-01-01"})),
        app.get(&format!("/v1/profiles/{id}/masks"), &tenant.read),
    ] {
        expect_problem(request.send().await.unwrap(), 403, "forbidden").await;
    }
    // Admin includes write.
    app.create_profile(&vitae_tests::Tenant { write: tenant.admin.clone(), ..tenant.clone() }, json!({"display_name": "Bo"}))
        .await;
}

#[tokio::test]
async fn another_tenants_profiles_are_404_and_absent_from_lists() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.tenant("a").await, app.tenant("b").await);
    let theirs = app
        .create_profile(
            &b,
            json!({"display_name": "Bea Other", "experiences": [{"title": "Chef", "start_date": "2020-01-01"}],
            "skills": [{"name": "Baking"}]}),
        )
        .await;
    let id = theirs["id"].as_str().unwrap();
    let experience = theirs["experiences"][0]["id"].as_str().unwrap();
    let skill = theirs["skills"][0]["id"].as_str().unwrap();
    let masks = expect_json(app.get(&format!("/v1/profiles/{id}/masks"), &b.write).send().await.unwrap(), 200).await;
    let mask = masks[0]["id"].as_str().unwrap();
    let slug = theirs["slug"].as_str().unwrap();

    for request in [
        app.get(&format!("/v1/profiles/{id}"), &a.write),
        app.get(&format!("/v1/profiles/{id}"), &a.read),
        app.get(&format!("/v1/profiles/by-slug/{slug}"), &a.write),
        app.patch(&format!("/v1/profiles/{id}"), &a.write, &json!({"headline": "hijacked"})),
        app.delete(&format!("/v1/profiles/{id}"), &a.write),
        app.post(&format!("/v1/profiles/{id}/restore"), &a.write, &json!({})),
        app.get(&format!("/v1/profiles/{id}/experiences"), &a.write),
        app.post(&format!("/v1/profiles/{id}/experiences"), &a.write, &json!({"title": "x", "start_date": "2020-01-01"})),
        app.patch(&format!("/v1/profiles/{id}/experiences/{experience}"), &a.write, &json!({"title": "x"})),
        app.delete(&format!("/v1/profiles/{id}/experiences/{experience}"), &a.write),
        app.get(&format!("/v1/profiles/{id}/skills"), &a.write),
        app.post(&format!("/v1/profiles/{id}/skills"), &a.write, &json!({"name": "Rust"})),
        app.patch(&format!("/v1/profiles/{id}/skills/{skill}"), &a.write, &json!({"name": "x"})),
        app.delete(&format!("/v1/profiles/{id}/skills/{skill}"), &a.write),
        app.get(&format!("/v1/profiles/{id}/masks"), &a.write),
        app.get(&format!("/v1/profiles/{id}/masks/{mask}"), &a.write),
        app.post(&format!("/v1/profiles/{id}/masks"), &a.write, &json!({"name": "x"})),
        app.patch(&format!("/v1/profiles/{id}/masks/{mask}"), &a.write, &json!({"name": "x"})),
        app.delete(&format!("/v1/profiles/{id}/masks/{mask}"), &a.write),
    ] {
        expect_problem(request.send().await.unwrap(), 404, "not_found").await;
    }
    // Exactly like an id that does not exist at all.
    let missing = uuid::Uuid::now_v7();
    expect_problem(app.get(&format!("/v1/profiles/{missing}"), &a.write).send().await.unwrap(), 404, "not_found").await;

    app.create_profile(&a, json!({"display_name": "Ann Mine"})).await;
    let list = expect_json(app.get("/v1/profiles?include_inactive=true", &a.write).send().await.unwrap(), 200).await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Ann Mine"]);

    // B's profile is untouched.
    let still = expect_json(app.get(&format!("/v1/profiles/{id}"), &b.write).send().await.unwrap(), 200).await;
    assert_eq!(still["version"], theirs["version"]);
    assert_eq!(still["experiences"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_key_over_its_rate_limit_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(|c| {
        c.rate_limit_per_second = 1;
        c.rate_limit_burst = 3;
    })
    .await;
    let tenant = app.tenant("acme").await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let response = app.get("/v1/profiles", &tenant.read).send().await.unwrap();
        if response.status() == 429 {
            assert!(response.headers().get("retry-after").is_some());
            expect_problem(response, 429, "rate_limited").await;
            statuses.push(429);
        } else {
            statuses.push(response.status().as_u16());
        }
    }
    assert_eq!(&statuses[..3], &[200, 200, 200], "the burst is allowed");
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    // Another key has its own budget.
    expect_json(app.get("/v1/profiles", &tenant.write).send().await.unwrap(), 200).await;
}
