//! The OpenAI-compatible provider against a small local server that speaks the protocol,
//! including its failures.

// Tests and examples fail by panicking with the error they met.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use vitae_embed::openai::{OpenAiEmbedder, OpenAiSettings};
use vitae_embed::{EmbedError, Embedder};

/// What the fake provider does with each request, in order; once the script runs out it answers.
#[derive(Clone, Copy, Debug)]
enum Step {
    Answer,
    Status(u16),
    RateLimited { retry_after: u64 },
    Hang,
    WrongDimensions,
}

#[derive(Default)]
struct Provider {
    script: Mutex<VecDeque<Step>>,
    requests: Mutex<Vec<(Option<String>, Value)>>,
}

async fn embeddings(State(provider): State<Arc<Provider>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
    provider.requests.lock().unwrap().push((auth, body.clone()));
    let step = provider.script.lock().unwrap().pop_front().unwrap_or(Step::Answer);
    let dims = match step {
        Step::Answer => body["dimensions"].as_u64().unwrap_or(384) as usize,
        Step::WrongDimensions => 3,
        Step::Status(code) => {
            return (StatusCode::from_u16(code).unwrap(), Json(json!({"error": {"message": "nope"}}))).into_response();
        }
        Step::RateLimited { retry_after } => {
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", retry_after.to_string())], "slow down").into_response();
        }
        Step::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return StatusCode::OK.into_response();
        }
    };
    let inputs = body["input"].as_array().cloned().unwrap_or_default();
    // A deterministic, unnormalised vector per input: its length in the first slot.
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .rev() // out of order on purpose: clients must use `index`
        .map(|(i, text)| {
            let mut v = vec![0.0f32; dims];
            v[0] = text.as_str().unwrap_or("").len() as f32 + 1.0;
            v[1 % dims] += 1.0;
            json!({"object": "embedding", "index": i, "embedding": v})
        })
        .collect();
    Json(json!({"object": "list", "data": data, "model": body["model"]})).into_response()
}

async fn serve(script: Vec<Step>) -> (String, Arc<Provider>) {
    let provider = Arc::new(Provider { script: Mutex::new(script.into()), ..Default::default() });
    let app = Router::new().route("/v1/embeddings", post(embeddings)).with_state(Arc::clone(&provider));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, provider)
}

fn settings(base_url: String) -> OpenAiSettings {
    OpenAiSettings {
        base_url,
        model: "text-embedding-3-small".into(),
        api_key: Some("sk-test".into()),
        dimensions: 384,
        batch_size: 2,
        timeout: Duration::from_millis(300),
        max_retries: 3,
        initial_backoff: Duration::from_millis(10),
    }
}

fn texts(n: usize) -> Vec<String> {
    (0..n).map(|i| "x".repeat(i + 1)).collect()
}

#[tokio::test]
async fn batches_requests_sends_the_key_and_returns_vectors_in_input_order() {
    let (url, provider) = serve(vec![]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let vectors = embedder.embed(texts(5)).await.unwrap();
    assert_eq!(vectors.len(), 5);
    for (i, v) in vectors.iter().enumerate() {
        assert_eq!(v.len(), 384);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "normalised");
        // The first component encodes the input's length: order is preserved.
        let expected = (i as f32 + 2.0) / ((i as f32 + 2.0).powi(2) + 1.0).sqrt();
        assert!((v[0] - expected).abs() < 1e-5, "vector {i} belongs to input {i}");
    }
    let requests = provider.requests.lock().unwrap();
    let sizes: Vec<usize> = requests.iter().map(|(_, b)| b["input"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![2, 2, 1], "batches of at most batch_size");
    assert!(requests.iter().all(|(auth, _)| auth.as_deref() == Some("Bearer sk-test")));
    assert!(requests.iter().all(|(_, b)| b["model"] == "text-embedding-3-small" && b["dimensions"] == 384));
    assert_eq!(embedder.model_id(), "openai:text-embedding-3-small");
}

#[tokio::test]
async fn retries_server_errors_and_rate_limits_then_succeeds() {
    let (url, provider) = serve(vec![Step::Status(500), Step::RateLimited { retry_after: 0 }, Step::Status(503)]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let vectors = embedder.embed(texts(1)).await.unwrap();
    assert_eq!(vectors.len(), 1);
    assert_eq!(provider.requests.lock().unwrap().len(), 4, "three failures, then the answer");
}

#[tokio::test]
async fn honours_retry_after() {
    let (url, _provider) = serve(vec![Step::RateLimited { retry_after: 1 }]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let started = std::time::Instant::now();
    embedder.embed(texts(1)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "waited as Retry-After asked");
}

#[tokio::test]
async fn gives_up_after_the_retry_budget() {
    let (url, provider) = serve(vec![Step::Status(502); 10]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let error = embedder.embed(texts(1)).await.unwrap_err();
    assert!(matches!(error, EmbedError::Provider(ref m) if m.contains("502") && m.contains("4 attempts")), "{error}");
    assert_eq!(provider.requests.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn a_client_error_fails_at_once_without_retrying() {
    let (url, provider) = serve(vec![Step::Status(401)]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let error = embedder.embed(texts(1)).await.unwrap_err();
    assert!(error.to_string().contains("401"), "{error}");
    assert_eq!(provider.requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_hanging_provider_times_out_and_is_retried() {
    let (url, provider) = serve(vec![Step::Hang, Step::Hang]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let started = std::time::Instant::now();
    embedder.embed(texts(1)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "the timeout cut the hangs short");
    assert_eq!(provider.requests.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn vectors_of_the_wrong_size_are_refused() {
    let (url, _provider) = serve(vec![Step::WrongDimensions]).await;
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let error = embedder.embed(texts(1)).await.unwrap_err();
    assert!(matches!(error, EmbedError::Dimensions { expected: 384, got: 3 }), "{error}");
}

#[tokio::test]
async fn an_unreachable_provider_fails_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    drop(listener);
    let embedder = OpenAiEmbedder::new(settings(url)).unwrap();
    let error = embedder.embed(texts(1)).await.unwrap_err();
    assert!(error.to_string().contains("gave up"), "{error}");
}
