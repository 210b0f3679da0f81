//! Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, TEI): batches, a timeout
//! per request, retries with exponential backoff on 429, 5xx and transport errors (honouring
//! `Retry-After`), vectors checked for size and normalised.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{EmbedError, Embedder};

#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// Base URL up to and including the version, e.g. `https://api.openai.com/v1` or
    /// `http://127.0.0.1:11434/v1`; `/embeddings` is appended.
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
    /// Vectors must have this many dimensions (the database column's size). Sent as the
    /// `dimensions` parameter, which models that support shortening honour.
    pub dimensions: usize,
    pub batch_size: usize,
    pub timeout: Duration,
    pub max_retries: u32,
    /// First backoff; doubled per retry (with jitter), capped at 30 s.
    pub initial_backoff: Duration,
}

pub struct OpenAiEmbedder {
    settings: OpenAiSettings,
    model_id: String,
    endpoint: String,
    client: reqwest::Client,
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    input: &'a [String],
    encoding_format: &'static str,
    dimensions: usize,
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Datum>,
}

#[derive(Deserialize)]
struct Datum {
    index: usize,
    embedding: Vec<f32>,
}

enum Attempt {
    Retry { reason: String, after: Option<Duration> },
    Fail(EmbedError),
}

impl OpenAiEmbedder {
    pub fn new(settings: OpenAiSettings) -> Result<Self, EmbedError> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| EmbedError::Provider(format!("building the HTTP client: {e}")))?;
        let endpoint = format!("{}/embeddings", settings.base_url.trim_end_matches('/'));
        let model_id = format!("openai:{}", settings.model);
        Ok(Self { settings, model_id, endpoint, client })
    }

    async fn embed_batch(&self, input: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut attempt = 0;
        loop {
            match self.try_once(input).await {
                Ok(vectors) => return Ok(vectors),
                Err(Attempt::Fail(error)) => return Err(error),
                Err(Attempt::Retry { reason, after }) => {
                    if attempt >= self.settings.max_retries {
                        return Err(EmbedError::Provider(format!("{reason} (gave up after {} attempts)", attempt + 1)));
                    }
                    let wait = after.unwrap_or_else(|| self.backoff(attempt));
                    tracing::warn!(%reason, attempt, wait_ms = wait.as_millis() as u64, "retrying embedding request");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.settings.initial_backoff.saturating_mul(1 << attempt.min(16));
        // Up to 25% jitter so that many clients do not retry in step.
        let jitter = base.mul_f64(rand::random::<f64>() * 0.25);
        (base + jitter).min(Duration::from_secs(30))
    }

    async fn try_once(&self, input: &[String]) -> Result<Vec<Vec<f32>>, Attempt> {
        let body = Request { model: &self.settings.model, input, encoding_format: "float", dimensions: self.settings.dimensions };
        let mut request = self.client.post(&self.endpoint).json(&body);
        if let Some(key) = &self.settings.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                return Err(Attempt::Retry { reason: "request timed out".into(), after: None });
            }
            Err(e) => return Err(Attempt::Retry { reason: format!("request failed: {e}"), after: None }),
        };
        let status = response.status();
        if status.as_u16() == 429 || status.is_server_error() {
            let after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s.min(30)));
            return Err(Attempt::Retry { reason: format!("provider answered {status}"), after });
        }
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let text: String = text.chars().take(300).collect();
            return Err(Attempt::Fail(EmbedError::Provider(format!("provider answered {status}: {text}"))));
        }
        let parsed: Response =
            response.json().await.map_err(|e| Attempt::Retry { reason: format!("unreadable response: {e}"), after: None })?;
        self.vectors(parsed, input.len()).map_err(Attempt::Fail)
    }

    fn vectors(&self, response: Response, expected: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        if response.data.len() != expected {
            return Err(EmbedError::Provider(format!("provider returned {} vectors for {expected} inputs", response.data.len())));
        }
        let mut out = vec![Vec::new(); expected];
        for datum in response.data {
            if datum.embedding.len() != self.settings.dimensions {
                return Err(EmbedError::Dimensions { expected: self.settings.dimensions, got: datum.embedding.len() });
            }
            let slot = out
                .get_mut(datum.index)
                .ok_or_else(|| EmbedError::Provider(format!("provider returned index {}", datum.index)))?;
            *slot = normalise(datum.embedding);
        }
        if out.iter().any(Vec::is_empty) {
            return Err(EmbedError::Provider("provider skipped an input".into()));
        }
        Ok(out)
    }
}

fn normalise(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimensions(&self) -> usize {
        self.settings.dimensions
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        let started = Instant::now();
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.settings.batch_size.max(1)) {
            // Most providers reject empty strings; a single space embeds the same "nothing".
            let batch: Vec<String> = batch.iter().map(|t| if t.trim().is_empty() { " ".to_owned() } else { t.clone() }).collect();
            out.extend(self.embed_batch(&batch).await?);
        }
        metrics::histogram!("vitae_embedding_seconds", "provider" => "openai").record(started.elapsed().as_secs_f64());
        metrics::counter!("vitae_embedded_texts_total", "provider" => "openai").increment(texts.len() as u64);
        Ok(out)
    }
}
