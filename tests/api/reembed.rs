//! `vitae reembed`: documents made by another model get new embeddings, batch by batch; an
//! interrupted run is finished by the next and nothing is lost. Documents written before they
//! recorded when their years were counted are rebuilt too.

use std::sync::Arc;

use serde_json::json;
use vitae::service::indexer::Indexer;
use vitae::service::reembed;
use vitae_repository::{DatabaseSettings, Pools};
use vitae_tests::TestApp;

#[tokio::test]
async fn an_interrupted_reembed_is_finished_by_the_next_and_loses_nothing() {
    let app = TestApp::spawn().await;
    let tenants = [app.tenant("a").await, app.tenant("b").await];
    for (t, tenant) in tenants.iter().enumerate() {
        for i in 0..3 {
            app.create_profile(
                tenant,
                json!({"display_name": format!("P{t}{i}"), "headline": format!("Engineer {t} {i}"),
                "masks": [{"name": "Second", "config": {"hide": ["summary"]}}]}),
            )
            .await;
        }
    }
    let mut conn = app.db.connect_as_superuser().await;
    let truth: Vec<(uuid::Uuid, pgvector::Vector)> =
        sqlx::query_as("select document_id, embedding from vitae.document_embeddings order by document_id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(truth.len(), 12);
    // As if an older model had made them.
    sqlx::query(
        "update vitae.document_embeddings set model_id = 'old-model', embedding = array_fill(0.01, array[384])::real[]::vector",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let (pools, indexer) = command_line(&app);

    let first = reembed::run(&pools, &indexer, 2, Some(1), &|_| {}).await.unwrap();
    assert_eq!((first.profiles_total, first.profiles_done), (6, 2), "stopped after one batch of two profiles");
    let old: i64 = sqlx::query_scalar("select count(*) from vitae.document_embeddings where model_id = 'old-model'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(old, 8, "the rest still serve with their old vectors");

    let second = reembed::run(&pools, &indexer, 2, None, &|_| {}).await.unwrap();
    assert_eq!((second.profiles_total, second.profiles_done), (4, 4));
    let after: Vec<(uuid::Uuid, pgvector::Vector, String)> =
        sqlx::query_as("select document_id, embedding, model_id from vitae.document_embeddings order by document_id")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(after.len(), truth.len(), "no document lost");
    for ((id, vector, model), (true_id, true_vector)) in after.iter().zip(&truth) {
        assert_eq!(id, true_id);
        assert_eq!(model, "all-MiniLM-L6-v2");
        let dot: f32 = vector.as_slice().iter().zip(true_vector.as_slice()).map(|(a, b)| a * b).sum();
        assert!(dot > 0.99999, "document {id} has its real embedding again");
    }
    let third = reembed::run(&pools, &indexer, 2, None, &|_| {}).await.unwrap();
    assert_eq!(third.profiles_total, 0, "nothing left to do");
}

#[tokio::test]
async fn documents_from_before_years_were_dated_are_rebuilt_with_their_embeddings_kept() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("a").await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Ines Vale", "headline": "Welder",
        "experiences": [{"title": "Welder", "organization": "Subsea", "start_date": "2020-01-01"}]}),
    )
    .await;
    app.create_profile(&tenant, json!({"display_name": "Ola Dahl", "headline": "Welder"})).await;
    let mut conn = app.db.connect_as_superuser().await;
    let dated = "select count(*) filter (where years_counted_on = current_date and experience_ongoing), \
                 count(*) filter (where years_counted_on is null) from vitae.search_documents";
    assert_eq!(sqlx::query_as::<_, (i64, i64)>(dated).fetch_one(&mut conn).await.unwrap(), (1, 0));
    let embeddings = "select document_id, embedding from vitae.document_embeddings order by document_id";
    let before: Vec<(uuid::Uuid, pgvector::Vector)> = sqlx::query_as(embeddings).fetch_all(&mut conn).await.unwrap();
    // As written before migration 0005: no day, not marked current.
    sqlx::query("update vitae.search_documents set years_counted_on = null, experience_ongoing = false")
        .execute(&mut conn)
        .await
        .unwrap();

    let (pools, indexer) = command_line(&app);
    let progress = reembed::run(&pools, &indexer, 10, None, &|_| {}).await.unwrap();
    assert_eq!((progress.profiles_total, progress.profiles_done), (2, 2));
    assert_eq!(sqlx::query_as::<_, (i64, i64)>(dated).fetch_one(&mut conn).await.unwrap(), (1, 0));
    let after: Vec<(uuid::Uuid, pgvector::Vector)> = sqlx::query_as(embeddings).fetch_all(&mut conn).await.unwrap();
    assert_eq!(after, before, "the text did not change, so neither did the embeddings");
}

/// What `vitae reembed` runs with: the pools and the local model.
fn command_line(app: &TestApp) -> (Pools, Indexer) {
    let pools = Pools {
        primary: DatabaseSettings::new(app.db.app_url()).pool().unwrap(),
        read: DatabaseSettings::new(app.db.app_url()).pool().unwrap(),
        owner: Some(DatabaseSettings::new(app.db.owner_url()).pool().unwrap()),
    };
    let embedder = vitae_embed::local::LocalEmbedder::load(&vitae_tests::pg_tools::model_dir(), 1, 32).unwrap();
    (pools, Indexer::new(Arc::new(embedder)))
}
