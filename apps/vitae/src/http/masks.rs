//! Masks of a profile: named views that choose what an audience sees. Reading a mask's
//! configuration reveals what it hides, so every mask endpoint needs `write` scope.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use vitae_repository::profiles::{self, Part};

use super::auth::Principal;
use super::extract::{ApiJson, ApiPath, IfMatch};
use super::parts::write_part;
use super::problem::{ApiError, ErrorCode, Problem};
use super::views;
use crate::api::invalid;
use crate::api::masks::{Mask, MaskCreate, MaskPatch};
use crate::auth::Scope;
use crate::service;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_mask, list_masks)).routes(routes!(get_mask, update_mask, delete_mask))
}

/// Add a mask to a profile. With `is_default`, it becomes the profile's public view.
#[utoipa::path(post, path = "/v1/profiles/{id}/masks", tag = "masks", operation_id = "create_mask",
    params(("id" = Uuid, Path, description = "Profile id")),
    request_body = MaskCreate,
    responses(
        (status = 201, description = "Created", body = Mask,
            headers(("ETag" = String, description = "The mask's version"), ("Location" = String, description = "The new mask"))),
        (status = 409, description = "The profile already has a mask with this slug", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn create_mask(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(profile_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MaskCreate>,
) -> Result<Response, ApiError> {
    let fields = body.fields().map_err(|e| invalid(e, ""))?;
    let record = write_part!(state, principal, profile_id, |tx| {
        service::profiles::check_room(tx, profile_id, Part::Mask).await?;
        Ok(profiles::insert_mask(tx, profile_id, &fields).await?)
    });
    let path = format!("/v1/profiles/{profile_id}/masks/{}", record.id);
    Ok(views::versioned(Mask::from(&record), record.version, StatusCode::CREATED, Some(path)))
}

/// A profile's masks, the default first.
#[utoipa::path(get, path = "/v1/profiles/{id}/masks", tag = "masks", operation_id = "list_masks",
    params(("id" = Uuid, Path, description = "Profile id")),
    responses((status = 200, description = "The masks", body = Vec<Mask>)),
    security(("api_key" = ["write"])))]
pub async fn list_masks(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(profile_id): ApiPath<Uuid>,
) -> Result<Json<Vec<Mask>>, ApiError> {
    principal.require(Scope::Write)?;
    let mut tx = state.read_tx(&principal).await?;
    if !profiles::get_profile(&mut tx, profile_id).await?.is_active {
        return Err(ApiError::not_found());
    }
    let masks = profiles::list_masks(&mut tx, profile_id).await?;
    tx.commit().await?;
    Ok(Json(masks.iter().map(Mask::from).collect()))
}

/// One mask.
#[utoipa::path(get, path = "/v1/profiles/{id}/masks/{mask_id}", tag = "masks", operation_id = "get_mask",
    params(("id" = Uuid, Path, description = "Profile id"), ("mask_id" = Uuid, Path, description = "Mask id")),
    responses((status = 200, description = "The mask", body = Mask, headers(("ETag" = String, description = "The mask's version")))),
    security(("api_key" = ["write"])))]
pub async fn get_mask(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    principal.require(Scope::Write)?;
    let mut tx = state.read_tx(&principal).await?;
    if !profiles::get_profile(&mut tx, profile_id).await?.is_active {
        return Err(ApiError::not_found());
    }
    let record = profiles::get_mask(&mut tx, profile_id, id).await?;
    tx.commit().await?;
    Ok(views::versioned(Mask::from(&record), record.version, StatusCode::OK, None))
}

/// Change a mask (`If-Match`: its ETag). `config` replaces the whole configuration.
#[utoipa::path(patch, path = "/v1/profiles/{id}/masks/{mask_id}", tag = "masks", operation_id = "update_mask",
    params(("id" = Uuid, Path, description = "Profile id"), ("mask_id" = Uuid, Path, description = "Mask id"),
        ("If-Match" = Option<String>, Header, description = "The mask's ETag last read")),
    request_body = MaskPatch,
    responses(
        (status = 200, description = "Updated", body = Mask, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The profile already has a mask with this slug", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The mask changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn update_mask(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<MaskPatch>,
) -> Result<Response, ApiError> {
    let record = write_part!(state, principal, profile_id, |tx| {
        let current = profiles::get_mask(tx, profile_id, id).await?;
        let fields = patch.apply(&current)?;
        Ok(profiles::update_mask(tx, profile_id, id, &fields, if_match.0).await?)
    });
    Ok(views::versioned(Mask::from(&record), record.version, StatusCode::OK, None))
}

/// Remove a mask. The default mask cannot be removed: make another mask the default first.
#[utoipa::path(delete, path = "/v1/profiles/{id}/masks/{mask_id}", tag = "masks", operation_id = "delete_mask",
    params(("id" = Uuid, Path, description = "Profile id"), ("mask_id" = Uuid, Path, description = "Mask id"),
        ("If-Match" = Option<String>, Header, description = "The mask's ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "This is the profile's default mask", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The mask changed since the ETag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn delete_mask(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((profile_id, id)): ApiPath<(Uuid, Uuid)>,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    write_part!(state, principal, profile_id, |tx| {
        let current = profiles::get_mask(tx, profile_id, id).await?;
        if current.is_default {
            return Err(ApiError::new(ErrorCode::Conflict)
                .with_detail("the default mask cannot be deleted; make another mask the default first"));
        }
        Ok(profiles::delete_part(tx, Part::Mask, profile_id, id, if_match.0).await?)
    });
    Ok(views::no_content(None))
}
