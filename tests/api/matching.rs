//! `POST /v1/match`: a pasted job description finds the profiles that fit it, says why, and
//! uses nothing a mask hides.

use serde_json::{Value, json};
use vitae_tests::{Tenant, TestApp, expect_json, expect_problem, problem_fields};

/// Paragraphs of the kind every job ad carries and no profile is chosen by.
const BOILERPLATE: &str = "We are a fast-growing team on a mission to change how our industry works. Founded a decade \
     ago, we now serve customers in more than thirty countries. Our people are our greatest asset, and we invest in them \
     every day. We believe in doing the right thing, working together and having fun along the way. Join an award-winning \
     organisation that values curiosity, ownership and trust.";

async fn match_job(app: &TestApp, tenant: &Tenant, body: Value) -> Value {
    expect_json(app.post("/v1/match", &tenant.read, &body).send().await.unwrap(), 200).await
}

fn names(response: &Value) -> Vec<String> {
    response["hits"].as_array().unwrap().iter().map(|h| h["display_name"].as_str().unwrap().to_owned()).collect()
}

fn hit<'a>(response: &'a Value, name: &str) -> &'a Value {
    response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["display_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {response}"))
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

/// A 3,000-character job: the company at length, then the work, then the skills.
fn long_job(skills: &[&str]) -> String {
    let mut job = format!("Platform Engineer\n\nAbout us\n{BOILERPLATE}\n{BOILERPLATE}\n\n");
    job.push_str("The role\n- Build and run the services our payments run on\n- Keep them fast, observable and correct\n\n");
    job.push_str("Requirements\n");
    for skill in skills {
        job.push_str(&format!("- Production experience with {skill}\n"));
    }
    job.push_str(&format!(
        "\nWhat we offer\n- Thirty days of paid holiday\n- A learning budget\n\n{BOILERPLATE}\n{BOILERPLATE}\n"
    ));
    job
}

#[tokio::test]
async fn a_long_description_finds_the_profile_whose_skills_it_names_ahead_of_one_sharing_its_boilerplate() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Rhea Stream", "headline": "Backend developer",
               "summary": "Builds event pipelines and ledgers for a bank.",
               "skills": [{"name": "Rust"}, {"name": "Kafka"}, {"name": "PostgreSQL"}]}),
    )
    .await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Bo Blurb", "headline": "Employer branding lead", "summary": BOILERPLATE,
               "skills": [{"name": "Copywriting"}]}),
    )
    .await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Cy Partial", "headline": "Backend developer", "summary": "Writes web services.",
               "skills": [{"name": "PostgreSQL"}]}),
    )
    .await;

    let job = long_job(&["Rust", "Kafka", "PostgreSQL"]);
    assert!(job.len() > 1500, "{}", job.len());
    let response = match_job(&app, &tenant, json!({"job": job})).await;
    assert_eq!(names(&response)[0], "Rhea Stream", "{response:#}");
    let ranked = names(&response);
    let blurb = ranked.iter().position(|n| n == "Bo Blurb").unwrap_or(usize::MAX);
    let partial = ranked.iter().position(|n| n == "Cy Partial").expect("a partial fit is a match");
    assert!(partial < blurb, "boilerplate outranked a partial fit: {ranked:?}");

    // How the job was read: the skills from the tenant's vocabulary, all required; boilerplate not scored.
    let understood = &response["understood"];
    let skills: Vec<(String, bool)> = understood["skills"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["term"].as_str().unwrap().to_owned(), s["required"].as_bool().unwrap()))
        .collect();
    for skill in ["rust", "kafka", "postgresql"] {
        assert!(skills.contains(&(skill.to_owned(), true)), "{skill} not read as required: {skills:?}");
    }
    let kinds: Vec<&str> = understood["passages"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"about") && kinds.contains(&"requirements") && kinds.contains(&"responsibilities"), "{kinds:?}");

    // Why: the skills shown and missing, each part's score and the profile's nearest passage.
    let rhea = hit(&response, "Rhea Stream");
    assert_eq!(strings(&rhea["skills_missing"]), Vec::<String>::new());
    let cy = hit(&response, "Cy Partial");
    assert_eq!(strings(&cy["skills_matched"]), ["postgresql"]);
    let mut missing = strings(&cy["skills_missing"]);
    missing.sort();
    assert_eq!(missing, ["kafka", "rust"]);
    let parts = rhea["parts"].as_array().unwrap();
    assert!(!parts.is_empty() && parts.iter().all(|p| p["kind"] != "about" && p["nearest"].is_string()), "{parts:?}");
    assert!(rhea["evidence"]["skills"].as_f64().unwrap() > cy["evidence"]["skills"].as_f64().unwrap());

    // Dropping a term changes the reading and the score; pinning adds one.
    let adjusted = match_job(&app, &tenant, json!({"job": job, "drop": ["Kafka", "Rust"], "pin": ["Copywriting"]})).await;
    let terms: Vec<String> =
        adjusted["understood"]["skills"].as_array().unwrap().iter().map(|s| s["term"].as_str().unwrap().to_owned()).collect();
    assert!(!terms.contains(&"kafka".to_owned()) && terms.contains(&"copywriting".to_owned()), "{terms:?}");
    assert_eq!(strings(&hit(&adjusted, "Bo Blurb")["skills_matched"]), ["copywriting"]);
}

