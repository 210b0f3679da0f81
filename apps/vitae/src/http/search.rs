//! `/v1/search`, `/v1/match` (a job description), similar profiles, and the search index's state
//! for administrators.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use vitae_repository::ann;
use vitae_search::{Engine, SearchQuery};

use super::auth::Principal;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::problem::{ApiError, ErrorCode};
use crate::api::matching::{MatchRequest, MatchResponse};
use crate::api::search::{SearchRequest, SearchResponse, SimilarQuery};
use crate::auth::Scope;
use crate::service::upkeep;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_profiles))
        .routes(routes!(match_job))
        .routes(routes!(get_similar_profiles))
        .routes(routes!(get_search_index))
        .routes(routes!(rebuild_search_index))
}

fn engine<'a>(state: &'a AppState, principal: &Principal, ann: Option<&'a ann::AnnState>) -> Engine<'a> {
    Engine {
        pool: state.read_pool(principal),
        embedder: state.indexer.embedder().as_ref(),
        cache: &state.query_cache,
        ann,
        settings: &state.search_settings,
        memory: &state.tenant_memory,
    }
}

async fn run(
    state: &AppState,
    principal: &Principal,
    query: &SearchQuery,
    mode: &'static str,
) -> Result<SearchResponse, ApiError> {
    let started = Instant::now();
    let ann = state.ann();
    let outcome = engine(state, principal, ann.as_ref()).search(principal.tenant_id, query).await?;
    let took = started.elapsed().as_secs_f64();
    metrics::histogram!("vitae_search_seconds", "mode" => mode).record(took);
    for (stage, ms) in [
        ("embed", outcome.timings.embed_ms),
        ("semantic", outcome.timings.semantic_ms),
        ("keyword", outcome.timings.keyword_ms),
        ("fuse", outcome.timings.fuse_ms),
        ("facets", outcome.timings.facets_ms),
        ("hits", outcome.timings.hits_ms),
    ] {
        metrics::histogram!("vitae_search_stage_seconds", "mode" => mode, "stage" => stage).record(ms / 1000.0);
    }
    Ok(SearchResponse::from_outcome(outcome, query, took * 1000.0, &state.search_settings.calibration))
}

/// Search profiles by meaning and by words. `hybrid` fuses both legs; filters apply inside each
/// leg; facets count every matching candidate; `next_cursor` pages through one fixed result list.
#[utoipa::path(post, path = "/v1/search", tag = "search", operation_id = "search_profiles",
    request_body = SearchRequest,
    responses((status = 200, description = "A page of hits", body = SearchResponse)),
    security(("api_key" = ["read"])))]
pub async fn search_profiles(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<SearchRequest>,
) -> Result<Json<SearchResponse>, ApiError> {
    principal.require(Scope::Read)?;
    let query = body.to_query(state.config.fusion())?;
    Ok(Json(run(&state, &principal, &query, query.mode.as_str()).await?))
}

/// Who fits this job? Paste a job description (up to 20,000 characters): it is read into
/// passages (requirements, responsibilities, nice-to-haves; boilerplate left out), the skills and
/// titles it names from the tenant's own vocabulary (typos tolerated), and the years and
/// countries it asks for. Each profile is scored on every passage by meaning and on the skills it
/// shows through the mask in use; each hit says which required skills it shows and lacks, and
/// its passage nearest to each part of the job. `understood` says how the job was read; `pin`
/// and `drop` adjust it. Same filters, masks, paging and facets as search.
#[utoipa::path(post, path = "/v1/match", tag = "search", operation_id = "match_job",
    request_body = MatchRequest,
    responses((status = 200, description = "How the job was read, and a page of profiles that fit it", body = MatchResponse)),
    security(("api_key" = ["read"])))]
pub async fn match_job(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<MatchRequest>,
) -> Result<Json<MatchResponse>, ApiError> {
    principal.require(Scope::Read)?;
    let query = body.to_query()?;
    let started = Instant::now();
    let ann = state.ann();
    let outcome = engine(&state, &principal, ann.as_ref()).match_job(principal.tenant_id, &query).await?;
    let took = started.elapsed().as_secs_f64();
    metrics::histogram!("vitae_search_seconds", "mode" => "match").record(took);
    Ok(Json(MatchResponse::from_outcome(outcome, &query, took * 1000.0)))
}

/// Profiles nearest in meaning to this one (its default document), with the same filters and
/// mask rules as search. The profile itself is left out.
#[utoipa::path(get, path = "/v1/profiles/{id}/similar", tag = "search", operation_id = "get_similar_profiles",
    params(("id" = Uuid, Path, description = "Profile id"), SimilarQuery),
    responses((status = 200, description = "A page of similar profiles", body = SearchResponse)),
    security(("api_key" = ["read"])))]
