//! Masks: named views. What a mask hides never appears in a read through it.

use serde_json::{Value, json};
use vitae_tests::{TestApp, expect_json, expect_problem, problem_fields};

fn profile_with_everything() -> Value {
    json!({
        "display_name": "Grace Hopper",
        "headline": "Compiler pioneer",
        "summary": "Invented the first compiler.",
        "location": "Arlington",
        "country": "US",
        "contact": {"email": "grace@example.org", "phone": "+1 202 555 0100", "links": [{"label": "Site", "url": "https://example.org/grace"}]},
        "tags": ["navy"],
        "experiences": [
            {"title": "Rear Admiral", "organization": "US Navy", "description": "Led the programming languages group.",
             "start_date": "1967-01-01", "end_date": "1986-08-14", "location": "Washington", "tags": ["leadership"]},
            {"title": "Programmer", "organization": "Eckert-Mauchly", "description": "Wrote the A-0 compiler.",
             "start_date": "1949-01-01", "end_date": "1952-01-01", "tags": ["engineering"]}
        ],
        "skills": [{"name": "COBOL", "category": "languages", "level": 5, "years": 30},
                   {"name": "Sailing", "category": "hobbies", "level": 3}]
    })
}

#[tokio::test]
async fn a_read_through_a_mask_never_carries_a_hidden_field_or_an_excluded_part() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, profile_with_everything()).await;
    let base = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    let mask = json!({"name": "Minimal", "config": {
        "hide": ["email", "phone", "links", "location", "country", "organizations", "summary", "tags",
                 "experience_descriptions", "experience_dates", "skill_details"],
        "experience_tags": ["engineering"], "skill_categories": ["languages"], "headline": "Engineer"}});
    expect_json(app.post(&format!("{base}/masks"), &tenant.write, &mask).send().await.unwrap(), 201).await;

    for key in [&tenant.read, &tenant.write] {
        let view = expect_json(app.get(&format!("{base}?mask=minimal"), key).send().await.unwrap(), 200).await;
        assert_eq!(view["mask"]["slug"], "minimal");
        assert_eq!(view["headline"], "Engineer", "override");
        for absent in ["summary", "location", "country", "tags", "external_id", "version", "is_active"] {
            assert!(view.get(absent).is_none(), "{absent} leaked: {view}");
        }
        assert_eq!(view["contact"], json!({}));
        let experiences = view["experiences"].as_array().unwrap();
        assert_eq!(experiences.len(), 1, "only tagged experiences");
        assert_eq!(experiences[0]["title"], "Programmer");
        for absent in ["organization", "description", "start_date", "end_date", "location"] {
            assert!(experiences[0].get(absent).is_none(), "experience {absent} leaked");
        }
        let skills = view["skills"].as_array().unwrap();
        assert_eq!(skills.len(), 1);
        assert_eq!(skills[0]["name"], "COBOL");
        assert!(skills[0].get("level").is_none() && skills[0].get("years").is_none());
        let text = view.to_string();
        // Whole values: ids are hex, so a fragment such as "555" can appear in one by chance.
        for secret in
            ["grace@example.org", "202 555 0100", "US Navy", "Eckert", "Rear Admiral", "Sailing", "Arlington", "navy", "A-0"]
        {
            assert!(!text.contains(secret), "{secret} leaked through the mask: {text}");
        }

        let experiences = expect_json(app.get(&format!("{base}/experiences?mask=minimal"), key).send().await.unwrap(), 200).await;
        assert_eq!(experiences.as_array().unwrap().len(), 1);
        let skills = expect_json(app.get(&format!("{base}/skills?mask=minimal"), key).send().await.unwrap(), 200).await;
        assert_eq!(skills.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_read_key_only_ever_gets_masked_views() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, profile_with_everything()).await;
    let base = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    let slug = profile["slug"].as_str().unwrap();

    let responses = [
        expect_json(app.get(&base, &tenant.read).send().await.unwrap(), 200).await,
        expect_json(app.get(&format!("/v1/profiles/by-slug/{slug}"), &tenant.read).send().await.unwrap(), 200).await,
        expect_json(app.get("/v1/profiles", &tenant.read).send().await.unwrap(), 200).await["items"][0].clone(),
    ];
    for view in responses {
        assert_eq!(view["mask"]["slug"], "public", "the default mask");
        assert!(view["contact"].get("email").is_none() && view["contact"].get("phone").is_none());
        assert_eq!(view["contact"]["links"][0]["label"], "Site");
        assert!(view.get("version").is_none());
    }
    let get = app.get(&base, &tenant.read).send().await.unwrap();
    assert!(get.headers().get("etag").is_none(), "masked views carry no ETag to write with");
    expect_problem(app.get(&format!("{base}?mask=nope"), &tenant.read).send().await.unwrap(), 404, "not_found").await;
}

