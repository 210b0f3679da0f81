//! Shared wire types: pages, cursors, and the small helpers every resource uses.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use vitae_domain::profile::Availability;
use vitae_domain::ValidationError;

use crate::http::problem::{ApiError, FieldError};

/// A page of a list. `next_cursor` is absent on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `open`, `not_looking` or `open_to_contract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum AvailabilityBody {
    #[default]
    Open,
    NotLooking,
    OpenToContract,
}

impl From<AvailabilityBody> for Availability {
    fn from(a: AvailabilityBody) -> Self {
        match a {
            AvailabilityBody::Open => Self::Open,
            AvailabilityBody::NotLooking => Self::NotLooking,
            AvailabilityBody::OpenToContract => Self::OpenToContract,
        }
    }
}

impl From<Availability> for AvailabilityBody {
    fn from(a: Availability) -> Self {
        match a {
            Availability::Open => Self::Open,
            Availability::NotLooking => Self::NotLooking,
            Availability::OpenToContract => Self::OpenToContract,
        }
    }
}

/// Domain validation failures as a 422 (fields under `parent`, e.g. `experiences[2]`).
pub fn invalid(error: ValidationError, parent: &str) -> ApiError {
    let error = if parent.is_empty() { error } else { error.under(parent) };
    ApiError::validation(field_errors(error))
}

/// Opaque list cursors: base64url of a small JSON object, so the format can change freely.
pub mod cursor {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct After {
        after: Uuid,
    }

    pub fn encode(after: Uuid) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&After { after }).unwrap_or_default())
    }

    pub fn decode(field: &str, cursor: &str) -> Result<Uuid, ApiError> {
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<After>(&bytes).ok())
            .map(|a| a.after)
            .ok_or_else(|| ApiError::field(field, "format", "is not a cursor this API returned"))
    }
}

/// For JSON merge-patch fields that may be set to `null`: absent is `None`, `null` is
/// `Some(None)`, a value is `Some(Some(value))`.
pub fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `validator` rule for free-text query parameters: no NUL or other control characters (which
/// PostgreSQL cannot store or compare).
pub fn printable(value: &str) -> Result<(), validator::ValidationError> {
    if value.chars().any(char::is_control) {
        let mut error = validator::ValidationError::new("format");
        error.message = Some("must not contain control characters".into());
        return Err(error);
    }
    Ok(())
}

/// For fields that may be absent but not `null` (a PATCH of a required field).
pub fn reject_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom("must not be null")),
    }
}

/// The field errors of a domain validation failure.
pub fn field_errors(error: ValidationError) -> Vec<FieldError> {
    error.violations.into_iter().map(|v| FieldError::new(v.field, v.code, v.message)).collect()
}
