//! `/v1/profiles`: create, read (by id or slug, through a mask), list, update, soft delete and
//! restore. Every handler runs in one tenant-scoped transaction; writes rebuild the profile's
//! search documents before they commit.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use vitae_repository::profiles::{self, ProfileFilter, SeenThrough};

use super::auth::Principal;
use super::extract::{ApiJson, ApiPath, ApiQuery, IfMatch};
use super::parts::indexed_write;
use super::problem::ApiError;
use super::views::{self, View};
use crate::api::Page;
use crate::api::cursor;
use crate::api::profiles::{Profile, ProfileCreate, ProfileListQuery, ProfilePatch, ViewQuery};
use crate::auth::Scope;
use crate::service;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_profile, list_profiles))
        .routes(routes!(get_profile, update_profile, delete_profile))
        .routes(routes!(get_profile_by_slug))
        .routes(routes!(restore_profile))
}

/// Create a profile, optionally with its experiences, skills and masks. It is searchable as soon
/// as this returns.
#[utoipa::path(post, path = "/v1/profiles", tag = "profiles", operation_id = "create_profile",
    request_body = ProfileCreate,
    responses(
        (status = 201, description = "Created; the full profile", body = Profile,
            headers(("ETag" = String, description = "The version, for If-Match"), ("Location" = String, description = "The new profile"))),
        (status = 409, description = "`external_id` is already used by another profile", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn create_profile(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(body): ApiJson<ProfileCreate>,
) -> Result<Response, ApiError> {
    principal.require(Scope::Write)?;
    let new = body.parse()?;
    let aggregate = indexed_write!(state, principal.tenant_id, |tx, index| {
        let aggregate = service::profiles::insert(tx, &new).await?;
        index.reindex(tx, std::slice::from_ref(&aggregate)).await?;
        Ok(aggregate)
    });
    views::profile_response(&aggregate, View::Full, StatusCode::CREATED)
}

/// Read a profile. Keys with `write` scope get the full profile unless they name a `mask`;
/// other keys see it through the named mask or the profile's default one.
#[utoipa::path(get, path = "/v1/profiles/{id}", tag = "profiles", operation_id = "get_profile",
    params(("id" = Uuid, Path, description = "Profile id"), ViewQuery),
    responses((status = 200, description = "The profile", body = Profile,
        headers(("ETag" = String, description = "The version (full view only)")))),
    security(("api_key" = ["read"])))]
pub async fn get_profile(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Response, ApiError> {
    principal.require(Scope::Read)?;
    let mut tx = state.read_tx(&principal).await?;
    let aggregate = profiles::load_aggregate(&mut tx, id).await?;
    tx.commit().await?;
    let view = views::choose(&principal, query.mask.as_deref());
    views::profile_response_with(&aggregate, view, StatusCode::OK, query.include_inactive)
}

/// Read a profile by its slug (see `get_profile`).
#[utoipa::path(get, path = "/v1/profiles/by-slug/{slug}", tag = "profiles", operation_id = "get_profile_by_slug",
    params(("slug" = String, Path, description = "Profile slug", example = "ada-lovelace"), ViewQuery),
    responses((status = 200, description = "The profile", body = Profile,
        headers(("ETag" = String, description = "The version (full view only)")))),
    security(("api_key" = ["read"])))]
pub async fn get_profile_by_slug(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<ViewQuery>,
) -> Result<Response, ApiError> {
    principal.require(Scope::Read)?;
    if !vitae_domain::slug::is_valid(&slug, vitae_domain::slug::MAX_LEN) {
        return Err(ApiError::not_found());
    }
    let mut tx = state.read_tx(&principal).await?;
    let profile = profiles::get_profile_by_slug(&mut tx, &slug).await?;
    let aggregate = profiles::load_parts(&mut tx, vec![profile]).await?.pop().ok_or_else(ApiError::not_found)?;
    tx.commit().await?;
    let view = views::choose(&principal, query.mask.as_deref());
    views::profile_response_with(&aggregate, view, StatusCode::OK, query.include_inactive)
}

/// List profiles in creation order, filtered, a page at a time.
#[utoipa::path(get, path = "/v1/profiles", tag = "profiles", operation_id = "list_profiles",
    params(ProfileListQuery),
    responses((status = 200, description = "A page of profiles", body = Page<Profile>)),
    security(("api_key" = ["read"])))]
