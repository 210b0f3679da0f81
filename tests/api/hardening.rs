//! Regressions of an adversarial run: what a mask hides cannot be learnt by filtering, the largest
//! profile is stored, import lines fail alone and concurrent imports do not deadlock, writers of
//! one profile do not starve the pool, tenants do not share the query cache, and the edges of
//! HTTP (slugs under contention, case folding, NaN, long URLs and headers, slow headers, early
//! errors on kept-alive connections) answer as documented.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vitae_tests::search::{import, search};
use vitae_tests::{TestApp, expect_json, expect_problem, problem_fields};

/// The mask of `profile` with this slug, as the write key lists them.
async fn mask_id(app: &TestApp, key: &str, profile: &str, slug: &str) -> String {
    let masks = expect_json(app.get(&format!("/v1/profiles/{profile}/masks"), key).send().await.unwrap(), 200).await;
    let items = masks.as_array().or_else(|| masks["items"].as_array()).expect("a list of masks").clone();
    items.iter().find(|m| m["slug"] == slug).expect("the mask")["id"].as_str().unwrap().to_owned()
}

async fn listed_ids(app: &TestApp, key: &str, query: &str) -> Vec<String> {
    let page = expect_json(app.get(&format!("/v1/profiles?{query}"), key).send().await.unwrap(), 200).await;
    page["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn list_filters_see_only_what_the_callers_view_shows() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app
        .create_profile(
            &tenant,
            json!({"display_name": "Ines Quarry", "headline": "Analyst", "country": "NO", "tags": ["whistleblower"],
                   "experiences": [{"title": "Analyst", "organization": "Fjord", "start_date": "2020-01-01", "tags": ["insider"]}]}),
        )
        .await;
    let id = profile["id"].as_str().unwrap();
    let public = mask_id(&app, &tenant.write, id, "public").await;
    let hide = json!({"config": {"hide": ["tags", "country"]}});
    expect_json(app.patch(&format!("/v1/profiles/{id}/masks/{public}"), &tenant.write, &hide).send().await.unwrap(), 200).await;
    let open = json!({"name": "Recruiters", "config": {}});
    expect_json(app.post(&format!("/v1/profiles/{id}/masks"), &tenant.write, &open).send().await.unwrap(), 201).await;

    for query in ["tag=whistleblower", "country=NO", "tag=whistleblower&country=no"] {
        assert!(listed_ids(&app, &tenant.read, query).await.is_empty(), "a read key learnt a hidden value by filtering: {query}");
        assert_eq!(listed_ids(&app, &tenant.write, query).await, vec![id.to_owned()], "the owner's full view: {query}");
        assert_eq!(
            listed_ids(&app, &tenant.read, &format!("{query}&mask=recruiters")).await,
            vec![id.to_owned()],
            "a mask that shows them: {query}"
        );
    }
    // A profile without the named mask is filtered through its default one, as it is shown.
    let other =
        app.create_profile(&tenant, json!({"display_name": "Odd Other", "headline": "Analyst", "tags": ["whistleblower"]})).await;
    let with_mask = listed_ids(&app, &tenant.read, "tag=whistleblower&mask=recruiters").await;
    assert!(with_mask.contains(&other["id"].as_str().unwrap().to_owned()) && with_mask.len() == 2, "{with_mask:?}");

    // Hiding tags hides the experiences' tags too.
    let view = expect_json(app.get(&format!("/v1/profiles/{id}"), &tenant.read).send().await.unwrap(), 200).await;
    assert!(!view.to_string().contains("insider"), "experience tags leaked: {view}");
    let full = expect_json(app.get(&format!("/v1/profiles/{id}"), &tenant.write).send().await.unwrap(), 200).await;
    assert!(full.to_string().contains("insider"));
}

#[tokio::test]
async fn no_mask_may_take_the_slug_all() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada", "headline": "Engineer"})).await;
    let masks = format!("/v1/profiles/{}/masks", profile["id"].as_str().unwrap());
    for body in [json!({"name": "All", "config": {}}), json!({"name": "Everyone", "slug": "all", "config": {}})] {
        let problem =
            expect_problem(app.post(&masks, &tenant.write, &body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec!["slug"], "{problem}");
    }
}

/// `count` different words of two four-byte characters: PostgreSQL refuses a tsvector whose
/// words add up to more than 1 MB, and 100 roles of such words pass it.
fn distinct_words(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| {
            let first = char::from_u32(0x20000 + (n % 40_000) as u32).unwrap();
            let second = char::from_u32(0x20000 + (n / 40_000) as u32).unwrap();
            format!("{first}{second}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn longest_profile(external_id: &str) -> Value {
    // 100 roles of 5,000 characters (the most a profile may hold), the first with one plain word.
    let experiences: Vec<Value> = (0..100)
        .map(|i| {
            let marker = if i == 0 { "zebracorn " } else { "" };
            let description: String = format!("{marker}{}", distinct_words(i * 2000, 2000)).chars().take(5000).collect();
            json!({"title": format!("Role {i}"), "organization": "Quarry", "start_date": "2001-01-01", "description": description})
        })
        .collect();
    json!({"external_id": external_id, "display_name": "Vera Verbose", "headline": "Archivist of everything",
           "skills": [{"name": "Cataloguing"}], "experiences": experiences})
}

#[tokio::test]
async fn the_largest_profile_is_stored_and_found_and_fails_no_import_batch() {
    // Such a profile is 1.5 MB of JSON: above the default body limit, which operators may raise
    // (and far below the import's).
    let app = TestApp::spawn_with(|c| c.body_limit_bytes = 4 * 1024 * 1024).await;
    let tenant = app.tenant("acme").await;
    let created = app.create_profile(&tenant, longest_profile("long-1")).await;
    assert_eq!(created["experiences"].as_array().unwrap().len(), 100);
    let found = search(&app, &tenant.read, json!({"q": "archivist cataloguing", "mode": "keyword"})).await;
    assert_eq!(found["hits"][0]["profile_id"], created["id"], "{found}");
    // A word of the first description is indexed (the last ones are past the index's budget).
    let early = search(&app, &tenant.read, json!({"q": "zebracorn", "mode": "keyword"})).await;
    assert_eq!(early["total"], 1, "{early}");

    // The same profile inside an import batch: every line of it is written.
    let lines = [
        json!({"external_id": "short-1", "display_name": "Sam Short", "headline": "Clerk"}),
        longest_profile("long-2"),
        json!({"external_id": "short-2", "display_name": "Sue Short", "headline": "Clerk"}),
    ];
    let ndjson: String = lines.iter().map(|l| format!("{l}\n")).collect();
    import(&app, &tenant, &ndjson).await;
    let clerks = search(&app, &tenant.read, json!({"q": "clerk", "mode": "keyword"})).await;
    assert_eq!(clerks["total"], 2, "{clerks}");
}

#[tokio::test]
async fn concurrent_imports_of_the_same_external_ids_all_land() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    // Four imports of the same 60 people, each in its own order, all at once.
    let line = |i: usize, run: usize| {
        json!({"external_id": format!("p-{i:03}"), "display_name": format!("Person {i}"),
               "headline": format!("Engineer {run}"), "skills": [{"name": "Rust"}]})
    };
    let bodies: Vec<String> = (0..4)
        .map(|run| {
            let mut ids: Vec<usize> = (0..60).collect();
            ids.rotate_left(run * 15);
            if run % 2 == 1 {
                ids.reverse();
            }
            ids.iter().map(|&i| format!("{}\n", line(i, run))).collect()
        })
        .collect();
    let imports = bodies
        .iter()
        .map(|body| app.post_body("/v1/profiles:import", &tenant.write, "application/x-ndjson", body.clone()).send());
    let mut failed = 0;
    for response in join_all(imports).await {
        let report = expect_json(response.unwrap(), 200).await;
        failed += report["failed"].as_u64().unwrap();
    }
    assert_eq!(failed, 0, "no line fails for another import's sake");
    let mut conn = app.db.connect_as_superuser().await;
    let (profiles,): (i64,) = sqlx::query_as("select count(*) from vitae.profiles").fetch_one(&mut conn).await.unwrap();
    assert_eq!(profiles, 60, "one profile per external id");
}

#[tokio::test]
async fn thirty_writers_of_one_profile_neither_fail_nor_starve_the_pool() {
    // A small pool and a short acquire timeout: the writes together take longer than the
    // timeout, so any write that held a connection while it waited would run out of time.
    let app = TestApp::spawn_with(|c| {
        c.pool_max_connections = 3;
        c.pool_acquire_timeout = Duration::from_secs(1);
    })
    .await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Busy Bee", "headline": "Engineer"})).await;
    let path = format!("/v1/profiles/{}", profile["id"].as_str().unwrap());
    // Each write changes a long embedded text, so each needs the model for a while.
    let summary = |i: usize| format!("Bridge {i}. {}", "Designs suspension bridges and inspects their cables. ".repeat(15));
    let started = Instant::now();
    let writes = (0..30).map(|i| app.patch(&path, &tenant.write, &json!({"summary": summary(i)})).send());
    let read = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.get(&path, &tenant.read).send().await.unwrap().status().as_u16()
    };
    let (responses, read_status) = tokio::join!(join_all(writes), read);
    let mut statuses = Vec::new();
    for response in responses {
        let response = response.unwrap();
        let status = response.status().as_u16();
        statuses.push(status);
        if status != 200 {
            eprintln!("{}", response.text().await.unwrap());
        }
    }
    let took = started.elapsed();
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    assert_eq!(read_status, 200, "readers keep getting connections while the writers queue");
    let last = expect_json(app.get(&path, &tenant.write).send().await.unwrap(), 200).await;
    assert_eq!(last["version"], 31, "every write applied once: {last}");
    eprintln!("30 writes of one profile took {took:?}");
}

#[tokio::test]
async fn one_tenant_cannot_time_another_tenants_queries() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.tenant("a").await, app.tenant("b").await);
    let query = json!({"q": "lighthouse keeper fluent in semaphore", "mode": "semantic"});
    let embed_ms = |response: &Value| response["timings"]["embed_ms"].as_f64().unwrap();
    search(&app, &a.read, query.clone()).await;
    let a_again = embed_ms(&search(&app, &a.read, query.clone()).await);
    let b_first = embed_ms(&search(&app, &b.read, query.clone()).await);
    let b_again = embed_ms(&search(&app, &b.read, query).await);
    // The model takes milliseconds (tens in a debug build); a cache hit takes microseconds.
    assert!(b_first > 1.0 && b_first > 20.0 * a_again.max(0.01), "b's first search was served by a's entry: {b_first} ms");
    assert!(b_again < 1.0, "b's own repeat is cached: {b_again} ms");
}

