//! The OpenAPI document: generated from code, checked in, served, complete.

use serde_json::Value;
use vitae_tests::TestApp;
use vitae_tests::pg_tools::repo_root;

const REGENERATE: &str = "run `scripts/generate` (it rewrites openapi/openapi.json and the TypeScript client's types)";

fn generated() -> Value {
    serde_json::to_value(vitae::http::document()).expect("the document serialises")
}

#[test]
fn the_checked_in_document_matches_the_code() {
    let path = repo_root().join("openapi/openapi.json");
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    let checked_in: Value = serde_json::from_str(&file).unwrap_or(Value::Null);
    assert!(checked_in == generated(), "openapi/openapi.json is stale: {REGENERATE}");
    let pretty = vitae::http::document().to_pretty_json().expect("pretty");
    assert_eq!(file.trim_end(), pretty.trim_end(), "openapi/openapi.json is not formatted as generated: {REGENERATE}");
}

#[tokio::test]
async fn the_served_document_is_the_checked_in_one_and_the_docs_page_renders_it() {
    let app = TestApp::spawn().await;
    let served: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(served, generated());
    assert_eq!(served["openapi"], "3.1.0");

    let page = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Its assets come from the binary, not from the internet.
    for asset in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let response = app.http.get(app.url(asset)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        assert!(response.bytes().await.unwrap().len() > 100, "{asset}");
    }
    assert!(!html.contains("cdn"), "no CDN references");
}

#[test]
fn every_operation_is_named_tagged_described_and_documents_its_errors() {
    let doc = generated();
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            let verb = id.split('_').next().unwrap();
            assert!(
                ["create", "get", "list", "update", "delete", "restore", "import", "search", "match", "rebuild"].contains(&verb)
                    && id.contains('_'),
                "{id}: operation ids read verb_resource"
            );
            assert!(!ids.contains(&id.to_owned()), "{id} is used twice");
            ids.push(id.to_owned());
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{id} has no tag");
            assert!(op["summary"].is_string() || op["description"].is_string(), "{id} is not described");
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                let response = match response.get("$ref").and_then(Value::as_str) {
                    Some(r) => &doc["components"]["responses"][r.trim_start_matches("#/components/responses/")],
                    None => response,
                };
                assert!(response["description"].is_string(), "{id} {status} has no description");
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"]["schema"]["$ref"] == "#/components/schemas/Problem",
                        "{id} {status} is not a problem document"
                    );
                }
            }
            if path.starts_with("/v1/") {
                for status in ["401", "403", "429", "500", "503"] {
                    assert!(responses.contains_key(status), "{id} does not document {status}");
                }
                // Only an operation that takes input can find it invalid.
                let takes_input = op.get("requestBody").is_some() || op["parameters"].as_array().is_some_and(|p| !p.is_empty());
                assert_eq!(responses.contains_key("422"), takes_input, "{id}: 422 documented exactly when it takes input");
                assert_eq!(op["security"][0]["api_key"].as_array().map(Vec::len), Some(1), "{id}: security scope");
            }
        }
    }
    assert!(ids.len() >= 23, "{ids:?}");
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
}