pub async fn list_profiles(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ProfileListQuery>,
) -> Result<Json<Page<Profile>>, ApiError> {
    principal.require(Scope::Read)?;
    let view = views::choose(&principal, query.mask.as_deref());
    let filter = ProfileFilter {
        tag: query.tag.as_deref().map(|t| vitae_domain::text::fold(t.trim())),
        country: match &query.country {
            Some(c) => Some(
                vitae_domain::profile::parse_country("country", c).map_err(|v| ApiError::field(v.field, v.code, v.message))?,
            ),
            None => None,
        },
        availability: query.availability.map(Into::into),
        updated_since: query.updated_since,
        include_inactive: query.include_inactive && view == View::Full,
        seen_through: match view {
            View::Full => SeenThrough::Stored,
            View::DefaultMask => SeenThrough::DefaultMask,
            View::Mask(slug) => SeenThrough::Mask(slug.to_owned()),
        },
    };
    let after = query.cursor.as_deref().map(|c| cursor::decode("cursor", c)).transpose()?;
    let limit = i64::from(query.limit.unwrap_or(20));

    let mut tx = state.read_tx(&principal).await?;
    let mut records = profiles::list_profiles(&mut tx, &filter, after, limit + 1).await?;
    let next = (records.len() as i64 > limit).then(|| {
        records.truncate(limit as usize);
        records.last().map(|p| cursor::encode(p.id))
    });
    let aggregates = profiles::load_parts(&mut tx, records).await?;
    tx.commit().await?;

    let mut items = Vec::with_capacity(aggregates.len());
    for aggregate in &aggregates {
        // In a list, a profile without the named mask is shown through its default one.
        let view = match view {
            View::Mask(slug) if aggregate.mask(slug).is_none() => View::DefaultMask,
            other => other,
        };
        items.push(views::render_with(aggregate, view, filter.include_inactive)?);
    }
    Ok(Json(Page { items, next_cursor: next.flatten() }))
}

/// Change some of a profile's fields. Send the ETag you read as `If-Match`: if the profile has
/// changed since, the update is refused with 412 instead of overwriting the other change.
#[utoipa::path(patch, path = "/v1/profiles/{id}", tag = "profiles", operation_id = "update_profile",
    params(("id" = Uuid, Path, description = "Profile id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = ProfilePatch, content_type = "application/json"),
    responses(
        (status = 200, description = "Updated; the full profile", body = Profile, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "`external_id` is already used by another profile", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The profile changed since the ETag in If-Match", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn update_profile(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Response, ApiError> {
    principal.require(Scope::Write)?;
    let _turn = state.profile_locks.lock(principal.tenant_id, id).await?;
    let aggregate = indexed_write!(state, principal.tenant_id, |tx, index| {
        let current = profiles::lock_profile(tx, id).await?;
        if !current.is_active {
            return Err(ApiError::not_found().with_detail("this profile is deleted; restore it first"));
        }
        let fields = patch.apply(&current)?;
        profiles::update_profile(tx, id, &fields, patch.regenerate_slug, if_match.0).await?;
        let aggregate = profiles::load_aggregate(tx, id).await?;
        index.reindex(tx, std::slice::from_ref(&aggregate)).await?;
        Ok(aggregate)
    });
    views::profile_response(&aggregate, View::Full, StatusCode::OK)
}

/// Soft-delete a profile: it disappears from search, lists and masked reads, and can be restored.
#[utoipa::path(delete, path = "/v1/profiles/{id}", tag = "profiles", operation_id = "delete_profile",
    params(("id" = Uuid, Path, description = "Profile id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted (restorable)", headers(("ETag" = String, description = "The new version"))),
        (status = 412, description = "The profile changed since the ETag in If-Match", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn delete_profile(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    principal.require(Scope::Write)?;
    let aggregate = set_active(&state, &principal, id, false, if_match).await?;
    Ok(views::no_content(Some(aggregate.profile.version)))
}

/// Restore a soft-deleted profile.
#[utoipa::path(post, path = "/v1/profiles/{id}/restore", tag = "profiles", operation_id = "restore_profile",
    params(("id" = Uuid, Path, description = "Profile id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Restored; the full profile", body = Profile, headers(("ETag" = String, description = "The new version"))),
        (status = 412, description = "The profile changed since the ETag in If-Match", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("api_key" = ["write"])))]
pub async fn restore_profile(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    principal.require(Scope::Write)?;
    let aggregate = set_active(&state, &principal, id, true, if_match).await?;
    views::profile_response(&aggregate, View::Full, StatusCode::OK)
}

async fn set_active(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    active: bool,
    if_match: IfMatch,
) -> Result<vitae_domain::mask::ProfileAggregate, ApiError> {
    let _turn = state.profile_locks.lock(principal.tenant_id, id).await?;
    Ok(indexed_write!(state, principal.tenant_id, |tx, index| {
        let current = profiles::lock_profile(tx, id).await?;
        if !current.is_active && !active {
            // Deleting twice: the first made it gone.
            return Err(ApiError::not_found());
        }
        profiles::set_profile_active(tx, id, active, if_match.0).await?;
        let aggregate = profiles::load_aggregate(tx, id).await?;
        index.reindex(tx, std::slice::from_ref(&aggregate)).await?;
        Ok(aggregate)
    }))
}
