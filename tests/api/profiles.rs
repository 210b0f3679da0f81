//! Profiles: create, read, list, update with optimistic concurrency, soft delete and restore.

use serde_json::{Value, json};
use vitae_tests::{TestApp, expect_json, expect_problem, problem_fields};

fn full_profile() -> Value {
    json!({
        "display_name": "Ada Lovelace",
        "headline": "Analytical engine programmer",
        "summary": "Wrote the first published algorithm for a machine.",
        "location": "London",
        "country": "GB",
        "contact": {"email": "ada@example.org", "phone": "+44 20 7946 0958",
                    "links": [{"label": "Notes", "url": "https://example.org/notes"}]},
        "tags": ["Mathematics", "computing", "mathematics"],
        "availability": "open_to_contract",
        "external_id": "crm-1",
        "experiences": [
            {"title": "Analyst", "organization": "Babbage & Co", "start_date": "1842-01-01", "end_date": "1843-09-01",
             "tags": ["engineering"]},
            {"title": "Translator", "organization": "Taylor's Memoirs", "start_date": "1840-01-01", "end_date": "1841-01-01"}
        ],
        "skills": [{"name": "Mathematics", "category": "Science", "level": 5, "years": 20}, {"name": "Poetry"}],
        "masks": [{"name": "Recruiters", "config": {"hide": ["phone"]}}]
    })
}

#[tokio::test]
async fn creating_a_profile_returns_it_with_location_etag_and_a_default_mask() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let response = app.post("/v1/profiles", &tenant.write, &full_profile()).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let profile = expect_json(response, 201).await;
    assert_eq!(location, format!("/v1/profiles/{}", profile["id"].as_str().unwrap()));
    assert_eq!(etag, format!("\"{}\"", profile["version"]));
    assert_eq!(profile["slug"], "ada-lovelace");
    assert_eq!(profile["country"], "GB");
    assert_eq!(profile["tags"], json!(["mathematics", "computing"]), "tags lower-cased and de-duplicated");
    assert_eq!(profile["availability"], "open_to_contract");
    assert_eq!(profile["contact"]["email"], "ada@example.org");
    assert_eq!(profile["is_active"], true);
    assert_eq!(profile["experiences"].as_array().unwrap().len(), 2);
    assert_eq!(profile["experiences"][0]["title"], "Analyst", "most recent first");
    assert_eq!(profile["skills"][0]["category"], "science");
    assert!(profile.get("mask").is_none(), "the full view names no mask");

    let masks = expect_json(app.get(&format!("{location}/masks"), &tenant.write).send().await.unwrap(), 200).await;
    let slugs: Vec<(&str, bool)> =
        masks.as_array().unwrap().iter().map(|m| (m["slug"].as_str().unwrap(), m["is_default"].as_bool().unwrap())).collect();
    assert_eq!(slugs, vec![("public", true), ("recruiters", false)]);
    assert_eq!(masks[0]["config"]["hide"], json!(["email", "phone"]), "the public view hides private contact details");

    let read = expect_json(app.get(&location, &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(read, profile);
}

#[tokio::test]
async fn every_validation_rule_fails_alone_naming_its_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"display_name": ""}), "display_name"),
        (json!({"display_name": "   "}), "display_name"),
        (json!({"display_name": long(201)}), "display_name"),
        (json!({"display_name": "A", "headline": long(301)}), "headline"),
        (json!({"display_name": "A", "summary": long(5001)}), "summary"),
        (json!({"display_name": "A", "location": long(201)}), "location"),
        (json!({"display_name": "A", "country": "XX"}), "country"),
        (json!({"display_name": "A", "contact": {"email": "not-an-email"}}), "contact.email"),
        (json!({"display_name": "A", "contact": {"phone": "call me"}}), "contact.phone"),
        (
            json!({"display_name": "A", "contact": {"links": [{"label": "x", "url": "ftp://example.org"}]}}),
            "contact.links[0].url",
        ),
        (
            json!({"display_name": "A", "contact": {"links": [{"label": "", "url": "https://example.org"}]}}),
            "contact.links[0].label",
        ),
        (json!({"display_name": "A", "tags": vec!["t"; 31]}), "tags"),
        (json!({"display_name": "A", "tags": [long(51)]}), "tags[0]"),
        (json!({"display_name": "A", "external_id": ""}), "external_id"),
        (json!({"display_name": "A", "experiences": [{"title": "", "start_date": "2020-01-01"}]}), "experiences[0].title"),
        (
            json!({"display_name": "A", "experiences": [{"title": "x", "start_date": "2020-02-01", "end_date": "2020-01-01"}]}),
            "experiences[0].end_date",
        ),
        (json!({"display_name": "A", "skills": [{"name": "Rust", "level": 6}]}), "skills[0].level"),
        (json!({"display_name": "A", "skills": [{"name": "Rust", "years": -1}]}), "skills[0].years"),
        (json!({"display_name": "A", "masks": [{"name": "Team", "slug": "Not A Slug"}]}), "masks[0].slug"),
        (json!({"display_name": "A", "masks": [{"name": "Team", "config": {"hdie": ["email"]}}]}), "masks[0].config.hdie"),
        (json!({"display_name": "A", "masks": [{"name": "Team", "config": {"version": 2}}]}), "masks[0].config.version"),
    ];
    for (body, field) in cases {
        let response = app.post("/v1/profiles", &tenant.write, &body).send().await.unwrap();
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{body}");
    }
    let list = expect_json(app.get("/v1/profiles", &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(list["items"], json!([]), "nothing half-written");
}

#[tokio::test]
async fn parts_that_clash_with_each_other_are_a_conflict_naming_the_later_one() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    for (body, field) in [
        (json!({"display_name": "A", "skills": [{"name": "Rust"}, {"name": "RUST"}]}), "skills[1].name"),
        (
            json!({"display_name": "A", "masks": [{"name": "One", "slug": "team"}, {"name": "Two", "slug": "team"}]}),
            "masks[1].slug",
        ),
        (json!({"display_name": "A", "masks": [{"name": "Public"}]}), "masks[0].slug"),
    ] {
        let problem = expect_problem(app.post("/v1/profiles", &tenant.write, &body).send().await.unwrap(), 409, "conflict").await;
        assert_eq!(problem_fields(&problem), vec![field], "{body}");
    }
}