#[test]
fn the_documented_mask_schema_is_the_one_the_domain_enforces() {
    let doc = generated();
    let schema = &doc["components"]["schemas"]["MaskConfigV1"];
    let mut documented: Vec<String> = schema["properties"].as_object().unwrap().keys().cloned().collect();
    documented.sort();
    let full = vitae_domain::mask::MaskConfig {
        experience_tags: Some(vec![]),
        skill_categories: Some(vec![]),
        headline: Some("h".into()),
        summary: Some("s".into()),
        ..vitae_domain::mask::MaskConfig::default()
    };
    let mut enforced: Vec<String> = serde_json::to_value(full).unwrap().as_object().unwrap().keys().cloned().collect();
    enforced.sort();
    assert_eq!(documented, enforced, "MaskConfigV1 must list exactly the domain's keys");
    let names: Vec<String> = schema["properties"]["hide"]["items"]["enum"]
        .as_array()
        .map(|v| v.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
        .unwrap_or_else(|| {
            doc["components"]["schemas"]["HiddenFieldName"]["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect()
        });
    let domain: Vec<String> = vitae_domain::mask::HiddenField::ALL
        .iter()
        .map(|f| serde_json::to_value(f).unwrap().as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, domain, "the hideable fields the document lists are the domain's");
}

/// Each limit is a domain constant; the document states it by hand (utoipa takes literals), so
/// this holds the two together.
#[test]
fn the_documented_limits_are_the_domain_constants() {
    use vitae_domain::job::limits as j;
    use vitae_domain::mask;
    use vitae_domain::profile::limits as p;
    use vitae_domain::search::limits as s;
    let doc = generated();
    let schemas = &doc["components"]["schemas"];
    let property =
        |schema: &str, path: &[&str]| path.iter().fold(&schemas[schema]["properties"], |value, key| &value[*key]).clone();
    let parameter = |path: &str, name: &str| {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has no parameter {name}"))["schema"]
            .clone()
    };
    let checks: Vec<(String, Value, f64)> = vec![
        ("display_name".into(), property("ProfileCreate", &["display_name", "maxLength"]), p::DISPLAY_NAME as f64),
        ("headline".into(), property("ProfileCreate", &["headline", "maxLength"]), p::HEADLINE as f64),
        ("summary".into(), property("ProfileCreate", &["summary", "maxLength"]), p::SUMMARY as f64),
        ("location".into(), property("ProfileCreate", &["location", "maxLength"]), p::LOCATION as f64),
        ("external_id".into(), property("ProfileCreate", &["external_id", "maxLength"]), p::EXTERNAL_ID as f64),
        ("tags".into(), property("ProfileCreate", &["tags", "maxItems"]), p::TAGS as f64),
        ("tags[]".into(), property("ProfileCreate", &["tags", "items", "maxLength"]), p::TAG as f64),
        ("experiences".into(), property("ProfileCreate", &["experiences", "maxItems"]), p::EXPERIENCES as f64),
        ("skills".into(), property("ProfileCreate", &["skills", "maxItems"]), p::SKILLS as f64),
        ("masks".into(), property("ProfileCreate", &["masks", "maxItems"]), p::MASKS as f64),
        ("title".into(), property("ExperienceCreate", &["title", "maxLength"]), p::TITLE as f64),
        ("organization".into(), property("ExperienceCreate", &["organization", "maxLength"]), p::ORGANIZATION as f64),
        ("description".into(), property("ExperienceCreate", &["description", "maxLength"]), p::DESCRIPTION as f64),
        ("skill name".into(), property("SkillCreate", &["name", "maxLength"]), p::SKILL_NAME as f64),
        ("category".into(), property("SkillCreate", &["category", "maxLength"]), p::CATEGORY as f64),
        ("level min".into(), property("SkillCreate", &["level", "minimum"]), f64::from(p::SKILL_LEVEL_MIN)),
        ("level max".into(), property("SkillCreate", &["level", "maximum"]), f64::from(p::SKILL_LEVEL_MAX)),
        ("years".into(), property("SkillCreate", &["years", "maximum"]), f64::from(p::SKILL_YEARS_MAX)),
        ("email".into(), property("ContactBody", &["email", "maxLength"]), p::EMAIL as f64),
        ("phone".into(), property("ContactBody", &["phone", "maxLength"]), p::PHONE as f64),
        ("links".into(), property("ContactBody", &["links", "maxItems"]), p::LINKS as f64),
        ("link label".into(), property("LinkBody", &["label", "maxLength"]), p::LINK_LABEL as f64),
        ("link url".into(), property("LinkBody", &["url", "maxLength"]), p::URL as f64),
        ("mask name".into(), property("MaskCreate", &["name", "maxLength"]), mask::NAME_MAX_LEN as f64),
        ("mask slug".into(), property("MaskCreate", &["slug", "maxLength"]), mask::SLUG_MAX_LEN as f64),
        ("q".into(), property("SearchRequest", &["q", "maxLength"]), s::QUERY as f64),
        ("search limit".into(), property("SearchRequest", &["limit", "maximum"]), s::PAGE as f64),
        ("search cursor".into(), property("SearchRequest", &["cursor", "maxLength"]), s::CURSOR as f64),
        ("search mask".into(), property("SearchRequest", &["mask", "maxLength"]), mask::SLUG_MAX_LEN as f64),
        ("skills_all".into(), property("SearchFilters", &["skills_all", "maxItems"]), s::FILTER_VALUES as f64),
        ("skills_any".into(), property("SearchFilters", &["skills_any", "maxItems"]), s::FILTER_VALUES as f64),
        ("filter tags".into(), property("SearchFilters", &["tags", "maxItems"]), s::FILTER_VALUES as f64),
        ("filter countries".into(), property("SearchFilters", &["country", "maxItems"]), s::COUNTRIES as f64),
        ("filter years".into(), property("SearchFilters", &["min_years", "maximum"]), s::YEARS),
        ("similar limit".into(), parameter("/v1/profiles/{id}/similar", "limit")["maximum"].clone(), s::PAGE as f64),
        (
            "similar skills".into(),
            parameter("/v1/profiles/{id}/similar", "skills_all")["maxLength"].clone(),
            s::FILTER_LIST as f64,
        ),
        ("similar years".into(), parameter("/v1/profiles/{id}/similar", "min_years")["maximum"].clone(), s::YEARS),
        ("similar cursor".into(), parameter("/v1/profiles/{id}/similar", "cursor")["maxLength"].clone(), s::CURSOR as f64),
        ("list limit".into(), parameter("/v1/profiles", "limit")["maximum"].clone(), s::PAGE as f64),
        ("list tag".into(), parameter("/v1/profiles", "tag")["maxLength"].clone(), p::TAG as f64),
        ("list mask".into(), parameter("/v1/profiles", "mask")["maxLength"].clone(), mask::SLUG_MAX_LEN as f64),
        ("job".into(), property("MatchRequest", &["job", "maxLength"]), j::JOB as f64),
        ("match pin".into(), property("MatchRequest", &["pin", "maxItems"]), j::ADJUSTMENTS as f64),
        ("match pin[]".into(), property("MatchRequest", &["pin", "items", "maxLength"]), j::TERM as f64),
        ("match drop".into(), property("MatchRequest", &["drop", "maxItems"]), j::ADJUSTMENTS as f64),
        ("match drop[]".into(), property("MatchRequest", &["drop", "items", "maxLength"]), j::TERM as f64),
        ("match limit".into(), property("MatchRequest", &["limit", "maximum"]), s::PAGE as f64),
    ];
    let wrong: Vec<String> = checks
        .into_iter()
        .filter(|(_, documented, enforced)| documented.as_f64() != Some(*enforced))
        .map(|(name, documented, enforced)| format!("{name}: documented {documented}, enforced {enforced}"))
        .collect();
    assert!(wrong.is_empty(), "the document and the domain disagree:\n{}", wrong.join("\n"));
}
