//! Experiences and skills of a profile: create, list, update, delete. Each write bumps the
//! profile's version and rebuilds its search documents in the same transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use vitae_repository::TenantTx;
use vitae_repository::profiles::{self, Part};

use super::auth::Principal;
use super::extract::{ApiJson, ApiPath, ApiQuery, IfMatch};
use super::problem::{ApiError, Problem};
use super::views;
use crate::api::invalid;
use crate::api::parts::{Experience, ExperienceCreate, ExperiencePatch, Skill, SkillCreate, SkillPatch};
use crate::api::profiles::ViewQuery;
use crate::auth::Scope;
use crate::service;
use crate::service::indexer::IndexPass;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_experience, list_experiences))
        .routes(routes!(update_experience, delete_experience))
        .routes(routes!(create_skill, list_skills))
        .routes(routes!(update_skill, delete_skill))
}

/// Runs the body as an indexed write of the tenant (see
/// [`crate::service::indexer::IndexedWrite`]): with `$tx` (the transaction) and `$index` (the
/// pass to rebuild documents with), committed when complete, run again when it had to embed or
/// lost a deadlock; gives the body's output. A macro, not a function taking an async closure:
/// such closures over `&mut TenantTx` make handler futures fail axum's `Send` check.
macro_rules! indexed_write {
    ($state:expr, $tenant_id:expr, |$tx:ident, $index:ident| $($body:tt)*) => {{
        let mut indexed = $state.write($tenant_id);
        loop {
            let (mut tx, mut index) = indexed.begin().await?;
            let result: Result<_, ApiError> = async {
                let $tx = &mut tx;
                let $index = &mut index;
                $($body)*
            }
            .await;
            if let Some(out) = indexed.end(tx, index, result).await? {
                break out;
            }
        }
    }};
}
pub(super) use indexed_write;

/// Runs a write to a part of a profile: waits for the profile's turn, locks it and bumps its
/// version, runs the body (with `$tx`), rebuilds the profile's search documents, commits, and
/// gives the body's output. The body may run more than once.
macro_rules! write_part {
    ($state:expr, $principal:expr, $profile_id:expr, |$tx:ident| $($body:tt)*) => {{
        $principal.require($crate::auth::Scope::Write)?;
        let _turn = $state.profile_locks.lock($principal.tenant_id, $profile_id).await?;
        $crate::http::parts::indexed_write!($state, $principal.tenant_id, |tx, index| {
            $crate::http::parts::open_part_write(tx, $profile_id).await?;
            let out: Result<_, ApiError> = async {
                let $tx = &mut *tx;
                $($body)*
            }
            .await;
            let out = out?;
            $crate::http::parts::close_part_write(tx, index, $profile_id).await?;
            Ok(out)
        })
    }};
}
pub(super) use write_part;

/// Locks the profile and bumps its version; a deleted profile takes no writes.
pub(super) async fn open_part_write(tx: &mut TenantTx, profile_id: Uuid) -> Result<(), ApiError> {
    if !profiles::touch_profile(tx, profile_id).await?.is_active {
        return Err(ApiError::not_found().with_detail("this profile is deleted; restore it first"));
    }
    Ok(())
}

/// Rebuilds the profile's search documents as the write left it.
pub(super) async fn close_part_write(tx: &mut TenantTx, index: &mut IndexPass<'_>, profile_id: Uuid) -> Result<(), ApiError> {
    let aggregate = profiles::load_aggregate(tx, profile_id).await?;
    Ok(index.reindex(tx, std::slice::from_ref(&aggregate)).await?)
}

/// Reads a profile for listing one kind of its parts, in the caller's view.
async fn read_view(
    state: &AppState,
    principal: &Principal,
    profile_id: Uuid,
    query: &ViewQuery,
) -> Result<crate::api::profiles::Profile, ApiError> {
    principal.require(Scope::Read)?;
    let mut tx = state.read_tx(principal).await?;
    let aggregate = profiles::load_aggregate(&mut tx, profile_id).await?;
    tx.commit().await?;
    views::render_with(&aggregate, views::choose(principal, query.mask.as_deref()), query.include_inactive)
}

/// Add an experience to a profile.
#[utoipa::path(post, path = "/v1/profiles/{id}/experiences", tag = "experiences", operation_id = "create_experience",
    params(("id" = Uuid, Path, description = "Profile id")),
    request_body = ExperienceCreate,
    responses((status = 201, description = "Created", body = Experience,
        headers(("ETag" = String, description = "The experience's version"), ("Location" = String, description = "The new experience")))),
    security(("api_key" = ["write"])))]
pub async fn create_experience(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(profile_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ExperienceCreate>,
) -> Result<Response, ApiError> {
    let fields = body.fields().map_err(|e| invalid(e, ""))?;
    let record = write_part!(state, principal, profile_id, |tx| {
        service::profiles::check_room(tx, profile_id, Part::Experience).await?;
        Ok(profiles::insert_experience(tx, profile_id, &fields).await?)
    });
    let path = format!("/v1/profiles/{profile_id}/experiences/{}", record.id);
    Ok(views::versioned(Experience::full(&record), record.version, StatusCode::CREATED, Some(path)))
}

/// A profile's experiences, most recent first, in the caller's view (see `get_profile`).
#[utoipa::path(get, path = "/v1/profiles/{id}/experiences", tag = "experiences", operation_id = "list_experiences",
    params(("id" = Uuid, Path, description = "Profile id"), ViewQuery),
    responses((status = 200, description = "The experiences", body = Vec<Experience>)),
    security(("api_key" = ["read"])))]
