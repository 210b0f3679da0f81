//! A query-embedding cache: paging through results and repeating a query do not run the model
//! again. Keyed by scope (the tenant), model id and the normalised query (whitespace collapsed,
//! lower-cased: the local model is uncased, so this changes nothing it computes). Each tenant has
//! its own entries: a shared cache would let one tenant time whether another searched a phrase.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;

use crate::{EmbedError, Embedder};

/// Vectors by (scope, model id, normalised query).
type Entries = LruCache<(u128, String, String), Arc<Vec<f32>>>;

pub struct QueryCache {
    entries: Mutex<Entries>,
}

impl QueryCache {
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self { entries: Mutex::new(LruCache::new(capacity)) }
    }

    pub fn normalise(query: &str) -> String {
        query.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
    }

    /// The embedding of `query`, from `scope`'s entries or from `embedder`. Reports whether it
    /// was cached.
    pub async fn embed_query(
        &self,
        embedder: &dyn Embedder,
        scope: u128,
        query: &str,
    ) -> Result<(Arc<Vec<f32>>, bool), EmbedError> {
        let key = (scope, embedder.model_id().to_owned(), Self::normalise(query));
        if let Some(hit) = self.lock().get(&key) {
            metrics::counter!("vitae_query_cache_total", "result" => "hit").increment(1);
            return Ok((Arc::clone(hit), true));
        }
        metrics::counter!("vitae_query_cache_total", "result" => "miss").increment(1);
        let vector =
            embedder.embed(vec![key.2.clone()]).await?.pop().ok_or_else(|| EmbedError::Provider("no vector returned".into()))?;
        let vector = Arc::new(vector);
        self.lock().put(key, Arc::clone(&vector));
        Ok((vector, false))
    }

    /// Several texts at once (a job's passages): those `scope` asked before from its entries, the
    /// rest embedded in one batch. In the order given.
    pub async fn embed_many(
        &self,
        embedder: &dyn Embedder,
        scope: u128,
        texts: &[String],
    ) -> Result<Vec<Arc<Vec<f32>>>, EmbedError> {
        let keys: Vec<(u128, String, String)> =
            texts.iter().map(|t| (scope, embedder.model_id().to_owned(), Self::normalise(t))).collect();
        let mut found: Vec<Option<Arc<Vec<f32>>>> = {
            let mut entries = self.lock();
            keys.iter().map(|k| entries.get(k).cloned()).collect()
        };
        let missing: Vec<usize> = (0..keys.len()).filter(|&i| found[i].is_none()).collect();
        metrics::counter!("vitae_query_cache_total", "result" => "hit").increment((keys.len() - missing.len()) as u64);
        if !missing.is_empty() {
            metrics::counter!("vitae_query_cache_total", "result" => "miss").increment(missing.len() as u64);
            let vectors = embedder.embed(missing.iter().map(|&i| keys[i].2.clone()).collect()).await?;
            if vectors.len() != missing.len() {
                return Err(EmbedError::Provider(format!("{} vectors for {} texts", vectors.len(), missing.len())));
            }
            let mut entries = self.lock();
            for (&i, vector) in missing.iter().zip(vectors) {
                let vector = Arc::new(vector);
                entries.put(keys[i].clone(), Arc::clone(&vector));
                found[i] = Some(vector);
            }
        }
        Ok(found.into_iter().flatten().collect())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock leaves a consistent LRU; keep using it.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
