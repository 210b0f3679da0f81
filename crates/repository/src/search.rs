//! The SQL of search: the semantic leg, facets and hits (the keyword leg is in `keyword`). Each
//! leg returns a window of ranked candidates; fusion, paging and scoring happen in the service. Queries are built per request so that only the filters in use appear
//! in them, which lets the planner use their indexes (an `$n is null or ...` clause would not).
//!
//! The semantic leg has two paths, chosen by the caller (PostgreSQL's planner would pick the
//! vector index and filter afterwards, losing recall):
//! - `Ann`: the IVFFlat/HNSW index with iterative scan, filters applied as rows come;
//! - `Exact`: the filtered rows through ordinary indexes, ranked by exact distance.

use pgvector::Vector;
use sqlx::{AssertSqlSafe, Executor, Postgres, QueryBuilder};
use uuid::Uuid;

use vitae_domain::document::Card;
pub use vitae_domain::search::{Filters, MaskSelection};

use crate::ann::{VectorStorage, indexed_expression};
use crate::error::RepoResult;
use crate::tenancy::TenantTx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorPath {
    /// Through the ANN index, built over this vector type.
    Ann(VectorStorage),
    Exact,
}

impl VectorPath {
    pub fn is_ann(self) -> bool {
        matches!(self, Self::Ann(_))
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LegHit {
    pub document_id: Uuid,
    pub profile_id: Uuid,
    /// Cosine distance (0 best).
    pub score: f64,
}

/// Appends the mask selection and the filters, on the documents (or their embeddings, which
/// carry the same columns) aliased `d`.
pub(crate) fn push_conditions(qb: &mut QueryBuilder<Postgres>, mask: &MaskSelection, filters: &Filters) {
    match mask {
        MaskSelection::Default => {
            qb.push(" and d.is_default");
        }
        MaskSelection::Slug(slug) => {
            qb.push(" and d.mask_slug = ").push_bind(slug.clone());
        }
        MaskSelection::All => {}
    }
    if !filters.skills_all.is_empty() {
        qb.push(" and d.skills @> ").push_bind(filters.skills_all.clone());
    }
    if !filters.skills_any.is_empty() {
        qb.push(" and d.skills && ").push_bind(filters.skills_any.clone());
    }
    if !filters.tags.is_empty() {
        qb.push(" and d.tags @> ").push_bind(filters.tags.clone());
    }
    if !filters.countries.is_empty() {
        qb.push(" and d.country = any(").push_bind(filters.countries.clone()).push(")");
    }
    if !filters.availability.is_empty() {
        qb.push(" and d.availability = any(").push_bind(filters.availability.clone()).push(")");
    }
    if let Some(years) = filters.min_years {
        // Counted when the document was written, plus the days since while a role is current.
        qb.push(
            " and d.years_experience + case when d.experience_ongoing \
               then (current_date - d.years_counted_on)::real / 365.25 else 0 end >= ",
        )
        .push_bind(years);
    }
    if let Some(since) = filters.updated_since {
        qb.push(" and d.profile_updated_at >= ").push_bind(since);
    }
    if let Some(profile) = filters.exclude_profile {
        qb.push(" and d.profile_id <> ").push_bind(profile);
    }
}

/// How many documents pass the mask selection and filters, counting no further than `cap`
/// (cheap: the answer only has to say whether the filter is selective).
pub async fn count_matching(tx: &mut TenantTx, mask: &MaskSelection, filters: &Filters, cap: i64) -> RepoResult<i64> {
    let mut qb = QueryBuilder::new("select count(*) from (select 1 from vitae.search_documents d where true");
    push_conditions(&mut qb, mask, filters);
    qb.push(" limit ").push_bind(cap).push(") s");
    Ok(qb.build_query_scalar::<i64>().fetch_one(&mut **tx).await?)
}

/// The `window` documents nearest to `vector` (cosine distance), ties broken by id.
pub async fn semantic(
    tx: &mut TenantTx,
    vector: &[f32],
    mask: &MaskSelection,
    filters: &Filters,
    window: i64,
    path: VectorPath,
) -> RepoResult<Vec<LegHit>> {
    let nearest = semantic_distances(tx, vector, mask, filters, window, path).await?;
    Ok(nearest.into_iter().map(LegHit::from).collect())
}

/// As [`semantic`], as distances (no passage: [`nearest_passages`] adds them, in a statement of
/// its own so that it can run beside other work once the window is known).
pub async fn semantic_distances(
    tx: &mut TenantTx,
    vector: &[f32],
    mask: &MaskSelection,
    filters: &Filters,
    window: i64,
    path: VectorPath,
) -> RepoResult<Vec<DocumentDistances>> {
    let vector = Vector::from(vector.to_vec());
    // The embeddings carry their document's filter columns (migration 0009): one table, so the
    // index scan filters the rows it visits without a join, and the exact path finds a selective
    // filter's rows through their own indexes.
    // The distance is computed once per row and ordered by through its alias: written twice with
    // two parameters, an exact ranking of 10,000 rows computed it twice (24 against 20-21 ms at 1M).
    let mut qb = QueryBuilder::new("with nearest as materialized (select d.document_id, d.profile_id, ");
    match path {
        // The distance operator itself lets the vector index serve the order.
        VectorPath::Ann(VectorStorage::Vector) => qb.push("d.embedding <=> ").push_bind(vector.clone()),
        // An index over half precision serves the order of the same cast; the window is then
        // ranked by the full-precision distance, which is what every other path reports.
        VectorPath::Ann(storage @ VectorStorage::Halfvec) => qb
            .push("d.embedding <=> ")
            .push_bind(vector.clone())
            .push(format!(" as exact_score, {} <=> ", indexed_expression(storage, "d.embedding")))
            .push_bind(vector.clone())
            .push(format!("::{}", indexed_expression(storage, "vector"))),
        // The same distance as an expression the index cannot serve, so the rows are ranked
        // exactly. Every stored and query vector is a unit vector (both embedders normalise), so
        // cosine distance is 1 − the inner product (`<#>` is its negative); `<=>` also computes
        // both norms: 10,000 rows took 15-17 ms with it, 8 ms this way (6.6 of them reading rows).
        // Exact distances elsewhere (passages, matching, calibration) are computed alike.
        VectorPath::Exact => qb.push("1 + (d.embedding <#> ").push_bind(vector.clone()).push(")"),
    };
    // Row security confines the statement to the tenant anyway, but its policy reads a setting
    // for every row a scan visits; named here, it is checked once. Not in the other statements:
    // a generic plan that knows no tenant may intersect a filter's rows with the whole tenant's.
    qb.push(" as score from vitae.document_embeddings d where d.tenant_id = ").push_bind(tx.tenant_id());
    push_conditions(&mut qb, mask, filters);
    qb.push(" order by score limit ").push_bind(window);
    let distance = if path == VectorPath::Ann(VectorStorage::Halfvec) { "n.exact_score" } else { "n.score" };
    qb.push(format!(") select n.document_id, n.profile_id, {distance} as document, null::float8 as passage"));
    // Iterative scans return rows in relaxed order; the window is sorted again.
    qb.push(format!(" from nearest n order by {distance}, n.document_id"));
    if !path.is_ann() {
        // Planned for this tenant and these filters each time: a selective filter in a big tenant
        // goes through the filter's index alone, a small tenant through the tenant's rows. A plan
        // kept for any tenant intersected a 1% tag's rows with the whole tenant's (82 against 19
        // ms at a million profiles).
        let statement = qb.build_query_as::<DocumentDistances>().persistent(false);
        return Ok(statement.fetch_all(&mut **tx).await?);
    }
    // The index path is taken because the selection is too big to rank exactly (the caller
    // counted it), but the planner does not know that: a generic plan estimates a filter on a
    // parameter at 0.5% of the rows and may rank them by a sort instead. At 100k profiles a 10%
    // tag went that way over halfvec: 28 ms against 12 through the index. Only the vector index
    // gives this order without a sort, so sorts are ruled out for this one statement.
    through_the_index(tx, &mut qb, "").await
}

/// Runs a statement ordered by a vector index's distance with sorts ruled out (and `settings`
/// set for the transaction, e.g. `; set local hnsw.ef_search = 400`): only the index then gives
/// that order.
async fn through_the_index(
    tx: &mut TenantTx,
    qb: &mut QueryBuilder<Postgres>,
    settings: &str,
) -> RepoResult<Vec<DocumentDistances>> {
    (&mut **tx).execute(AssertSqlSafe(format!("set local enable_sort = off{settings}"))).await?;
    let found = qb.build_query_as::<DocumentDistances>().fetch_all(&mut **tx).await?;
    (&mut **tx).execute("reset enable_sort").await?;
    Ok(found)
}

/// How many passages the index path walks (the documents of the nearest, that the selection
/// holds, join the window): enough for the first pages. Each passage walked past costs a look-up
/// of its document, so a walk of the window's 200 behind a tag on 10% at a million bench
/// profiles took longer than the documents' walk beside it (semantic p50 40 against 19 ms).
pub const PASSAGES_WALKED: i64 = 50;

/// Documents found through their passages: the `limit` passages nearest to `vector` in the
/// passage index (over `storage`, searched with `ef_search`) whose documents the mask selection
/// and filters select, and those documents at their own distance (the caller adds each one's
/// nearest passage). Only for a selection big enough for the index path: the walk goes on past
/// the passages of other documents (masks hold copies of their profile's) until it has found
/// `limit`, as the documents' walk does past filtered rows.
pub async fn passage_neighbours(
    tx: &mut TenantTx,
    vector: &[f32],
    mask: &MaskSelection,
    filters: &Filters,
    limit: i64,
    (storage, ef_search): (VectorStorage, i32),
) -> RepoResult<Vec<DocumentDistances>> {
    let vector = Vector::from(vector.to_vec());
    let mut qb = QueryBuilder::new("with walked as materialized (select d.document_id, d.profile_id, (1 + (d.embedding <#> ");
    qb.push_bind(vector.clone())
        .push("))::float8 as document from vitae.document_passages p join vitae.document_embeddings d ")
        .push("on d.tenant_id = p.tenant_id and d.document_id = p.document_id where p.tenant_id = ")
        .push_bind(tx.tenant_id())
        .push(" and d.tenant_id = ")
        .push_bind(tx.tenant_id());
    push_conditions(&mut qb, mask, filters);
    qb.push(format!(" order by {} <=> ", indexed_expression(storage, "p.embedding")))
        .push_bind(vector)
        .push(format!("::{} limit ", indexed_expression(storage, "vector")))
        .push_bind(limit)
        .push(") select distinct on (document_id) document_id, profile_id, document, null::float8 as passage from walked");
    // The passages' index, each passage then joined to its document.
    through_the_index(tx, &mut qb, &format!("; set local hnsw.ef_search = {ef_search}")).await
}

/// Facet counts over a set of documents: (facet, value, count).
pub async fn facets(tx: &mut TenantTx, documents: &[Uuid]) -> RepoResult<Vec<(String, String, i64)>> {
    Ok(sqlx::query_as(include_str!("search/facets.sql")).bind(documents).fetch_all(&mut **tx).await?)
}

/// What a hit shows: the document's card, for keyword matches highlighted fragments, and the
/// passage nearest in meaning to the query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HitRow {
    pub document_id: Uuid,
    pub profile_id: Uuid,
    pub mask_slug: String,
    pub card: sqlx::types::Json<Card>,
    /// Fragments with matches between U+E000 and U+E001, separated by U+E002.
    pub keyword_fragments: Option<String>,
    pub nearest_passage: Option<String>,
}

/// The page's documents, in one statement: `highlight` (a tsquery's text, and the documents it
/// matched) asks for keyword fragments of `matched`; `vector` for each document's passage
/// nearest to it.
pub async fn hits(
    tx: &mut TenantTx,
    documents: &[Uuid],
    highlight: Option<(&str, &[Uuid])>,
    vector: Option<&[f32]>,
) -> RepoResult<Vec<HitRow>> {
    let (q, matched) = match highlight {
        Some((q, matched)) => (Some(q.to_owned()), matched.to_vec()),
        None => (None, Vec::new()),
    };
    Ok(sqlx::query_as(include_str!("search/hits.sql"))
        .bind(documents)
        .bind(q)
        .bind(matched)
        .bind(vector.map(|v| Vector::from(v.to_vec())))
        .fetch_all(&mut **tx)
        .await?)
}

/// The documents' cosine distances to `vector`: the document's own vector's, and its nearest
/// passage's (headline, skills, each role, ...; `None` without passages). Multi-aspect profiles:
/// a person is close to a query through any one of their roles.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DocumentDistances {
    pub document_id: Uuid,
    pub profile_id: Uuid,
    pub document: f64,
    pub passage: Option<f64>,
}

