//! Extractors whose every rejection is a documented problem document: axum's own answer with
//! plain text and lump different faults together.
//!
//! - [`ApiJson`]: 415 for a non-JSON content type, 413 for a body over the limit, 400 for
//!   malformed JSON (with where it broke), 422 for well-formed JSON of the wrong shape (with the
//!   path of the field at fault), then the type's `validator` rules (422, every failing field).
//! - [`ApiQuery`] and [`ApiPath`]: 422 naming the parameter.
//! - [`IfMatch`]: the `If-Match` header as a version.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::contract::Contract;
use super::problem::{ApiError, ErrorCode, FieldError};
use crate::state::AppState;

/// A JSON body, parsed and validated.
pub struct ApiJson<T>(pub T);

/// A request body type: documented (its schema is its contract), validated at the boundary, and
/// checked by the domain. When the boundary rules (`validator`) fail, the domain's checks run
/// too, so one response lists every invalid field.
pub trait Body: DeserializeOwned + Validate + utoipa::ToSchema {
    fn domain_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

impl<T: Body> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let is_json = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(is_json_media_type);
        if !is_json {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType)
                .with_detail("send the body as JSON with Content-Type: application/json"));
        }
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge).with_detail(rejection.body_text())
            } else {
                ApiError::malformed(rejection.body_text())
            }
        })?;
        let value = parse_json::<serde_json::Value>(&bytes)?;
        Ok(Self(checked_body(&state.contract, value)?))
    }
}

/// A body as the API takes it: the documented schema first (the contract), then the type's
/// `validator` rules and the domain's checks.
pub fn checked_body<T: Body>(contract: &Contract, value: serde_json::Value) -> Result<T, ApiError> {
    let mut errors = contract.check(&T::name(), &value);
    if !errors.is_empty() {
        // Rules the document cannot state (dates in order, ...) are reported in the same answer
        // when the body still reads as its type.
        if let Ok(body) = serde_json::from_value::<T>(value) {
            for error in body.domain_errors() {
                if !errors.iter().any(|e| e.field == error.field) {
                    errors.push(error);
                }
            }
        }
        return Err(ApiError::validation(errors));
    }
    let body: T = serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        json_error(&path, error.inner())
    })?;
    if let Err(errors) = body.validate() {
        let mut errors = field_errors(&errors);
        for error in body.domain_errors() {
            if !errors.iter().any(|e| e.field == error.field) {
                errors.push(error);
            }
        }
        return Err(ApiError::validation(errors));
    }
    Ok(body)
}

/// `application/json`, or any `application/*+json` such as `application/merge-patch+json`.
fn is_json_media_type(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses JSON text into `T`: syntax errors are 400, shape errors 422 with the field's path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = result.map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        json_error(&path, &inner)
    })?;
    deserializer.end().map_err(|e| ApiError::malformed(format!("malformed JSON: {e}")))?;
    Ok(value)
}

fn json_error(path: &str, error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::malformed(format!("malformed JSON: {error}")),
        Category::Data => {
            let message = error.to_string();
            // Drop serde's " at line 1 column 7" tail: the path says where.
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            let code = if message.starts_with("unknown field") {
                "unknown_field"
            } else if message.starts_with("missing field") {
                "required"
            } else {
                "type"
            };
            let field = match (path, message.strip_prefix("missing field `").and_then(|m| m.split('`').next())) {
                (".", Some(missing)) => missing.to_owned(),
                (path, Some(missing)) => format!("{path}.{missing}"),
                (".", None) => String::new(),
                (path, None) => path.to_owned(),
            };
            ApiError::field(field, code, message)
        }
    }
}

/// Flattens validator's nested errors into `path: message` pairs.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    let mut fields: Vec<_> = errors.errors().iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (field, kind) in fields {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    out.push(FieldError::new(path.clone(), error.code.to_string(), describe(error)));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn describe(error: &validator::ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("length must be {min} to {max}"),
            (None, Some(max)) => format!("length must be at most {max}"),
            (Some(min), None) => format!("length must be at least {min}"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            _ => "is out of range".into(),
        },
        "email" => "must be an email address".into(),
        other => format!("is invalid ({other})"),
    }
}

/// Query parameters, parsed and validated; failures name the parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        let value: T = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            let message = error.into_inner().to_string();
            let field = match (path.as_str(), message.strip_prefix("missing field `").and_then(|m| m.split('`').next())) {
                (_, Some(missing)) => missing.to_owned(),
                (".", None) => String::new(),
                (path, None) => path.to_owned(),
            };
            let code = if message.starts_with("unknown field") { "unknown_field" } else { "type" };
            ApiError::field(field, code, message)
        })?;
        value.validate().map_err(|errors| ApiError::validation(field_errors(&errors)))?;
        Ok(Self(value))
    }
}

/// Path parameters; a malformed id is a 404 (no such resource), like an absent one.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::not_found().with_detail(rejection.body_text())),
        }
    }
}

/// The `If-Match` header: `None` when absent or `*` (any version), else the version it names.
/// A value that is not one of our ETags can match nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<i32>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(Self(None));
        };
        let value = value.to_str().unwrap_or_default().trim();
        if value == "*" {
            return Ok(Self(None));
        }
        // Ours are strong ETags, `"<version>"`; the bare number is taken too.
        let bare = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        match bare.parse::<i32>().ok().filter(|_| bare.bytes().all(|b| b.is_ascii_digit())) {
            Some(version) if version >= 0 => Ok(Self(Some(version))),
            _ => Err(ApiError::new(ErrorCode::MalformedRequest)
                .with_detail("If-Match must be `*` or an ETag this API returned, such as \"3\"")),
        }
    }
}

/// The ETag of a resource at `version`.
pub fn etag(version: i32) -> header::HeaderValue {
    header::HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| header::HeaderValue::from_static("\"0\""))
}
