//! Keeps search documents current. Called inside the transaction of every write that changes
//! what a mask shows, so documents and data commit (or roll back) together.
//!
//! Embedding is the expensive part, so it is done only for text that changed: a document whose
//! embedded text hashes the same as the stored one, under the same model, keeps its vector. The
//! texts of many profiles are embedded in one call (bulk import), deduplicated. Requests embed
//! between two passes of their transaction, so no pooled connection waits on the model
//! ([`IndexedWrite`]).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;

use vitae_domain::document::SearchDocument;
use vitae_domain::mask::{self, ProfileAggregate};
use vitae_embed::{EmbeddedText, Embedder, TextWithPassages};
use vitae_repository::documents::{self, DocumentWrite, NewEmbedding};
use vitae_repository::{PgPool, TenantTx};

use super::error::{ServiceError, ServiceResult};

/// The error of a write run by [`IndexedWrite`]: anything the write's own steps report, which
/// says whether it lost a deadlock (then the write runs again).
pub trait WriteError: From<ServiceError> {
    fn is_contended(&self) -> bool;
}

impl WriteError for ServiceError {
    fn is_contended(&self) -> bool {
        matches!(self, Self::Repo(vitae_repository::RepoError::Contended(_)))
    }
}

pub struct Indexer {
    embedder: Arc<dyn Embedder>,
}

/// Vectors embedded ahead of a write, by the hash of the text they embed.
#[derive(Default)]
pub struct Vectors(HashMap<[u8; 32], EmbeddedText>);

/// A text that needs a vector, under its hash.
type Missing = ([u8; 32], TextWithPassages);

/// One pass of a write: it writes documents with the vectors at hand and notes the texts that
/// still lack one (the pass is then rolled back, the texts embedded, and the write run again).
pub struct IndexPass<'a> {
    indexer: &'a Indexer,
    known: Vectors,
    /// The last pass embeds what is still missing in place rather than going round again.
    embed_in_place: bool,
    missing: Vec<Missing>,
}

/// A write of one tenant and the search documents it changes, run so that no pooled connection
/// waits on the model: a first pass learns which texts need vectors and rolls back, they are
/// embedded with no connection held, and a second pass writes with them (a write whose texts
/// did not change commits in its first pass). A pass that loses a deadlock runs again, a few
/// times, then answers `contended`. Used as
///
/// ```ignore
/// let mut write = indexer.write(pool, tenant_id);
/// let out = loop {
///     let (mut tx, mut index) = write.begin().await?;
///     let result = async { /* writes; index.reindex(&mut tx, &changed) */ }.await;
///     if let Some(out) = write.end(tx, index, result).await? { break out; }
/// };
/// ```
pub struct IndexedWrite<'a> {
    indexer: &'a Indexer,
    pool: &'a PgPool,
    tenant_id: Uuid,
    known: Option<Vectors>,
    embedded_rounds: u32,
    contended: u32,
}

impl<'a> IndexedWrite<'a> {
    /// Starts a pass: a transaction and the index pass to write documents with.
    pub async fn begin(&mut self) -> ServiceResult<(TenantTx, IndexPass<'a>)> {
        let tx = TenantTx::begin(self.pool, self.tenant_id).await?;
        let known = self.known.take().unwrap_or_default();
        Ok((tx, IndexPass { indexer: self.indexer, known, embed_in_place: self.embedded_rounds >= 2, missing: vec![] }))
    }