#[tokio::test]
async fn a_required_skill_a_mask_hides_is_reported_missing_never_matched() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let secret = app
        .create_profile(
            &tenant,
            json!({"display_name": "Mara Hidden", "headline": "Backend developer", "summary": "Builds event pipelines.",
                   "skills": [{"name": "Rust", "category": "languages"}, {"name": "Kafka", "category": "confidential"}],
                   "masks": [{"name": "Recruiters", "config": {}}]}),
        )
        .await;
    let id = secret["id"].as_str().unwrap();
    // The public view shows languages only.
    let masks = expect_json(app.get(&format!("/v1/profiles/{id}/masks"), &tenant.write).send().await.unwrap(), 200).await;
    let items = masks.as_array().or_else(|| masks["items"].as_array()).unwrap().clone();
    let public = items.iter().find(|m| m["slug"] == "public").unwrap()["id"].as_str().unwrap().to_owned();
    let hide = json!({"config": {"skill_categories": ["languages"]}});
    expect_json(app.patch(&format!("/v1/profiles/{id}/masks/{public}"), &tenant.write, &hide).send().await.unwrap(), 200).await;
    // Someone else shows Kafka publicly, so the tenant's vocabulary knows the word.
    app.create_profile(&tenant, json!({"display_name": "Ola Open", "headline": "Data engineer", "skills": [{"name": "Kafka"}]}))
        .await;

    let job = "Backend Developer\n\nRequirements:\n- Rust\n- Kafka\n";
    let response = match_job(&app, &tenant, json!({"job": job})).await;
    let mara = hit(&response, "Mara Hidden");
    assert_eq!(strings(&mara["skills_matched"]), ["rust"]);
    assert_eq!(strings(&mara["skills_missing"]), ["kafka"], "{mara:#}");
    assert!(!response.to_string().contains("confidential"));
    // Through a view that shows it, the skill matches.
    let recruiters = match_job(&app, &tenant, json!({"job": job, "mask": "recruiters"})).await;
    let mara = hit(&recruiters, "Mara Hidden");
    let mut matched = strings(&mara["skills_matched"]);
    matched.sort();
    assert_eq!(matched, ["kafka", "rust"]);
    assert_eq!(mara["mask"], "recruiters");
}

#[tokio::test]
async fn a_description_over_20000_characters_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    app.create_profile(&tenant, json!({"display_name": "Any One", "headline": "Engineer", "skills": [{"name": "Go"}]})).await;
    let longest = "a".repeat(19_990) + "\nGo please";
    assert_eq!(longest.chars().count(), 20_000);
    match_job(&app, &tenant, json!({"job": longest})).await;
    let too_long = "é".repeat(20_001);
    let problem = expect_problem(
        app.post("/v1/match", &tenant.read, &json!({"job": too_long})).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem_fields(&problem), ["job"]);
    for (body, field) in [
        (json!({"job": "   \n "}), "job"),
        (json!({"job": "Rust\u{0}"}), "job"),
        (json!({"job": "Rust", "pin": [""]}), "pin[0]"),
        (json!({"job": "Rust", "limit": 0}), "limit"),
        (json!({"job": "Rust", "cursor": "nonsense"}), "cursor"),
    ] {
        let problem =
            expect_problem(app.post("/v1/match", &tenant.read, &body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), [field], "{body}");
    }
    // Read scope is enough; no key is not.
    let anonymous = app.http.post(app.url("/v1/match")).json(&json!({"job": "Rust"})).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn every_passage_counts_a_skill_named_only_at_the_end_still_decides() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let generic = "Builds and operates distributed backend services for telecom customers.";
    app.create_profile(
        &tenant,
        json!({"display_name": "Erl Ang", "headline": "Backend developer", "summary": generic, "skills": [{"name": "Erlang"}]}),
    )
    .await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Gen Eric", "headline": "Backend developer", "summary": generic, "skills": [{"name": "Java"}]}),
    )
    .await;
    // Far beyond what the model reads at once (256 word pieces): the skill comes last.
    let mut job = String::from("Backend Developer\n\n");
    for _ in 0..12 {
        job.push_str(BOILERPLATE);
        job.push_str("\n\n");
    }
    job.push_str("Above all, candidates must know Erlang and build distributed backend services.");
    assert!(job.len() > 3000);
    let response = match_job(&app, &tenant, json!({"job": job, "limit": 1})).await;
    assert_eq!(names(&response), ["Erl Ang"], "{response:#}");
    let passages = response["understood"]["passages"].as_array().unwrap();
    assert!(passages.len() > 3);
    let erlang = response["understood"]["skills"].as_array().unwrap().iter().find(|s| s["term"] == "erlang").expect("read");
    assert_eq!(erlang["passages"], json!([passages.len() - 1]));
    // Paging: the cursor leads to the other one, and only with the same request.
    let cursor = response["next_cursor"].as_str().expect("a second page").to_owned();
    let next = match_job(&app, &tenant, json!({"job": job, "limit": 1, "cursor": cursor})).await;
    assert_eq!(names(&next), ["Gen Eric"]);
    let other = json!({"job": "Java", "cursor": cursor});
    expect_problem(app.post("/v1/match", &tenant.read, &other).send().await.unwrap(), 422, "validation_failed").await;
}

