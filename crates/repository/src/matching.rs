//! The SQL of matching a job description: the tenant's visible vocabulary, the profiles holding
//! the skills a job names, and each candidate's evidence against every passage of the job.
//! Everything reads search documents, so only what the mask in use shows is ever used.

use pgvector::Vector;
use sqlx::QueryBuilder;
use uuid::Uuid;

use vitae_domain::search::{Filters, MaskSelection};

use crate::error::RepoResult;
use crate::search::{LegHit, push_conditions};
use crate::tenancy::TenantTx;

/// The skills and titles the documents of `mask` show (titles: the headline's first part and
/// each role's), with how many documents hold each, most common first, `limit` of each kind.
pub async fn vocabulary(tx: &mut TenantTx, mask: &MaskSelection, limit: i64) -> RepoResult<Vec<(String, String)>> {
    let mut qb =
        QueryBuilder::new("with visible as materialized (select d.skills, d.text_a from vitae.search_documents d where true");
    push_conditions(&mut qb, mask, &Filters::default());
    qb.push("), skills as (select s as term, count(*) as n from visible, unnest(skills) s group by s order by n desc, s limit ")
        .push_bind(limit)
        .push(
            "), titles as (select lower(trim(t)) as term, count(*) as n from visible, \
           unnest(array_prepend(split_part(split_part(text_a, E'\\n', 2), ' · ', 1), \
                  (string_to_array(text_a, E'\\n'))[3:])) t \
         where trim(t) <> '' group by 1 order by n desc, 1 limit ",
        )
        .push_bind(limit)
        .push(") select term, 'skill' from skills union all select term, 'title' from titles");
    Ok(qb.build_query_as::<(String, String)>().fetch_all(&mut **tx).await?)
}

/// Up to `window` documents holding any of `skills` (lower case), those holding the most first.
pub async fn holding_skills(
    tx: &mut TenantTx,
    skills: &[String],
    mask: &MaskSelection,
    filters: &Filters,
    window: i64,
) -> RepoResult<Vec<LegHit>> {
    let mut qb =
        QueryBuilder::new("select d.id as document_id, d.profile_id, (select count(*) from unnest(d.skills) s where s = any(");
    qb.push_bind(skills.to_vec());
    qb.push("))::float8 as score from vitae.search_documents d where d.skills && ").push_bind(skills.to_vec());
    push_conditions(&mut qb, mask, filters);
    qb.push(" order by score desc, d.id limit ").push_bind(window);
    Ok(qb.build_query_as::<LegHit>().fetch_all(&mut **tx).await?)
}

/// What a candidate shows a job: its visible skills and titles, years of experience, country,
/// and its cosine distance to each of the job's passages (its document's or its nearest
/// passage's, whichever is closer), in the passages' order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evidence {
    pub document_id: Uuid,
    pub profile_id: Uuid,
    pub skills: Vec<String>,
    /// Name, headline and role titles, one per line.
    pub text_a: String,
    pub years: Option<f64>,
    pub country: Option<String>,
    pub distances: Vec<f64>,
}

pub async fn evidence(tx: &mut TenantTx, documents: &[Uuid], passages: &[Vec<f32>]) -> RepoResult<Vec<Evidence>> {
    let vectors: Vec<Vector> = passages.iter().map(|v| Vector::from(v.clone())).collect();
    Ok(sqlx::query_as(
        "select d.id as document_id, d.profile_id, d.skills, d.text_a, d.country, \
           (d.years_experience + case when d.experience_ongoing \
              then (current_date - d.years_counted_on)::real / 365.25 else 0 end)::float8 as years, \
           array(select least(1 + (e.embedding <#> q.v), coalesce( \
                   (select min(1 + (p.embedding <#> q.v)) from vitae.document_passages p \
                    where p.tenant_id = d.tenant_id and p.document_id = d.id), 2))::float8 \
                 from unnest($2::vector[]) with ordinality q(v, i) order by q.i) as distances \
         from vitae.search_documents d \
         join vitae.document_embeddings e on e.tenant_id = d.tenant_id and e.document_id = d.id \
         where d.id = any($1)",
    )
    .bind(documents)
    .bind(vectors)
    .fetch_all(&mut **tx)
    .await?)
}

/// For each document and each job passage, the document's own passage nearest to it:
/// (document, passage index from 0, text).
pub async fn nearest_passages(
    tx: &mut TenantTx,
    documents: &[Uuid],
    passages: &[Vec<f32>],
) -> RepoResult<Vec<(Uuid, i64, Option<String>)>> {
    let vectors: Vec<Vector> = passages.iter().map(|v| Vector::from(v.clone())).collect();
    Ok(sqlx::query_as(
        "select d.document_id, (q.i - 1)::int8, \
           (select p.passage from vitae.document_passages p where p.document_id = d.document_id \
            order by p.embedding <#> q.v, p.ordinal limit 1) \
         from unnest($1::uuid[]) d(document_id) cross join unnest($2::vector[]) with ordinality q(v, i)",
    )
    .bind(documents)
    .bind(vectors)
    .fetch_all(&mut **tx)
    .await?)
}
