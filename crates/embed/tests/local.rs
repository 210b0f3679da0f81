//! The local provider as the service uses it: asynchronous, on its workers, with the query cache.

// Tests and examples fail by panicking with the error they met.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use vitae_embed::Embedder;
use vitae_embed::cache::QueryCache;
use vitae_embed::local::{LocalEmbedder, MiniLm};

fn model_dir() -> PathBuf {
    std::env::var_os("VITAE_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.local/models/all-MiniLM-L6-v2"))
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[tokio::test]
async fn workers_give_the_same_vectors_as_the_model_on_one_thread_in_input_order() {
    let embedder = LocalEmbedder::load(&model_dir(), 2, 4).expect("model");
    let texts: Vec<String> = (0..23).map(|i| format!("profile number {i} {}", "with more words ".repeat(i % 7))).collect();
    let got = embedder.embed(texts.clone()).await.expect("embed");
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let want = MiniLm::load(&model_dir()).expect("model").embed(&refs).expect("embed");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!(cosine(g, w) > 0.99999);
        // Search computes cosine distance as 1 − the inner product.
        assert!((cosine(g, g) - 1.0).abs() < 1e-5, "unit length");
    }
}

#[tokio::test]
async fn concurrent_callers_share_the_workers() {
    let embedder = Arc::new(LocalEmbedder::load(&model_dir(), 2, 8).expect("model"));
    let calls = (0..8).map(|i| {
        let embedder = Arc::clone(&embedder);
        tokio::spawn(async move { embedder.embed(vec![format!("query {i}"); 3]).await })
    });
    for call in calls {
        let vectors = call.await.expect("task").expect("embed");
        assert_eq!(vectors.len(), 3);
    }
    assert_eq!(embedder.worker_count(), 2, "every worker returned to the pool");
}

#[tokio::test]
async fn meaning_is_captured_synonyms_score_higher_than_unrelated_text() {
    let embedder = LocalEmbedder::load(&model_dir(), 1, 8).expect("model");
    let v = embedder
        .embed(vec!["software developer".into(), "computer programmer".into(), "pastry chef".into()])
        .await
        .expect("embed");
    assert!(cosine(&v[0], &v[1]) > cosine(&v[0], &v[2]) + 0.2);
}

#[tokio::test]
async fn the_query_cache_embeds_a_normalised_query_once() {
    let embedder = LocalEmbedder::load(&model_dir(), 1, 8).expect("model");
    let cache = QueryCache::new(16);
    let (first, hit) = cache.embed_query(&embedder, 1, "Rust   Engineer").await.expect("embed");
    assert!(!hit);
    let (second, hit) = cache.embed_query(&embedder, 1, "  rust engineer ").await.expect("embed");
    assert!(hit, "same query after normalisation");
    assert_eq!(first, second);
    assert_eq!(cache.len(), 1);
    let direct = embedder.embed(vec!["Rust Engineer".into()]).await.expect("embed");
    assert!(cosine(&first, &direct[0]) > 0.99999, "normalising changes nothing for an uncased model");
}

#[tokio::test]
async fn one_scope_never_hits_another_scopes_entries() {
    let embedder = LocalEmbedder::load(&model_dir(), 1, 8).expect("model");
    let cache = QueryCache::new(16);
    let (a, _) = cache.embed_query(&embedder, 1, "confidential merger lawyer").await.expect("embed");
    let (b, hit) = cache.embed_query(&embedder, 2, "confidential merger lawyer").await.expect("embed");
    assert!(!hit, "scope 2 must not learn that scope 1 asked this");
    assert_eq!(a, b);
    assert!(cache.embed_query(&embedder, 2, "confidential merger lawyer").await.expect("embed").1);
    assert_eq!(cache.len(), 2);
}

#[tokio::test]
async fn the_query_cache_forgets_the_least_recently_used() {
    let embedder = LocalEmbedder::load(&model_dir(), 1, 8).expect("model");
    let cache = QueryCache::new(2);
    for q in ["a", "b", "a", "c"] {
        cache.embed_query(&embedder, 1, q).await.expect("embed");
    }
    assert!(cache.embed_query(&embedder, 1, "a").await.expect("embed").1, "a was used recently");
    assert!(!cache.embed_query(&embedder, 1, "b").await.expect("embed").1, "b was evicted");
}

#[tokio::test]
async fn passages_pooled_from_the_same_pass_point_at_their_own_meaning() {
    use vitae_embed::TextWithPassages;
    let embedder = LocalEmbedder::load(&model_dir(), 2, 8).expect("model");
    let text = "Pastry chef who laminates croissant dough at dawn. Backend engineer writing Rust services for payments.";
    let split = text.find(" Backend").unwrap();
    let item = TextWithPassages { text: text.into(), passages: vec![0..split, split + 1..text.len()] };
    let out = embedder.embed_with_passages(vec![item.clone(), item]).await.expect("embed");
    let whole = embedder.embed(vec![text.into()]).await.expect("embed").remove(0);
    assert!(cosine(&out[0].vector, &whole) > 0.99999, "the document vector is the plain embedding");
    let (bakery, code) = (out[0].passages[0].clone().unwrap(), out[0].passages[1].clone().unwrap());
    let queries = embedder.embed(vec!["baker".into(), "software developer".into()]).await.expect("embed");
    assert!(cosine(&queries[0], &bakery) > cosine(&queries[0], &code));
    assert!(cosine(&queries[1], &code) > cosine(&queries[1], &bakery));
}

#[tokio::test]
async fn a_passage_past_the_input_limit_has_no_vector() {
    use vitae_embed::TextWithPassages;
    let embedder = LocalEmbedder::load(&model_dir(), 1, 8).expect("model");
    let long = "word ".repeat(400);
    let text = format!("{long}tail");
    let item = TextWithPassages { passages: vec![0..4, text.len() - 4..text.len()], text };
    let out = embedder.embed_with_passages(vec![item]).await.expect("embed");
    assert!(out[0].passages[0].is_some());
    assert!(out[0].passages[1].is_none(), "truncated at 256 tokens");
}