    /// Ends a pass: commits and returns the output when it is complete; `None` when the write
    /// has to run again (texts were embedded, or a deadlock was lost).
    pub async fn end<T, E: WriteError>(
        &mut self,
        tx: TenantTx,
        pass: IndexPass<'a>,
        result: Result<T, E>,
    ) -> Result<Option<T>, E> {
        let IndexPass { known, missing, .. } = pass;
        self.known = Some(known);
        match result {
            Ok(out) if missing.is_empty() => {
                tx.commit().await.map_err(ServiceError::from)?;
                Ok(Some(out))
            }
            Ok(_) => {
                tx.rollback().await.map_err(ServiceError::from)?;
                let embedded = self.indexer.embed(missing).await?;
                self.known.get_or_insert_default().0.extend(embedded.0);
                self.embedded_rounds += 1;
                Ok(None)
            }
            Err(error) if error.is_contended() && self.contended + 1 < CONTENDED_ATTEMPTS => {
                drop(tx);
                self.contended += 1;
                metrics::counter!("vitae_write_retries_total", "reason" => "contended").increment(1);
                tokio::time::sleep(backoff(self.contended)).await;
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }
}

/// How often a write runs again after losing a deadlock to a concurrent one.
const CONTENDED_ATTEMPTS: u32 = 5;

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

    /// Rebuilds the documents of the given profiles (as they are now, in `tx`), embedding in
    /// place: for jobs that own their connection (re-embedding). Request paths use
    /// [`Indexer::write`].
    pub async fn reindex(&self, tx: &mut TenantTx, aggregates: &[ProfileAggregate]) -> ServiceResult<()> {
        IndexPass { indexer: self, known: Vectors::default(), embed_in_place: true, missing: vec![] }
            .reindex(tx, aggregates)
            .await
    }

    /// A write of `tenant_id` with its search documents; see [`IndexedWrite`].
    pub fn write<'a>(&'a self, pool: &'a PgPool, tenant_id: Uuid) -> IndexedWrite<'a> {
        IndexedWrite { indexer: self, pool, tenant_id, known: None, embedded_rounds: 0, contended: 0 }
    }

    /// Embeds `texts` (each distinct text once), holding no connection.
    async fn embed(&self, texts: Vec<Missing>) -> ServiceResult<Vectors> {
        let mut unique: HashMap<[u8; 32], TextWithPassages> = HashMap::new();
        for (hash, text) in texts {
            unique.entry(hash).or_insert(text);
        }
        if unique.is_empty() {
            return Ok(Vectors::default());
        }
        let (hashes, texts): (Vec<[u8; 32]>, Vec<TextWithPassages>) = unique.into_iter().unzip();
        let started = std::time::Instant::now();
        let embedded = self.embedder.embed_with_passages(texts).await?;
        metrics::histogram!("vitae_embedding_batch_seconds", "kind" => "documents").record(started.elapsed().as_secs_f64());
        Ok(Vectors(hashes.into_iter().zip(embedded).collect()))
    }
}

/// 20, 40, 80 ms ... plus up to 20 ms of jitter, so colliding writers do not collide again.
fn backoff(attempt: u32) -> std::time::Duration {
    let jitter = rand::random_range(0..20);
    std::time::Duration::from_millis(10 * (1 << attempt.min(6)) + jitter)
}

impl IndexPass<'_> {
    /// Rebuilds the documents of the given profiles (as they are now, in `tx`) with the vectors
    /// at hand; a text without one is noted (and its profile's documents left for the next
    /// pass), unless this is the last pass.
    pub async fn reindex(&mut self, tx: &mut TenantTx, aggregates: &[ProfileAggregate]) -> ServiceResult<()> {
        let today = Utc::now().date_naive();
        let model = self.indexer.embedder.model_id().to_owned();
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

        let mut lacking: Vec<Missing> = Vec::new();
        for plan in &plans {
            for (_, _, _, document, needs) in &plan.documents {
                if *needs && !self.known.0.contains_key(&document.content_hash) {
                    lacking.push((
                        document.content_hash,
                        TextWithPassages { text: document.embedding_text.clone(), passages: document.passages.clone() },
                    ));
                }
            }
        }
        let embedded_here = if lacking.is_empty() {
            Vectors::default()
        } else if self.embed_in_place {
            self.indexer.embed(lacking).await?
        } else {
            // This pass is rolled back: writing these documents would be wasted work.
            self.missing.extend(lacking);
            return Ok(());
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
                    embedding: needs
                        .then(|| self.known.0.get(&document.content_hash).or_else(|| embedded_here.0.get(&document.content_hash)))
                        .flatten()
                        .map(|v| NewEmbedding {
                            model_id: model.as_str(),
                            vector: v.vector.clone(),
                            passages: v.passages.clone(),
                        }),
                })
                .collect();
            documents::replace_for_profile(tx, plan.profile_id, plan.updated_at, &writes).await?;
        }
        Ok(())
    }
}
