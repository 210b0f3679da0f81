//! Search documents and their embeddings: written in the same transaction as the change that
//! makes them, so a profile is findable the moment its write commits.

use pgvector::Vector;
use sqlx::types::Json;
use uuid::Uuid;

use vitae_domain::document::SearchDocument;

use crate::error::RepoResult;
use crate::tenancy::TenantTx;

/// What a profile's documents hold now: which embedding each carries.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredDocument {
    pub mask_id: Uuid,
    pub content_hash: Vec<u8>,
    pub model_id: Option<String>,
}

/// One document to write. `embedding: None` keeps the stored one (its text did not change).
pub struct DocumentWrite<'a> {
    pub mask_id: Uuid,
    pub mask_slug: &'a str,
    pub is_default: bool,
    pub document: &'a SearchDocument,
    pub embedding: Option<NewEmbedding<'a>>,
}

/// A fresh embedding of a document and of its passages (in `document.passages` order).
pub struct NewEmbedding<'a> {
    pub model_id: &'a str,
    pub vector: Vec<f32>,
    pub passages: Vec<Option<Vec<f32>>>,
}

pub async fn stored_for_profile(tx: &mut TenantTx, profile_id: Uuid) -> RepoResult<Vec<StoredDocument>> {
    Ok(sqlx::query_as::<_, StoredDocument>(
        "select d.mask_id, d.content_hash, e.model_id from vitae.search_documents d \
         left join vitae.document_embeddings e on e.document_id = d.id \
         where d.profile_id = $1",
    )
    .bind(profile_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// Makes a profile's documents exactly `writes`: documents of masks not listed are removed.
pub async fn replace_for_profile(
    tx: &mut TenantTx,
    profile_id: Uuid,
    profile_updated_at: chrono::DateTime<chrono::Utc>,
    writes: &[DocumentWrite<'_>],
) -> RepoResult<()> {
    let keep: Vec<Uuid> = writes.iter().map(|w| w.mask_id).collect();
    sqlx::query("delete from vitae.search_documents where profile_id = $1 and mask_id <> all($2)")
        .bind(profile_id)
        .bind(&keep)
        .execute(&mut **tx)
        .await?;
    for w in writes {
        let d = w.document;
        let document_id: Uuid = sqlx::query_scalar(
            "insert into vitae.search_documents (tenant_id, id, profile_id, mask_id, mask_slug, is_default, \
               text_a, text_b, text_c, text_d, skills, tags, country, availability, years_experience, \
               experience_ongoing, years_counted_on, profile_updated_at, card, content_hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
             on conflict (tenant_id, profile_id, mask_id) do update set \
               mask_slug = excluded.mask_slug, is_default = excluded.is_default, text_a = excluded.text_a, \
               text_b = excluded.text_b, text_c = excluded.text_c, text_d = excluded.text_d, \
               skills = excluded.skills, tags = excluded.tags, country = excluded.country, \
               availability = excluded.availability, years_experience = excluded.years_experience, \
               experience_ongoing = excluded.experience_ongoing, years_counted_on = excluded.years_counted_on, \
               profile_updated_at = excluded.profile_updated_at, card = excluded.card, \
               content_hash = excluded.content_hash \
             returning id",
        )
        .bind(tx.tenant_id())
        .bind(Uuid::now_v7())
        .bind(profile_id)
        .bind(w.mask_id)
        .bind(w.mask_slug)
        .bind(w.is_default)
        .bind(&d.text_a)
        .bind(&d.text_b)
        .bind(&d.text_c)
        .bind(&d.text_d)
        .bind(&d.skills)
        .bind(&d.tags)
        .bind(&d.country)
        .bind(d.availability.as_str())
        .bind(d.years_experience)
        .bind(d.experience_ongoing)
        .bind(d.counted_on)
        .bind(profile_updated_at)
        .bind(Json(&d.card))
        .bind(d.content_hash.as_slice())
        .fetch_one(&mut **tx)
        .await?;
        match &w.embedding {
            Some(NewEmbedding { model_id, vector, passages }) => {
                sqlx::query(
                    "insert into vitae.document_embeddings (tenant_id, document_id, is_default, model_id, embedding) \
                     values ($1, $2, $3, $4, $5) \
                     on conflict (tenant_id, document_id) do update set is_default = excluded.is_default, \
                       model_id = excluded.model_id, embedding = excluded.embedding",
                )
                .bind(tx.tenant_id())
                .bind(document_id)
                .bind(w.is_default)
                .bind(*model_id)
                .bind(Vector::from(vector.clone()))
                .execute(&mut **tx)
                .await?;
                write_passages(tx, document_id, d, passages).await?;
            }
            None => {
                sqlx::query("update vitae.document_embeddings set is_default = $2 where document_id = $1 and is_default <> $2")
                    .bind(document_id)
                    .bind(w.is_default)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    Ok(())
}

async fn write_passages(
    tx: &mut TenantTx,
    document_id: Uuid,
    document: &SearchDocument,
    vectors: &[Option<Vec<f32>>],
) -> RepoResult<()> {
    sqlx::query("delete from vitae.document_passages where document_id = $1").bind(document_id).execute(&mut **tx).await?;
    let mut ordinals = Vec::new();
    let mut texts = Vec::new();
    let mut embeddings = Vec::new();
    for (i, (range, vector)) in document.passages.iter().zip(vectors).enumerate() {
        if let (Some(text), Some(vector)) = (document.embedding_text.get(range.clone()), vector) {
            ordinals.push(i as i16);
            texts.push(text.to_owned());
            embeddings.push(Vector::from(vector.clone()));
        }
    }
    if ordinals.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into vitae.document_passages (tenant_id, document_id, ordinal, passage, embedding) \
         select $1, $2, o, p, e from unnest($3::smallint[], $4::text[], $5::vector[]) as u(o, p, e)",
    )
    .bind(tx.tenant_id())
    .bind(document_id)
    .bind(&ordinals)
    .bind(&texts)
    .bind(&embeddings)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a profile from search (soft delete).
pub async fn delete_for_profile(tx: &mut TenantTx, profile_id: Uuid) -> RepoResult<()> {
    sqlx::query("delete from vitae.search_documents where profile_id = $1").bind(profile_id).execute(&mut **tx).await?;
    Ok(())
}

/// Profiles of the transaction's tenant with a document lacking an embedding by `model_id`, or
/// written before documents recorded the day their years were counted (migration 0005).
pub async fn profiles_needing_rebuild(tx: &mut TenantTx, model_id: &str, limit: i64) -> RepoResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "select distinct d.profile_id from vitae.search_documents d \
         left join vitae.document_embeddings e on e.document_id = d.id \
         where e.model_id is distinct from $1 or d.years_counted_on is null order by d.profile_id limit $2",
    )
    .bind(model_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?)
}

/// How many profiles [`profiles_needing_rebuild`] would return, without a limit.
pub async fn count_profiles_needing_rebuild(tx: &mut TenantTx, model_id: &str) -> RepoResult<i64> {
    Ok(sqlx::query_scalar(
        "select count(distinct d.profile_id) from vitae.search_documents d \
         left join vitae.document_embeddings e on e.document_id = d.id \
         where e.model_id is distinct from $1 or d.years_counted_on is null",
    )
    .bind(model_id)
    .fetch_one(&mut **tx)
    .await?)
}