/// A hit by the document's own distance.
impl From<DocumentDistances> for LegHit {
    fn from(d: DocumentDistances) -> Self {
        LegHit { document_id: d.document_id, profile_id: d.profile_id, score: d.document }
    }
}

/// Each document's nearest passage: (document, cosine distance), for those that have passages.
/// One index scan for all of them; the distance is computed as in [`distances`].
pub async fn nearest_passages(tx: &mut TenantTx, documents: &[Uuid], vector: &[f32]) -> RepoResult<Vec<(Uuid, f64)>> {
    Ok(sqlx::query_as(
        "select p.document_id, min(1 + (p.embedding <#> $2))::float8 from vitae.document_passages p \
         where p.document_id = any($1) group by p.document_id",
    )
    .bind(documents)
    .bind(Vector::from(vector.to_vec()))
    .fetch_all(&mut **tx)
    .await?)
}

pub async fn distances(tx: &mut TenantTx, documents: &[Uuid], vector: &[f32]) -> RepoResult<Vec<DocumentDistances>> {
    Ok(sqlx::query_as(
        "select e.document_id, d.profile_id, (1 + (e.embedding <#> $2))::float8 as document, \
           (select min(1 + (p.embedding <#> $2)) from vitae.document_passages p \
            where p.tenant_id = e.tenant_id and p.document_id = e.document_id)::float8 as passage \
         from vitae.document_embeddings e \
         join vitae.search_documents d on d.tenant_id = e.tenant_id and d.id = e.document_id \
         where e.document_id = any($1)",
    )
    .bind(documents)
    .bind(Vector::from(vector.to_vec()))
    .fetch_all(&mut **tx)
    .await?)
}

/// A profile's default document embedding (the query of "similar profiles"): `None` when there
/// is no such active profile, `Some(None)` when it has no embedded default document.
pub async fn profile_vector(tx: &mut TenantTx, profile_id: Uuid) -> RepoResult<Option<Option<Vec<f32>>>> {
    let row: Option<(Option<Vector>,)> = sqlx::query_as(
        "select e.embedding from vitae.profiles p \
         left join vitae.search_documents d on d.tenant_id = p.tenant_id and d.profile_id = p.id and d.is_default \
         left join vitae.document_embeddings e on e.tenant_id = d.tenant_id and e.document_id = d.id \
         where p.id = $1 and p.is_active",
    )
    .bind(profile_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(vector,)| vector.map(|v| v.to_vec())))
}

/// The documents that make up a page, by profile, for the eval harness: profile id → external id.
pub async fn external_ids(tx: &mut TenantTx, profiles: &[Uuid]) -> RepoResult<Vec<(Uuid, Option<String>)>> {
    Ok(sqlx::query_as("select id, external_id from vitae.profiles where id = any($1)")
        .bind(profiles)
        .fetch_all(&mut **tx)
        .await?)
}
