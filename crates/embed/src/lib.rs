#![doc = include_str!("../README.md")]

pub mod cache;
pub mod local;
pub mod openai;

use async_trait::async_trait;
use thiserror::Error;

/// Something that turns texts into unit-length vectors.
#[async_trait]
pub trait Embedder: Send + Sync + 'static {
    /// Recorded beside every stored embedding; a change of model id means re-embedding.
    fn model_id(&self) -> &str;
    fn dimensions(&self) -> usize;
    /// One vector per text, in order.
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError>;
}

#[derive(Debug, Error)]
pub enum EmbedError {
    /// The model could not be loaded or run.
    #[error("embedding model: {0}")]
    Model(String),
    /// A remote provider failed (after retries).
    #[error("embedding provider: {0}")]
    Provider(String),
    /// The provider answered with vectors of the wrong size.
    #[error("embedding provider returned {got} dimensions, expected {expected}")]
    Dimensions { expected: usize, got: usize },
}
