//! Search documents: one per profile and mask, current as soon as a write returns, holding only
//! what the mask shows.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;
use vitae_tests::{TestApp, expect_json};

#[derive(Debug, sqlx::FromRow)]
struct Document {
    mask_slug: String,
    is_default: bool,
    text: String,
    skills: Vec<String>,
    tags: Vec<String>,
    country: Option<String>,
    card: serde_json::Value,
    model_id: Option<String>,
    embedding_updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn documents(conn: &mut PgConnection, profile: &str) -> Vec<Document> {
    sqlx::query_as(
        "select d.mask_slug, d.is_default, concat_ws(' ', d.text_a, d.text_b, d.text_c, d.text_d) as text, \
           d.skills, d.tags, d.country, d.card, e.model_id, e.updated_at as embedding_updated_at \
         from vitae.search_documents d left join vitae.document_embeddings e on e.document_id = d.id \
         where d.profile_id = $1 order by d.mask_slug",
    )
    .bind(Uuid::parse_str(profile).unwrap())
    .fetch_all(conn)
    .await
    .unwrap()
}

/// Profiles whose default document's embedding is nearest to `text`'s, nearest first.
async fn nearest(app: &TestApp, conn: &mut PgConnection, text: &str) -> Vec<String> {
    let embedder = vitae_embed::local::MiniLm::load(&vitae_tests::pg_tools::model_dir()).unwrap();
    let vector = pgvector::Vector::from(embedder.embed(&[text]).unwrap().remove(0));
    let _ = app;
    sqlx::query_scalar(
        "select d.card->>'display_name' from vitae.document_embeddings e join vitae.search_documents d on d.id = e.document_id \
         where e.is_default order by e.embedding <=> $1",
    )
    .bind(vector)
    .fetch_all(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_mask_gets_an_embedded_document_as_soon_as_the_profile_is_written() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let rust = app
        .create_profile(
            &tenant,
            json!({"display_name": "Rhea", "headline": "Senior Rust backend engineer",
            "skills": [{"name": "Rust"}, {"name": "PostgreSQL"}], "masks": [{"name": "Recruiters", "config": {}}]}),
        )
        .await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Paco", "headline": "Pastry chef in Paris", "skills": [{"name": "Croissants"}]}),
    )
    .await;
    let mut conn = app.db.connect_as_superuser().await;
    let docs = documents(&mut conn, rust["id"].as_str().unwrap()).await;
    let slugs: Vec<(&str, bool)> = docs.iter().map(|d| (d.mask_slug.as_str(), d.is_default)).collect();
    assert_eq!(slugs, vec![("public", true), ("recruiters", false)]);
    assert!(docs.iter().all(|d| d.model_id.as_deref() == Some("all-MiniLM-L6-v2")));
    assert_eq!(docs[0].skills, vec!["rust", "postgresql"]);
    assert_eq!(nearest(&app, &mut conn, "systems programmer who writes Rust").await, vec!["Rhea", "Paco"]);
    assert_eq!(nearest(&app, &mut conn, "baker").await, vec!["Paco", "Rhea"]);
}

#[tokio::test]
async fn edits_rebuild_documents_and_unchanged_text_keeps_its_embedding() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let profile = app.create_profile(&tenant, json!({"display_name": "Rhea", "headline": "Rust engineer"})).await;
    let id = profile["id"].as_str().unwrap();
    let path = format!("/v1/profiles/{id}");
    let mut conn = app.db.connect_as_superuser().await;
    let before = documents(&mut conn, id).await.remove(0);

    // A rename changes the document's text but not the embedded text: the vector is kept.
    expect_json(app.patch(&path, &tenant.write, &json!({"display_name": "Rhea Vance"})).send().await.unwrap(), 200).await;
    let renamed = documents(&mut conn, id).await.remove(0);
    assert!(renamed.text.contains("Rhea Vance"));
    assert_eq!(renamed.card["display_name"], "Rhea Vance");
    assert_eq!(renamed.embedding_updated_at, before.embedding_updated_at);

    // A new skill changes the embedded text: a new vector.
    expect_json(app.post(&format!("{path}/skills"), &tenant.write, &json!({"name": "Kubernetes"})).send().await.unwrap(), 201)
        .await;
    let with_skill = documents(&mut conn, id).await.remove(0);
    assert_eq!(with_skill.skills, vec!["kubernetes"]);
    assert_ne!(with_skill.embedding_updated_at, before.embedding_updated_at);