#[tokio::test]
async fn concurrent_creates_of_one_name_all_get_a_slug() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let creates = (0..48).map(|_| app.post("/v1/profiles", &tenant.write, &json!({"display_name": "Jo Doe"})).send());
    let mut slugs = HashSet::new();
    for response in join_all(creates).await {
        let body = expect_json(response.unwrap(), 201).await;
        slugs.insert(body["slug"].as_str().unwrap().to_owned());
    }
    assert_eq!(slugs.len(), 48);
    assert!(slugs.contains("jo-doe"));
}

#[tokio::test]
async fn skill_names_are_unique_ignoring_case_in_every_script() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile =
        app.create_profile(&tenant, json!({"display_name": "Ada", "skills": [{"name": "Ärger"}, {"name": "Σοφία"}]})).await;
    let skills = format!("/v1/profiles/{}/skills", profile["id"].as_str().unwrap());
    for name in ["ärger", "ÄRGER", "σοφία", "ΣΟΦΊΑ"] {
        let response = app.post(&skills, &tenant.write, &json!({"name": name})).send().await.unwrap();
        expect_problem(response, 409, "conflict").await;
    }
    let together = json!({"display_name": "Bo", "skills": [{"name": "Øl"}, {"name": "øl"}]});
    expect_problem(app.post("/v1/profiles", &tenant.write, &together).send().await.unwrap(), 409, "conflict").await;
    expect_json(app.post(&skills, &tenant.write, &json!({"name": "Arger"})).send().await.unwrap(), 201).await;
}