pub async fn get_similar_profiles(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<SimilarQuery>,
) -> Result<Json<SearchResponse>, ApiError> {
    principal.require(Scope::Read)?;
    let query = params.to_query(id)?;
    Ok(Json(run(&state, &principal, &query, "similar").await?))
}

/// The approximate-nearest-neighbour index search uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchIndexStatus {
    /// `none` (exact search), `ready`, or `building`.
    pub state: String,
    /// Embeddings in the table (the planner's estimate).
    pub rows: i64,
    /// `ivfflat` or `hnsw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `vector` (the embeddings as stored) or `halfvec` (cast to half precision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
    /// IVFFlat lists (HNSW: m).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_at_build: Option<i64>,
    /// ivfflat.probes (hnsw.ef_search) searches use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<i32>,
    /// Recall@10 against exact search measured at build time with those probes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_recall: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_ms: Option<i64>,
    /// Whether the passages (a role, the skills, ...) are indexed too: semantic search then also
    /// finds documents through their nearest passage (HNSW builds, `VITAE_ANN_PASSAGES`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passages: Option<bool>,
    /// The hnsw.ef_search the passages' walk uses: `VITAE_SEARCH_PASSAGE_PROBES`, else
    /// `VITAE_SEARCH_PROBES`, else calibrated on the passages but never below the documents'
    /// `probes`; at least 100 either way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage_probes: Option<i32>,
    /// Recall@10 of the passages' walk against an exact scan of the passages, on real query texts,
    /// at the ef_search calibration chose (the walk may use more, see `passage_probes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage_recall: Option<f32>,
}

async fn status(state: &AppState) -> Result<SearchIndexStatus, ApiError> {
    upkeep::refresh(state).await.map_err(|e| ApiError::internal(e.to_string()))?;
    let rows = ann::estimated_rows(&state.pools.primary).await?;
    let current = state.ann();
    let building = state.index_building.load(std::sync::atomic::Ordering::SeqCst);
    Ok(SearchIndexStatus {
        state: if building {
            "building"
        } else if current.is_some() {
            "ready"
        } else {
            "none"
        }
        .into(),
        rows,
        kind: current.as_ref().map(|s| s.kind.clone()),
        storage: current.as_ref().map(|s| s.storage.clone()),
        lists: current.as_ref().map(|s| s.lists),
        rows_at_build: current.as_ref().map(|s| s.rows_at_build),
        probes: current.as_ref().map(|s| state.search_settings.probes.unwrap_or(s.probes)),
        measured_recall: current.as_ref().and_then(|s| s.measured_recall),
        built_at: current.as_ref().map(|s| s.built_at),
        build_ms: current.as_ref().map(|s| s.build_ms),
        passages: current.as_ref().map(|s| s.passage_index_name.is_some()),
        passage_probes: current.as_ref().and_then(|s| state.search_settings.passage_walk_ef(s)),
        passage_recall: current.as_ref().and_then(|s| s.passage_recall),
    })
}

/// The search index: kind, size, probes and the recall they were calibrated to.
#[utoipa::path(get, path = "/v1/admin/search-index", tag = "operations", operation_id = "get_search_index",
    responses((status = 200, description = "The index's state", body = SearchIndexStatus)),
    security(("api_key" = ["admin"])))]
pub async fn get_search_index(State(state): State<AppState>, principal: Principal) -> Result<Json<SearchIndexStatus>, ApiError> {
    principal.require(Scope::Admin)?;
    Ok(Json(status(&state).await?))
}

/// Rebuild the search index now, in the background (concurrently: searches are served
/// throughout). The index is shared by every tenant of this deployment.
#[utoipa::path(post, path = "/v1/admin/search-index:rebuild", tag = "operations", operation_id = "rebuild_search_index",
    responses(
        (status = 202, description = "The build started", body = SearchIndexStatus),
        (status = 409, description = "A build is already running", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["admin"])))]
pub async fn rebuild_search_index(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<(StatusCode, Json<SearchIndexStatus>), ApiError> {
    principal.require(Scope::Admin)?;
    if state.pools.owner.is_none() {
        return Err(ApiError::new(ErrorCode::Unavailable)
            .with_detail("this deployment has no owner connection (VITAE_OWNER_DATABASE_URL); run `vitae reindex`"));
    }
    if state.index_building.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::new(ErrorCode::Conflict).with_detail("a build is already running"));
    }
    let background = state.clone();
    tokio::spawn(async move {
        if let Err(error) = upkeep::rebuild(&background, None).await {
            tracing::error!(%error, "rebuilding the search index failed");
        }
    });
    // Let the build claim its flag before reporting.
    tokio::task::yield_now().await;
    let mut report = status(&state).await?;
    report.state = "building".into();
    Ok((StatusCode::ACCEPTED, Json(report)))
}
