//! Which view of a profile a caller gets, and the responses that carry resources.
//!
//! Keys with `write` scope read the full profile unless they name a mask; every other key only
//! ever reads through a mask: the one it names, or the profile's default. Soft-deleted profiles
//! exist only for the owner's full view.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use vitae_domain::mask::{self, ProfileAggregate, VisibleProfile};

use super::auth::Principal;
use super::extract::etag;
use super::problem::ApiError;
use crate::api::profiles::Profile;
use crate::auth::Scope;

/// How a profile is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View<'a> {
    Full,
    Mask(&'a str),
    DefaultMask,
}

pub fn choose<'a>(principal: &Principal, mask: Option<&'a str>) -> View<'a> {
    match (mask, principal.can(Scope::Write)) {
        (Some(slug), _) => View::Mask(slug),
        (None, true) => View::Full,
        (None, false) => View::DefaultMask,
    }
}

/// The masked view, or `None` for the full view. A soft-deleted profile reads as gone unless the
/// owner asks for it (`include_inactive`, full view only); an unknown mask slug is a 404 too.
pub fn visible_with(
    aggregate: &ProfileAggregate,
    view: View<'_>,
    include_inactive: bool,
) -> Result<Option<VisibleProfile>, ApiError> {
    if !(aggregate.profile.is_active || include_inactive && view == View::Full) {
        return Err(ApiError::not_found());
    }
    if view == View::Full {
        return Ok(None);
    }
    let mask = match view {
        View::Mask(slug) => {
            aggregate.mask(slug).ok_or_else(|| ApiError::not_found().with_detail(format!("this profile has no mask `{slug}`")))?
        }
        _ => aggregate.default_mask().ok_or_else(|| ApiError::internal("profile without a default mask"))?,
    };
    Ok(Some(mask::apply(aggregate, mask)))
}

pub fn visible(aggregate: &ProfileAggregate, view: View<'_>) -> Result<Option<VisibleProfile>, ApiError> {
    visible_with(aggregate, view, false)
}

pub fn render(aggregate: &ProfileAggregate, view: View<'_>) -> Result<Profile, ApiError> {
    render_with(aggregate, view, false)
}

/// The profile in `view`; `include_inactive` lets the owner read a soft-deleted one.
pub fn render_with(aggregate: &ProfileAggregate, view: View<'_>, include_inactive: bool) -> Result<Profile, ApiError> {
    Ok(match visible_with(aggregate, view, include_inactive)? {
        Some(v) => Profile::masked(&v),
        None => Profile::full(aggregate),
    })
}

/// A profile response; full views carry the ETag writers send back as If-Match.
pub fn profile_response(aggregate: &ProfileAggregate, view: View<'_>, status: StatusCode) -> Result<Response, ApiError> {
    profile_response_with(aggregate, view, status, false)
}

pub fn profile_response_with(
    aggregate: &ProfileAggregate,
    view: View<'_>,
    status: StatusCode,
    include_inactive: bool,
) -> Result<Response, ApiError> {
    let body = render_with(aggregate, view, include_inactive)?;
    let mut headers = HeaderMap::new();
    if view == View::Full {
        headers.insert(header::ETAG, etag(aggregate.profile.version));
    }
    if status == StatusCode::CREATED {
        headers.insert(header::LOCATION, location(&format!("/v1/profiles/{}", aggregate.profile.id)));
    }
    Ok((status, headers, Json(body)).into_response())
}

/// A resource with its own version: ETag, and Location when created.
pub fn versioned<T: Serialize>(body: T, version: i32, status: StatusCode, path: Option<String>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag(version));
    if let Some(path) = path {
        headers.insert(header::LOCATION, location(&path));
    }
    (status, headers, Json(body)).into_response()
}

/// 204 with the ETag of what remains (a soft-deleted profile's new version).
pub fn no_content(version: Option<i32>) -> Response {
    let mut headers = HeaderMap::new();
    if let Some(version) = version {
        headers.insert(header::ETAG, etag(version));
    }
    (StatusCode::NO_CONTENT, headers).into_response()
}

fn location(path: &str) -> HeaderValue {
    HeaderValue::from_str(path).unwrap_or_else(|_| HeaderValue::from_static("/"))
}
