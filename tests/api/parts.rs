//! Experiences and skills: create, list, update, delete, with their own ETags and rules.

use serde_json::json;
use vitae_tests::{TestApp, expect_json, expect_problem, problem_fields};

#[tokio::test]
async fn experiences_can_be_added_listed_updated_and_removed() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let base = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());

    let response = app
        .post(
            &format!("{base}/experiences"),
            &tenant.write,
            &json!({"title": "Engineer", "organization": "Acme", "start_date": "2019-01-01"}),
        )
        .send()
        .await
        .unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let experience = expect_json(response, 201).await;
    assert_eq!(experience["end_date"], json!(null), "no end date: a current role");
    assert_eq!(location, format!("{base}/experiences/{}", experience["id"].as_str().unwrap()));

    let listed = expect_json(app.get(&format!("{base}/experiences"), &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let updated = app
        .patch(&location, &tenant.write, &json!({"end_date": "2021-06-30", "title": "Senior Engineer"}))
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    let updated = expect_json(updated, 200).await;
    assert_eq!((updated["title"].as_str(), updated["end_date"].as_str()), (Some("Senior Engineer"), Some("2021-06-30")));
    assert_eq!(updated["organization"], "Acme");

    let stale = app.patch(&location, &tenant.write, &json!({"title": "x"})).header("if-match", &etag).send().await.unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    let backwards = app.patch(&location, &tenant.write, &json!({"end_date": "2018-01-01"})).send().await.unwrap();
    let problem = expect_problem(backwards, 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), vec!["end_date"]);
    let reopened = expect_json(app.patch(&location, &tenant.write, &json!({"end_date": null})).send().await.unwrap(), 200).await;
    assert_eq!(reopened["end_date"], json!(null));

    // The profile's version moved with each change to a part of it.
    let now = expect_json(app.get(&base, &tenant.write).send().await.unwrap(), 200).await;
    assert!(now["version"].as_i64().unwrap() >= profile["version"].as_i64().unwrap() + 3);

    let deleted = app.delete(&location, &tenant.write).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    expect_problem(app.delete(&location, &tenant.write).send().await.unwrap(), 404, "not_found").await;
    let listed = expect_json(app.get(&format!("{base}/experiences"), &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn experience_validation_names_each_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let path = format!("/v1/profiles/{}/experiences", profile["id"].as_str().unwrap());
    for (body, field) in [
        (json!({"start_date": "2020-01-01"}), "title"),
        (json!({"title": "x"}), "start_date"),
        (json!({"title": "x", "start_date": "2020-01-01", "end_date": "2019-12-31"}), "end_date"),
        (json!({"title": "x".repeat(201), "start_date": "2020-01-01"}), "title"),
        (json!({"title": "x", "start_date": "2020-01-01", "description": "y".repeat(5001)}), "description"),
        (json!({"title": "x", "start_date": "2020-01-01", "tags": vec!["t"; 31]}), "tags"),
        (json!({"title": "x", "start_date": "2020-13-01"}), "start_date"),
    ] {
        let problem = expect_problem(app.post(&path, &tenant.write, &body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{body}");
    }
}

#[tokio::test]
async fn skill_names_are_unique_per_profile_ignoring_case() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada", "skills": [{"name": "Rust"}]})).await;
    let path = format!("/v1/profiles/{}/skills", profile["id"].as_str().unwrap());
    let problem =
        expect_problem(app.post(&path, &tenant.write, &json!({"name": "rUST"})).send().await.unwrap(), 409, "conflict").await;
    assert_eq!(problem_fields(&problem), vec!["name"]);

    let go = expect_json(app.post(&path, &tenant.write, &json!({"name": "Go", "level": 3})).send().await.unwrap(), 201).await;
    let go_path = format!("{path}/{}", go["id"].as_str().unwrap());
    let problem =
        expect_problem(app.patch(&go_path, &tenant.write, &json!({"name": "RUST"})).send().await.unwrap(), 409, "conflict").await;
    assert_eq!(problem_fields(&problem), vec!["name"]);

    // Another profile may have the same skill.
    let other = app.create_profile(&tenant, json!({"display_name": "Bo", "skills": [{"name": "Rust"}]})).await;
    assert_eq!(other["skills"][0]["name"], "Rust");
}

#[tokio::test]
async fn skills_can_be_updated_with_their_etag_and_removed() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let path = format!("/v1/profiles/{}/skills", profile["id"].as_str().unwrap());
    let response = app
        .post(&path, &tenant.write, &json!({"name": "SQL", "category": "Databases", "level": 2, "years": 1.5}))
        .send()
        .await
        .unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let skill = expect_json(response, 201).await;
    assert_eq!(skill["category"], "databases");
    let skill_path = format!("{path}/{}", skill["id"].as_str().unwrap());

    for (body, field) in [(json!({"level": 0}), "level"), (json!({"years": 81}), "years"), (json!({"name": ""}), "name")] {
        let problem =
            expect_problem(app.patch(&skill_path, &tenant.write, &body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field]);
    }
    let updated = app
        .patch(&skill_path, &tenant.write, &json!({"level": 4, "years": null}))
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    let updated = expect_json(updated, 200).await;
    assert_eq!(updated["level"], 4);
    assert!(updated.get("years").is_none());
    expect_problem(
        app.delete(&skill_path, &tenant.write).header("if-match", &etag).send().await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(app.delete(&skill_path, &tenant.write).send().await.unwrap().status(), 204);
    let listed = expect_json(app.get(&path, &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn a_profile_holds_at_most_the_allowed_number_of_skills() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let skills: Vec<_> = (0..200).map(|i| json!({"name": format!("skill {i}")})).collect();
    let profile = app.create_profile(&tenant, json!({"display_name": "Polymath", "skills": skills})).await;
    let path = format!("/v1/profiles/{}/skills", profile["id"].as_str().unwrap());
    let problem = expect_problem(
        app.post(&path, &tenant.write, &json!({"name": "one more"})).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["skills"]);
}