#[tokio::test]
async fn non_finite_numbers_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Ada", "headline": "Engineer"})).await;
    let id = profile["id"].as_str().unwrap();
    for value in ["NaN", "nan", "inf", "-inf", "infinity"] {
        let response = app.get(&format!("/v1/profiles/{id}/similar?min_years={value}"), &tenant.read).send().await.unwrap();
        let problem = expect_problem(response, 422, "validation_failed").await;
        let fields = problem_fields(&problem);
        assert!(!fields.is_empty() && fields.iter().all(|f| f == "min_years"), "{value}: {problem}");
    }
}

#[tokio::test]
async fn long_urls_and_headers_get_problem_documents() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    // Past the service's 60 KiB, short of hyper's own 64 KiB.
    let long_tag = "a".repeat(62_000);
    let response = app.get(&format!("/v1/profiles?tag={long_tag}"), &tenant.read).send().await.unwrap();
    expect_problem(response, 414, "uri_too_long").await;
    let response = app.get("/v1/profiles", &tenant.read).header("x-padding", "b".repeat(40_000)).send().await.unwrap();
    expect_problem(response, 431, "headers_too_large").await;
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let app = TestApp::spawn().await;
    let mut stream = tokio::net::TcpStream::connect(app.address).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    // One header byte every second, never the blank line that ends the head.
    let closed = tokio::time::timeout(Duration::from_secs(25), async {
        loop {
            tokio::select! {
                read = stream.read(&mut buffer) => {
                    if matches!(read, Ok(0) | Err(_)) { return; }
                }
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    if stream.write_all(b"X").await.is_err() { return; }
                }
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection was still open after 25 s");
    assert!(started.elapsed() >= Duration::from_secs(5), "closed before the timeout: {:?}", started.elapsed());
}

#[tokio::test]
async fn an_error_sent_before_the_body_is_read_says_connection_close() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let response = app.post_body("/v1/profiles", &tenant.write, "text/plain", "x".repeat(200_000)).send().await.unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(response.headers().get("connection").and_then(|v| v.to_str().ok()), Some("close"));
    // A request whose body was read keeps its connection.
    let response = app.post("/v1/profiles", &tenant.write, &json!({"display_name": ""})).send().await.unwrap();
    assert!(response.headers().get("connection").is_none(), "{:?}", response.headers());
    expect_problem(response, 422, "validation_failed").await;
}

#[tokio::test]
async fn similar_profiles_of_a_profile_deleted_meanwhile_answer_404_never_500() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    app.create_profile(&tenant, json!({"display_name": "Stays Here", "headline": "Welder"})).await;
    let mut statuses = Vec::new();
    for i in 0..20 {
        let body = json!({"display_name": format!("Goes Away {i}"), "headline": "Welder"});
        let id = app.create_profile(&tenant, body).await["id"].as_str().unwrap().to_owned();
        let similar = app.get(&format!("/v1/profiles/{id}/similar"), &tenant.read).send();
        let delete = app.delete(&format!("/v1/profiles/{id}"), &tenant.write).send();
        let (similar, delete) = tokio::join!(similar, delete);
        assert_eq!(delete.unwrap().status(), 204);
        statuses.push(similar.unwrap().status().as_u16());
    }
    assert!(statuses.iter().all(|s| [200, 404].contains(s)), "{statuses:?}");
    let gone = app.get(&format!("/v1/profiles/{}/similar", uuid::Uuid::now_v7()), &tenant.read).send().await.unwrap();
    expect_problem(gone, 404, "not_found").await;
}
