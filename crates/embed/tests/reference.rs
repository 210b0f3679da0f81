//! The local provider reproduces sentence-transformers' embeddings for the same model files.

// Tests and examples fail by panicking with the error they met.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use serde::Deserialize;
use vitae_embed::local::MiniLm;

#[derive(Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    text: String,
    embedding: Vec<f32>,
}

fn model_dir() -> PathBuf {
    std::env::var_os("VITAE_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.local/models/all-MiniLM-L6-v2"))
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("fixtures/minilm_reference.json")).expect("fixture parses")
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

fn assert_matches(texts: &[&str], got: &[Vec<f32>], want: &[&Item]) {
    for ((text, got), want) in texts.iter().zip(got).zip(want) {
        assert_eq!(got.len(), 384);
        let worst = got.iter().zip(&want.embedding).map(|(g, w)| (g - w).abs()).fold(0.0f32, f32::max);
        let cos = cosine(got, &want.embedding);
        assert!(worst <= 1e-5, "{text:?}: largest difference {worst:e} > 1e-5");
        assert!(cos >= 0.99999, "{text:?}: cosine {cos} < 0.99999");
    }
}

#[test]
fn every_reference_sentence_matches_when_embedded_together() {
    let model = MiniLm::load(&model_dir()).expect("model loads (run scripts/fetch-model)");
    let reference = reference();
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let got = model.embed(&texts).expect("embedding");
    assert_matches(&texts, &got, &reference.items.iter().collect::<Vec<_>>());
}

#[test]
fn every_reference_sentence_matches_when_embedded_alone() {
    let model = MiniLm::load(&model_dir()).expect("model loads");
    let reference = reference();
    for item in &reference.items {
        let got = model.embed(&[item.text.as_str()]).expect("embedding");
        assert_matches(&[item.text.as_str()], &got, &[item]);
    }
}

#[test]
fn batch_size_does_not_change_the_result() {
    let reference = reference();
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let one = MiniLm::load(&model_dir()).expect("model").with_max_batch(1).embed(&texts).expect("embed");
    let three = MiniLm::load(&model_dir()).expect("model").with_max_batch(3).embed(&texts).expect("embed");
    for (a, b) in one.iter().zip(&three) {
        assert!(cosine(a, b) > 0.999_999);
    }
}