#[tokio::test]
async fn another_tenants_profiles_and_vocabulary_are_never_used() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let rival = app.tenant("rival").await;
    app.create_profile(&acme, json!({"display_name": "Ann Acme", "headline": "Backend developer", "skills": [{"name": "Rust"}]}))
        .await;
    app.create_profile(
        &rival,
        json!({"display_name": "Rob Rival", "headline": "Backend developer", "summary": "Writes Zorblax services in Rust.",
               "skills": [{"name": "Rust"}, {"name": "Zorblax"}]}),
    )
    .await;
    let job = "Backend Developer\n\nRequirements:\n- Rust\n- Zorblax\n";
    let response = match_job(&app, &acme, json!({"job": job, "mask": "all"})).await;
    assert_eq!(names(&response), ["Ann Acme"], "{response:#}");
    // The rival's skill is not in this tenant's vocabulary, so it is not read from the job.
    let skills: Vec<&str> =
        response["understood"]["skills"].as_array().unwrap().iter().map(|s| s["term"].as_str().unwrap()).collect();
    assert_eq!(skills, ["rust"]);
    assert!(!response.to_string().contains("Rob Rival"));
    // The rival reads the same job with its own words.
    let theirs = match_job(&app, &rival, json!({"job": job})).await;
    assert_eq!(names(&theirs), ["Rob Rival"]);
    assert_eq!(strings(&hit(&theirs, "Rob Rival")["skills_missing"]), Vec::<String>::new());
}

#[tokio::test]
async fn a_skill_new_to_the_tenant_is_read_from_jobs_once_the_vocabulary_is_read_again_in_the_background() {
    let ttl = std::time::Duration::from_millis(400);
    let app = TestApp::spawn_with(|config| config.search_memory_ttl = ttl).await;
    let tenant = app.tenant("acme").await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Ada Early", "headline": "Backend developer", "skills": [{"name": "Rust"}]}),
    )
    .await;
    let job = json!({"job": "Backend Developer\n\nRequirements:\n- Rust\n- Kafka\n"});
    let read_skills = |response: &Value| -> Vec<String> {
        let mut skills: Vec<String> =
            response["understood"]["skills"].as_array().unwrap().iter().map(|s| s["term"].as_str().unwrap().to_owned()).collect();
        skills.sort();
        skills
    };
    assert_eq!(read_skills(&match_job(&app, &tenant, job.clone()).await), ["rust"], "Kafka is no skill of the tenant yet");

    app.create_profile(&tenant, json!({"display_name": "Kai Later", "headline": "Data engineer", "skills": [{"name": "Kafka"}]}))
        .await;
    tokio::time::sleep(ttl + std::time::Duration::from_millis(100)).await;
    // The first request past the period is answered from the vocabulary it had, at once, and
    // starts reading it again; a later one reads the new skill.
    assert_eq!(read_skills(&match_job(&app, &tenant, job.clone()).await), ["rust"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let response = match_job(&app, &tenant, job.clone()).await;
        if read_skills(&response) == ["kafka", "rust"] {
            assert_eq!(names(&response)[..2].iter().collect::<std::collections::BTreeSet<_>>().len(), 2);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the vocabulary was not read again: {response:#}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let refreshes = metrics
        .lines()
        .find_map(|l| l.strip_prefix(r#"vitae_tenant_memory_refreshes_total{what="vocabulary",outcome="ok"} "#))
        .and_then(|n| n.parse::<u64>().ok());
    assert!(refreshes.is_some_and(|n| n >= 1), "/metrics counts no vocabulary read again:\n{metrics}");
}