#[tokio::test]
async fn mask_configs_are_validated_and_unknown_keys_are_named() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let path = format!("/v1/profiles/{}/masks", profile["id"].as_str().unwrap());
    for (body, field) in [
        (json!({"name": "x", "config": {"hide": ["emial"]}}), "config.hide[0]"),
        (json!({"name": "x", "config": {"hdie": ["email"]}}), "config.hdie"),
        (json!({"name": "x", "config": {"version": 1, "experience_tags": ["ok"], "shown": true}}), "config.shown"),
        (json!({"name": "x", "config": {"version": 7}}), "config.version"),
        (json!({"name": "x", "config": []}), "config"),
        (json!({"name": "x", "config": {"headline": "h".repeat(301)}}), "config.headline"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x", "slug": "Bad Slug"}), "slug"),
    ] {
        let problem = expect_problem(app.post(&path, &tenant.write, &body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{body}");
    }
    let problem =
        expect_problem(app.post(&path, &tenant.write, &json!({"name": "Public"})).send().await.unwrap(), 409, "conflict").await;
    assert_eq!(problem_fields(&problem), vec!["slug"], "the default mask is `public`");
}

#[tokio::test]
async fn a_profile_always_has_exactly_one_default_mask() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada", "contact": {"email": "ada@example.org"}})).await;
    let base = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    let masks = expect_json(app.get(&format!("{base}/masks"), &tenant.write).send().await.unwrap(), 200).await;
    let public = format!("{base}/masks/{}", masks[0]["id"].as_str().unwrap());

    expect_problem(app.delete(&public, &tenant.write).send().await.unwrap(), 409, "conflict").await;
    let problem =
        expect_problem(app.patch(&public, &tenant.write, &json!({"is_default": false})).send().await.unwrap(), 409, "conflict")
            .await;
    assert_eq!(problem_fields(&problem), vec!["is_default"]);

    let open = expect_json(
        app.post(&format!("{base}/masks"), &tenant.write, &json!({"name": "Open", "config": {}, "is_default": true}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let masks = expect_json(app.get(&format!("{base}/masks"), &tenant.write).send().await.unwrap(), 200).await;
    let defaults: Vec<&str> =
        masks.as_array().unwrap().iter().filter(|m| m["is_default"] == true).map(|m| m["slug"].as_str().unwrap()).collect();
    assert_eq!(defaults, vec!["open"]);
    // Read keys now see the new default, which shows the email.
    let view = expect_json(app.get(&base, &tenant.read).send().await.unwrap(), 200).await;
    assert_eq!(view["mask"]["slug"], "open");
    assert_eq!(view["contact"]["email"], "ada@example.org");

    // Switching back by PATCH also leaves exactly one default; the old one can now be deleted.
    expect_json(app.patch(&public, &tenant.write, &json!({"is_default": true})).send().await.unwrap(), 200).await;
    let open_path = format!("{base}/masks/{}", open["id"].as_str().unwrap());
    assert_eq!(app.delete(&open_path, &tenant.write).send().await.unwrap().status(), 204);
    let masks = expect_json(app.get(&format!("{base}/masks"), &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(masks.as_array().unwrap().len(), 1);
    assert_eq!(masks[0]["is_default"], true);
}

#[tokio::test]
async fn masks_can_be_read_renamed_and_reconfigured_with_their_etag() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada", "summary": "Secret plans"})).await;
    let base = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    let created =
        app.post(&format!("{base}/masks"), &tenant.write, &json!({"name": "Press", "slug": "press"})).send().await.unwrap();
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let got = app.get(&location, &tenant.write).send().await.unwrap();
    assert_eq!(got.headers()["etag"].to_str().unwrap(), etag);
    let view = expect_json(app.get(&format!("{base}?mask=press"), &tenant.read).send().await.unwrap(), 200).await;
    assert_eq!(view["summary"], "Secret plans");

    let updated = app
        .patch(&location, &tenant.write, &json!({"name": "Journalists", "config": {"hide": ["summary"]}}))
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    let updated = expect_json(updated, 200).await;
    assert_eq!((updated["name"].as_str(), updated["slug"].as_str()), (Some("Journalists"), Some("press")));
    let view = expect_json(app.get(&format!("{base}?mask=press"), &tenant.read).send().await.unwrap(), 200).await;
    assert!(view.get("summary").is_none());
    expect_problem(
        app.patch(&location, &tenant.write, &json!({"name": "Again"})).header("if-match", &etag).send().await.unwrap(),
        412,
        "precondition_failed",
    )
    .await;
}