pub async fn list_experiences(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(profile_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Json<Vec<Experience>>, ApiError> {
    Ok(Json(read_view(&state, &principal, profile_id, &query).await?.experiences))
}

/// Change some of an experience's fields (`If-Match`: its ETag).
#[utoipa::path(patch, path = "/v1/profiles/{id}/experiences/{experience_id}", tag = "experiences", operation_id = "update_experience",
    params(("id" = Uuid, Path, description = "Profile id"), ("experience_id" = Uuid, Path, description = "Experience id"),
        ("If-Match" = Option<String>, Header, description = "The experience's ETag last read")),
    request_body = ExperiencePatch,
    responses(
        (status = 200, description = "Updated", body = Experience, headers(("ETag" = String, description = "The new version"))),
        (status = 412, description = "The experience changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn update_experience(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<ExperiencePatch>,
) -> Result<Response, ApiError> {
    let record = write_part!(state, principal, profile_id, |tx| {
        let current = profiles::get_experience(tx, profile_id, id).await?;
        let fields = patch.apply(&current)?;
        Ok(profiles::update_experience(tx, profile_id, id, &fields, if_match.0).await?)
    });
    Ok(views::versioned(Experience::full(&record), record.version, StatusCode::OK, None))
}

/// Remove an experience (`If-Match`: its ETag).
#[utoipa::path(delete, path = "/v1/profiles/{id}/experiences/{experience_id}", tag = "experiences", operation_id = "delete_experience",
    params(("id" = Uuid, Path, description = "Profile id"), ("experience_id" = Uuid, Path, description = "Experience id"),
        ("If-Match" = Option<String>, Header, description = "The experience's ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "The experience changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn delete_experience(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    write_part!(state, principal, profile_id, |tx| {
        Ok(profiles::delete_part(tx, Part::Experience, profile_id, id, if_match.0).await?)
    });
    Ok(views::no_content(None))
}

/// Add a skill to a profile. Names are unique per profile, ignoring case (409 otherwise).
#[utoipa::path(post, path = "/v1/profiles/{id}/skills", tag = "skills", operation_id = "create_skill",
    params(("id" = Uuid, Path, description = "Profile id")),
    request_body = SkillCreate,
    responses(
        (status = 201, description = "Created", body = Skill,
            headers(("ETag" = String, description = "The skill's version"), ("Location" = String, description = "The new skill"))),
        (status = 409, description = "The profile already has a skill by this name", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn create_skill(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(profile_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SkillCreate>,
) -> Result<Response, ApiError> {
    let fields = body.fields().map_err(|e| invalid(e, ""))?;
    let record = write_part!(state, principal, profile_id, |tx| {
        service::profiles::check_room(tx, profile_id, Part::Skill).await?;
        Ok(profiles::insert_skill(tx, profile_id, &fields).await?)
    });
    let path = format!("/v1/profiles/{profile_id}/skills/{}", record.id);
    Ok(views::versioned(Skill::full(&record), record.version, StatusCode::CREATED, Some(path)))
}

/// A profile's skills, in the caller's view (see `get_profile`).
#[utoipa::path(get, path = "/v1/profiles/{id}/skills", tag = "skills", operation_id = "list_skills",
    params(("id" = Uuid, Path, description = "Profile id"), ViewQuery),
    responses((status = 200, description = "The skills", body = Vec<Skill>)),
    security(("api_key" = ["read"])))]
pub async fn list_skills(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(profile_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Json<Vec<Skill>>, ApiError> {
    Ok(Json(read_view(&state, &principal, profile_id, &query).await?.skills))
}

/// Change some of a skill's fields (`If-Match`: its ETag).
#[utoipa::path(patch, path = "/v1/profiles/{id}/skills/{skill_id}", tag = "skills", operation_id = "update_skill",
    params(("id" = Uuid, Path, description = "Profile id"), ("skill_id" = Uuid, Path, description = "Skill id"),
        ("If-Match" = Option<String>, Header, description = "The skill's ETag last read")),
    request_body = SkillPatch,
    responses(
        (status = 200, description = "Updated", body = Skill, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The profile already has a skill by this name", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The skill changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn update_skill(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<SkillPatch>,
) -> Result<Response, ApiError> {
    let record = write_part!(state, principal, profile_id, |tx| {
        let current = profiles::get_skill(tx, profile_id, id).await?;
        let fields = patch.apply(&current)?;
        Ok(profiles::update_skill(tx, profile_id, id, &fields, if_match.0).await?)
    });
    Ok(views::versioned(Skill::full(&record), record.version, StatusCode::OK, None))
}

/// Remove a skill (`If-Match`: its ETag).
#[utoipa::path(delete, path = "/v1/profiles/{id}/skills/{skill_id}", tag = "skills", operation_id = "delete_skill",
    params(("id" = Uuid, Path, description = "Profile id"), ("skill_id" = Uuid, Path, description = "Skill id"),
        ("If-Match" = Option<String>, Header, description = "The skill's ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "The skill changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn delete_skill(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    write_part!(state, principal, profile_id, |tx| {
        Ok(profiles::delete_part(tx, Part::Skill, profile_id, id, if_match.0).await?)
    });
    Ok(views::no_content(None))
}
