//! Keeps search documents current. Called inside the transaction of every write that changes
//! what a mask shows, so documents and data commit (or roll back) together.
//!
//! Embedding is the expensive part, so it is done only for text that changed: a document whose
//! embedded text hashes the same as the stored one, under the same model, keeps its vector. The
//! texts of many profiles are embedded in one call (bulk import), deduplicated.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;

use vitae_domain::document::SearchDocument;
use vitae_domain::mask::{self, ProfileAggregate};
use vitae_embed::{EmbedError, Embedder, TextWithPassages};
use vitae_repository::TenantTx;
use vitae_repository::documents::{self, DocumentWrite, NewEmbedding};

use crate::http::problem::{ApiError, ErrorCode};

pub struct Indexer {
    embedder: Arc<dyn Embedder>,
}

/// The documents of one profile, built and waiting for the vectors they lack.
struct Planned {
    profile_id: Uuid,
    updated_at: chrono::DateTime<Utc>,
    active: bool,
    documents: Vec<(Uuid, String, bool, SearchDocument, bool)>, // mask id, slug, default, document, needs a vector
}

impl Indexer {
    pub fn new(embedder: Arc<dyn Embedder>) -> Self {
        Self { embedder }
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    /// Rebuilds the documents of the given profiles (as they are now, in `tx`).
    pub async fn reindex(&self, tx: &mut TenantTx, aggregates: &[ProfileAggregate]) -> Result<(), ApiError> {
        let today = Utc::now().date_naive();
        let model = self.embedder.model_id().to_owned();
        let mut plans = Vec::with_capacity(aggregates.len());
        for aggregate in aggregates {
            let profile = &aggregate.profile;
            if !profile.is_active {
                plans.push(Planned { profile_id: profile.id, updated_at: profile.updated_at, active: false, documents: vec![] });
                continue;
            }
            let stored = documents::stored_for_profile(tx, profile.id).await?;
            let documents = aggregate
                .masks
                .iter()
                .map(|m| {
                    let document = SearchDocument::build(&mask::apply(aggregate, m), today);
                    let current = stored.iter().any(|s| {
                        s.mask_id == m.id
                            && s.content_hash == document.content_hash
                            && s.model_id.as_deref() == Some(model.as_str())
                    });
                    (m.id, m.slug.clone(), m.is_default, document, !current)
                })
                .collect();
            plans.push(Planned { profile_id: profile.id, updated_at: profile.updated_at, active: true, documents });
        }

        // One embedding call for every changed text, each distinct text once.
        let mut texts: Vec<TextWithPassages> = Vec::new();
        let mut index: HashMap<[u8; 32], usize> = HashMap::new();
        for plan in &plans {
            for (_, _, _, document, needs) in &plan.documents {
                if *needs && !index.contains_key(&document.content_hash) {
                    index.insert(document.content_hash, texts.len());
                    texts.push(TextWithPassages { text: document.embedding_text.clone(), passages: document.passages.clone() });
                }
            }
        }
        let vectors = if texts.is_empty() {
            Vec::new()
        } else {
            let started = std::time::Instant::now();
            let embedded = self.embedder.embed_with_passages(texts).await.map_err(embed_error)?;
            metrics::histogram!("vitae_embedding_batch_seconds", "kind" => "documents").record(started.elapsed().as_secs_f64());
            embedded
        };

        for plan in &plans {
            if !plan.active {
                documents::delete_for_profile(tx, plan.profile_id).await?;
                continue;
            }
            let writes: Vec<DocumentWrite<'_>> = plan
                .documents
                .iter()
                .map(|(mask_id, slug, is_default, document, needs)| DocumentWrite {
                    mask_id: *mask_id,
                    mask_slug: slug,
                    is_default: *is_default,
                    document,
                    embedding: needs.then(|| index.get(&document.content_hash).and_then(|&i| vectors.get(i))).flatten().map(
                        |v| NewEmbedding { model_id: model.as_str(), vector: v.vector.clone(), passages: v.passages.clone() },
                    ),
                })
                .collect();
            documents::replace_for_profile(tx, plan.profile_id, plan.updated_at, &writes).await?;
        }
        Ok(())
    }
}

pub fn embed_error(error: EmbedError) -> ApiError {
    match error {
        EmbedError::Provider(_) => ApiError {
            internal: Some(error.to_string()),
            ..ApiError::new(ErrorCode::Unavailable)
                .with_detail("the embedding provider is unavailable; try again shortly")
                .retry_after(5)
        },
        other => ApiError::internal(other.to_string()),
    }
}