#[tokio::test]
async fn several_invalid_fields_are_reported_together() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let body = json!({"display_name": "A", "country": "XX", "skills": [{"name": "Rust", "level": 9}],
        "experiences": [{"title": "x", "start_date": "2020-02-01", "end_date": "2020-01-01"}]});
    let problem =
        expect_problem(app.post("/v1/profiles", &tenant.write, &body).send().await.unwrap(), 422, "validation_failed").await;
    let mut fields = problem_fields(&problem);
    fields.sort();
    assert_eq!(fields, vec!["country", "experiences[0].end_date", "skills[0].level"]);
}

#[tokio::test]
async fn slugs_are_derived_unique_suffixed_and_stable_across_renames() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let first = app.create_profile(&tenant, json!({"display_name": "José Núñez"})).await;
    let second = app.create_profile(&tenant, json!({"display_name": "Jose Nunez"})).await;
    let third = app.create_profile(&tenant, json!({"display_name": "jose nunez"})).await;
    assert_eq!(first["slug"], "jose-nunez");
    assert_eq!(second["slug"], "jose-nunez-2");
    assert_eq!(third["slug"], "jose-nunez-3");

    let id = first["id"].as_str().unwrap();
    let renamed = expect_json(
        app.patch(&format!("/v1/profiles/{id}"), &tenant.write, &json!({"display_name": "Maria Lopez"})).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(renamed["slug"], "jose-nunez", "a rename keeps the slug");
    let regenerated = expect_json(
        app.patch(&format!("/v1/profiles/{id}"), &tenant.write, &json!({"regenerate_slug": true})).send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(regenerated["slug"], "maria-lopez");

    let by_slug = expect_json(app.get("/v1/profiles/by-slug/maria-lopez", &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(by_slug["id"], first["id"]);
    expect_problem(app.get("/v1/profiles/by-slug/jose-nunez", &tenant.write).send().await.unwrap(), 404, "not_found").await;
    // Another tenant may use the same slug.
    let other = app.tenant("other").await;
    assert_eq!(app.create_profile(&other, json!({"display_name": "Jose Nunez"})).await["slug"], "jose-nunez");
}

#[tokio::test]
async fn a_stale_if_match_gets_412_and_never_overwrites() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada", "headline": "one"})).await;
    let path = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    let etag = format!("\"{}\"", profile["version"]);

    let first = app.patch(&path, &tenant.write, &json!({"headline": "two"})).header("if-match", &etag).send().await.unwrap();
    let new_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(expect_json(first, 200).await["headline"], "two");

    let stale = app.patch(&path, &tenant.write, &json!({"headline": "three"})).header("if-match", &etag).send().await.unwrap();
    expect_problem(stale, 412, "precondition_failed").await;
    expect_problem(app.delete(&path, &tenant.write).header("if-match", &etag).send().await.unwrap(), 412, "precondition_failed")
        .await;
    expect_problem(
        app.patch(&path, &tenant.write, &json!({"headline": "four"})).header("if-match", "garbage").send().await.unwrap(),
        400,
        "malformed_request",
    )
    .await;

    let current = expect_json(app.get(&path, &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(current["headline"], "two", "the stale writes changed nothing");
    let ok = app.patch(&path, &tenant.write, &json!({"headline": "five"})).header("if-match", &new_etag).send().await.unwrap();
    assert_eq!(expect_json(ok, 200).await["headline"], "five");
    let any = app.patch(&path, &tenant.write, &json!({"headline": "six"})).header("if-match", "*").send().await.unwrap();
    assert_eq!(expect_json(any, 200).await["headline"], "six");
}

#[tokio::test]
async fn patch_changes_only_what_it_names_and_null_clears() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, full_profile()).await;
    let path = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    let patched = expect_json(
        app.patch(&path, &tenant.write, &json!({"country": null, "availability": "not_looking", "tags": ["x"]}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(patched.get("country").is_none());
    assert_eq!(patched["availability"], "not_looking");
    assert_eq!(patched["tags"], json!(["x"]));
    assert_eq!(patched["headline"], profile["headline"]);
    assert_eq!(patched["experiences"], profile["experiences"]);
    assert_eq!(patched["version"].as_i64().unwrap(), profile["version"].as_i64().unwrap() + 1);

    let problem = expect_problem(
        app.patch(&path, &tenant.write, &json!({"display_name": null})).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["display_name"]);
    expect_problem(app.patch(&path, &tenant.write, &json!({"country": "ZZ"})).send().await.unwrap(), 422, "validation_failed")
        .await;
}

#[tokio::test]
async fn soft_delete_hides_a_profile_and_restore_brings_it_back() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let path = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());

    let deleted = app.delete(&path, &tenant.write).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(deleted.headers().get("etag").is_some());

    expect_problem(app.get(&path, &tenant.read).send().await.unwrap(), 404, "not_found").await;
    expect_problem(app.get(&path, &tenant.write).send().await.unwrap(), 404, "not_found").await;
    for gone in [format!("{path}/experiences"), format!("{path}/skills"), format!("{path}/masks")] {
        expect_problem(app.get(&gone, &tenant.write).send().await.unwrap(), 404, "not_found").await;
    }
    expect_problem(app.patch(&path, &tenant.write, &json!({"headline": "x"})).send().await.unwrap(), 404, "not_found").await;
    expect_problem(app.delete(&path, &tenant.write).send().await.unwrap(), 404, "not_found").await;
    let owner = expect_json(app.get(&format!("{path}?include_inactive=true"), &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(owner["is_active"], false, "the owner can still find it, to restore it");
    expect_problem(app.get(&format!("{path}?include_inactive=true"), &tenant.read).send().await.unwrap(), 404, "not_found").await;
    let list = expect_json(app.get("/v1/profiles", &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(list["items"], json!([]));
    let with_inactive =
        expect_json(app.get("/v1/profiles?include_inactive=true", &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(with_inactive["items"].as_array().unwrap().len(), 1);
    let read_key = expect_json(app.get("/v1/profiles?include_inactive=true", &tenant.read).send().await.unwrap(), 200).await;
    assert_eq!(read_key["items"], json!([]), "only owners see deleted profiles");

    let restored = expect_json(app.post(&format!("{path}/restore"), &tenant.write, &json!({})).send().await.unwrap(), 200).await;
    assert_eq!(restored["is_active"], true);
    expect_json(app.get(&path, &tenant.read).send().await.unwrap(), 200).await;
}

#[tokio::test]
async fn lists_filter_and_page_through_a_stable_order_with_no_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let mut created = Vec::new();
    for i in 0..23 {
        let body = json!({
            "display_name": format!("Person {i}"),
            "country": if i % 2 == 0 { "DE" } else { "FR" },
            "tags": if i % 3 == 0 { vec!["rust"] } else { vec!["go"] },
            "availability": if i % 5 == 0 { "not_looking" } else { "open" },
        });
        created.push(app.create_profile(&tenant, body).await["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/profiles?limit=10&cursor={c}"),
            None => "/v1/profiles?limit=10".into(),
        };
        let page = expect_json(app.get(&path, &tenant.read).send().await.unwrap(), 200).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 10);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, created, "every profile once, in creation order");

    let count = |query: &'static str| {
        let app = &app;
        let key = tenant.read.clone();
        async move {
            expect_json(app.get(&format!("/v1/profiles?limit=100&{query}"), &key).send().await.unwrap(), 200).await["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("country=DE").await, 12);
    assert_eq!(count("country=fr").await, 11);
    assert_eq!(count("tag=rust").await, 8);
    assert_eq!(count("availability=not_looking").await, 5);
    assert_eq!(count("country=DE&tag=rust").await, 4);
    assert_eq!(count("updated_since=2999-01-01T00:00:00Z").await, 0);
    assert_eq!(count("updated_since=2000-01-01T00:00:00Z").await, 23);
}