    // Soft delete removes the profile from search; restore brings its documents back.
    assert_eq!(app.delete(&path, &tenant.write).send().await.unwrap().status(), 204);
    assert!(documents(&mut conn, id).await.is_empty());
    expect_json(app.post(&format!("{path}/restore"), &tenant.write, &json!({})).send().await.unwrap(), 200).await;
    let restored = documents(&mut conn, id).await;
    assert_eq!(restored.len(), 1);
    assert!(restored[0].model_id.is_some());

    // Deleting a mask removes its document.
    let mask =
        expect_json(app.post(&format!("{path}/masks"), &tenant.write, &json!({"name": "Extra"})).send().await.unwrap(), 201)
            .await;
    assert_eq!(documents(&mut conn, id).await.len(), 2);
    let mask_path = format!("{path}/masks/{}", mask["id"].as_str().unwrap());
    assert_eq!(app.delete(&mask_path, &tenant.write).send().await.unwrap().status(), 204);
    assert_eq!(documents(&mut conn, id).await.len(), 1);
}

#[tokio::test]
async fn a_word_in_a_hidden_field_never_reaches_the_masks_document() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    // One unique, made-up word per hideable field.
    let profile = app
        .create_profile(&tenant, json!({
            "display_name": "Ivy Example",
            "headline": "Engineer",
            "summary": "Known for zorblaxian methods.",
            "location": "Quorvath",
            "country": "IS",
            "contact": {"email": "flimnap@example.org", "phone": "+354 555 0199", "links": [{"label": "Brobdingrag", "url": "https://example.org/brobdingrag"}]},
            "tags": ["glubdubdrib"],
            "experiences": [
                {"title": "Engineer", "organization": "Luggnaggian Works", "description": "Built the balnibarbi engine.",
                 "start_date": "2015-01-01", "end_date": "2019-01-01", "location": "Lagadoville", "tags": ["kept"]},
                {"title": "Yahoovian strategist", "organization": "Houyhnco", "start_date": "2019-02-01", "tags": ["dropped"]}
            ],
            "skills": [{"name": "Laputan", "category": "secret"}, {"name": "Rust", "category": "languages", "level": 5, "years": 9}],
            "masks": [
                {"name": "Open", "config": {}},
                {"name": "Closed", "config": {
                    "hide": ["email", "phone", "links", "location", "country", "organizations", "summary", "tags",
                             "experience_descriptions", "experience_dates", "skill_details"],
                    "experience_tags": ["kept"], "skill_categories": ["languages"]}}
            ]
        }))
        .await;
    let words = [
        "zorblaxian",
        "quorvath",
        "iceland",
        "flimnap",
        "brobdingrag",
        "glubdubdrib",
        "luggnaggian",
        "balnibarbi",
        "lagadoville",
        "yahoovian",
        "houyhnco",
        "laputan",
    ];
    let mut conn = app.db.connect_as_superuser().await;
    let docs = documents(&mut conn, profile["id"].as_str().unwrap()).await;
    let open = docs.iter().find(|d| d.mask_slug == "open").unwrap();
    let closed = docs.iter().find(|d| d.mask_slug == "closed").unwrap();
    let everything = |d: &Document| format!("{} {:?} {:?} {:?} {}", d.text, d.skills, d.tags, d.country, d.card).to_lowercase();

    for word in words {
        // Positive control: the unmasked document has every word but the contact details,
        // which documents never hold.
        let in_open = everything(open).contains(word);
        let contact = ["flimnap", "brobdingrag"].contains(&word);
        assert_eq!(in_open, !contact, "{word} in the open document");
        assert!(!everything(closed).contains(word), "{word} leaked into the closed document");
        let matches: i64 = sqlx::query_scalar(
            "select count(*) from vitae.search_documents where mask_slug = 'closed' and tsv @@ plainto_tsquery('english', $1)",
        )
        .bind(word)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(matches, 0, "{word} matches the closed document's full text");
    }
    assert_eq!(closed.skills, vec!["rust"]);
    assert_eq!(closed.country, None);
}
