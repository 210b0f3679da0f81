//! Shared wire types: pages, cursors, and the small helpers every resource uses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use vitae_domain::ValidationError;
use vitae_domain::profile::Availability;

use crate::http::problem::ApiError;

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

/// An ISO 3166-1 alpha-2 country code (documented as the enum of every assigned code; the API
/// accepts them in any case and answers in upper case).
pub struct CountryCode;

impl utoipa::PartialSchema for CountryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let mut codes: Vec<&'static str> = celes::Country::get_countries().iter().map(|c| c.alpha2).collect();
        codes.sort_unstable();
        codes.dedup();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An ISO 3166-1 alpha-2 country code"))
            .enum_values(Some(codes))
            .examples(["DE"])
            .into()
    }
}

impl utoipa::ToSchema for CountryCode {}

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

/// `validator` rule for every number with a fractional part: query strings parse `NaN` and
/// `inf`, which pass any range check (every comparison with NaN is false).
pub fn finite<T: Into<f64>>(value: T) -> Result<(), validator::ValidationError> {
    if value.into().is_finite() {
        return Ok(());
    }
    let mut error = validator::ValidationError::new("range");
    error.message = Some("must be a finite number".into());
    Err(error)
}

/// For fields that may be absent but not `null` (a PATCH of a required field).
pub fn reject_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom("null is not allowed here: leave the field out to keep its current value")),
    }
}

/// The field errors of a domain validation failure.
pub fn field_errors(error: ValidationError) -> Vec<FieldError> {
    error.violations.into_iter().map(|v| FieldError::new(v.field, v.code, v.message)).collect()
}

/// Integers as JSON Schema sees them: `5` and `5.0` are both the integer 5.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => to_whole(&number)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number in range, found {number}"))),
    }
}

/// Like [`whole_number`], for merge-patch fields where `null` clears.
pub fn whole_number_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    whole_number(deserializer).map(Some)
}

fn to_whole<T: TryFrom<i64>>(number: &serde_json::Number) -> Option<T> {
    let value = match number.as_i64() {
        Some(i) => i,
        None => {
            let f = number.as_f64()?;
            if f.fract() != 0.0 || f.abs() > 9.0e15 {
                return None;
            }
            f as i64
        }
    };
    T::try_from(value).ok()
}

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Where the value is: a JSON pointer-like path such as `experiences[2].end_date`, a query
    /// parameter name, or a header name.
    #[schema(example = "display_name")]
    pub field: String,
    /// A stable code: `required`, `length`, `range`, `format`, `unknown_field`, `unique`, ...
    #[schema(example = "length")]
    pub code: String,
    /// What is wrong, for people.
    #[schema(example = "must be 1 to 200 characters")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}
