#![doc = include_str!("../README.md")]

pub mod cache;
pub mod local;
pub mod openai;

use async_trait::async_trait;
use thiserror::Error;

/// A text to embed, with passages (byte ranges of it) that also want a vector each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextWithPassages {
    pub text: String,
    pub passages: Vec<std::ops::Range<usize>>,
}

/// A text's vector and its passages' (`None` where a passage lies past the model's input limit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EmbeddedText {
    pub vector: Vec<f32>,
    pub passages: Vec<Option<Vec<f32>>>,
}

/// Something that turns texts into unit-length vectors. Search relies on the unit length: its exact
/// rankings compute cosine distance as 1 − the inner product.
#[async_trait]
pub trait Embedder: Send + Sync + 'static {
    /// Recorded beside every stored embedding; a change of model id means re-embedding.
    fn model_id(&self) -> &str;
    fn dimensions(&self) -> usize;
    /// One vector per text, in order.
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// Each text's vector and its passages' vectors. The default embeds every passage on its
    /// own; the local model pools them from the same forward pass instead.
    async fn embed_with_passages(&self, items: Vec<TextWithPassages>) -> Result<Vec<EmbeddedText>, EmbedError> {
        let mut texts: Vec<String> = items.iter().map(|i| i.text.clone()).collect();
        for item in &items {
            texts.extend(item.passages.iter().map(|r| item.text.get(r.clone()).unwrap_or_default().to_owned()));
        }
        let mut vectors = self.embed(texts).await?.into_iter();
        let whole: Vec<Vec<f32>> = vectors.by_ref().take(items.len()).collect();
        Ok(items
            .iter()
            .zip(whole)
            .map(|(item, vector)| EmbeddedText { vector, passages: item.passages.iter().map(|_| vectors.next()).collect() })
            .collect())
    }
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
