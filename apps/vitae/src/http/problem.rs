//! Every error the API returns is an RFC 9457 `application/problem+json` document. The table in
//! [`ErrorCode`] gives each kind of error its status, stable `type` URI and title; internals are
//! logged, never returned.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use vitae_repository::RepoError;

use crate::service::error::ServiceError;
use crate::service::indexer::WriteError;

/// Media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The kinds of error the API returns. Clients may rely on `code` and `type`; `title` and `detail`
/// are for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    HeadersTooLarge,
    ValidationFailed,
    RateLimited,
    Contended,
    Busy,
    Unavailable,
    Timeout,
    Internal,
}

impl ErrorCode {
    /// (status, code, title): one row per kind of error.
    const fn row(self) -> (StatusCode, &'static str, &'static str) {
        use ErrorCode::*;
        match self {
            MalformedRequest => (StatusCode::BAD_REQUEST, "malformed_request", "The request could not be parsed"),
            Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "A valid API key is required"),
            Forbidden => (StatusCode::FORBIDDEN, "forbidden", "The API key lacks the scope this needs"),
            NotFound => (StatusCode::NOT_FOUND, "not_found", "No such resource"),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed on this resource"),
            Conflict => (StatusCode::CONFLICT, "conflict", "The request conflicts with existing data"),
            PreconditionFailed => {
                (StatusCode::PRECONDITION_FAILED, "precondition_failed", "The resource has changed since it was read")
            }
            PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large"),
            UriTooLong => (StatusCode::URI_TOO_LONG, "uri_too_long", "The URL is too long"),
            UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported content type"),
            HeadersTooLarge => {
                (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", "The request headers are too large")
            }
            ValidationFailed => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "The request has invalid fields"),
            RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests"),
            Contended => (StatusCode::CONFLICT, "contended", "Concurrent writes to the same data collided"),
            Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy", "The service is at capacity"),
            Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "The service is temporarily unavailable"),
            Timeout => (StatusCode::SERVICE_UNAVAILABLE, "timeout", "The request took too long"),
            Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }

    pub const fn status(self) -> StatusCode {
        self.row().0
    }

    pub const fn code(self) -> &'static str {
        self.row().1
    }

    pub const fn title(self) -> &'static str {
        self.row().2
    }

    pub fn type_uri(self) -> String {
        format!("urn:vitae:problem:{}", self.code().replace('_', "-"))
    }
}

pub use crate::api::common::FieldError;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:vitae:problem:validation-failed",
    "title": "The request has invalid fields",
    "status": 422,
    "detail": "1 field is invalid",
    "code": "validation_failed",
    "errors": [{"field": "display_name", "code": "length", "message": "must be 1 to 200 characters"}]
}))]
pub struct Problem {
    /// A URI naming the kind of error; stable.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The kind of error, as a short stable code.
    pub code: String,
    /// The invalid fields (validation errors and conflicts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id, as in the `x-request-id` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Extension members particular to some errors (RFC 9457 section 3.2).
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

/// The error type of every handler.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    /// What went wrong inside; logged, never sent.
    pub internal: Option<String>,
    /// Extension members for the problem document.
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self { code, detail: None, errors: Vec::new(), retry_after: None, internal: None, extensions: serde_json::Map::new() }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_extension(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(name.to_owned(), value);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::MalformedRequest).with_detail(detail)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields are invalid"),
        };
        Self { errors, ..Self::new(ErrorCode::ValidationFailed).with_detail(detail) }
    }

    pub fn field(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, "unique", message);
        Self {
            detail: Some(format!("{}: {}", error.field, error.message)),
            errors: vec![error],
            ..Self::new(ErrorCode::Conflict)
        }
    }

    pub fn internal(what: impl Into<String>) -> Self {
        Self { internal: Some(what.into()), ..Self::new(ErrorCode::Internal) }
    }

    pub fn unavailable(what: impl Into<String>) -> Self {
        Self {
            internal: Some(what.into()),
            ..Self::new(ErrorCode::Unavailable).with_detail("the database is unreachable; try again shortly").retry_after(2)
        }
    }

    pub fn to_problem(&self, request_id: Option<String>) -> Problem {
        Problem {
            type_uri: self.code.type_uri(),
            title: self.code.title().into(),
            status: self.code.status().as_u16(),
            detail: self.detail.as_deref().map(escape_controls),
            code: self.code.code().into(),
            errors: self
                .errors
                .iter()
                .map(|e| FieldError {
                    field: escape_controls(&e.field),
                    code: e.code.clone(),
                    message: escape_controls(&e.message),
                })
                .collect(),
            request_id,
            extensions: self.extensions.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(internal) = &self.internal {
            if self.code == ErrorCode::Internal {
                tracing::error!(error = %internal, "request failed");
            } else {
                tracing::warn!(error = %internal, code = self.code.code(), "request refused");
            }
        }
        // The request id is added by the problem-rendering middleware, which knows it.
        let problem = self.to_problem(None);
        let mut response = (self.code.status(), axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Error messages may quote what the caller sent; control characters in it are escaped
/// (`\u{0}`), so an error body never carries them into logs or terminals.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Repository errors other than constraint conflicts (which each caller maps to its own field).
impl From<RepoError> for ApiError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::NotFound => Self::not_found(),
            RepoError::VersionMismatch => Self::new(ErrorCode::PreconditionFailed)
                .with_detail("If-Match does not match the current ETag; read the resource again"),
            RepoError::Unavailable(e) => Self::unavailable(e.to_string()),
            RepoError::Busy => {
                Self::new(ErrorCode::Busy).with_detail("every database connection is in use; try again shortly").retry_after(1)
            }
            RepoError::Contended(e) => Self {
                internal: Some(e.to_string()),
                ..Self::new(ErrorCode::Contended)
                    .with_detail("this write collided with concurrent writes to the same profiles; send it again")
                    .retry_after(1)
            },
            RepoError::TooLarge(e) => Self {
                internal: Some(e.to_string()),
                ..Self::new(ErrorCode::PayloadTooLarge).with_detail("the data is beyond what the database can store or index")
            },
            RepoError::Timeout => Self {
                internal: Some("statement timeout".into()),
                ..Self::new(ErrorCode::Timeout).with_detail("the query ran past its time limit").retry_after(1)
            },
            RepoError::Conflict { constraint } => conflict_for(&constraint),
            RepoError::Constraint { constraint } => Self::internal(format!("constraint {constraint}")),
            RepoError::Database(e) => Self::internal(e.to_string()),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Repo(e) => e.into(),
            ServiceError::Embed(e) => embed_error(e),
            ServiceError::Invalid(e) => crate::api::common::invalid(e, ""),
            ServiceError::Conflict { field, message } => Self::conflict(field, message),
            ServiceError::Queued => Self::new(ErrorCode::RateLimited)
                .with_detail("too many writes to this profile are waiting; send this one again shortly")
                .retry_after(1),
            ServiceError::Internal(what) => Self::internal(what),
        }
    }
}

/// Handlers' writes run again when they lose a deadlock (see `IndexedWrite`).
impl WriteError for ApiError {
    fn is_contended(&self) -> bool {
        self.code == ErrorCode::Contended
    }
}

impl From<vitae_search::SearchError> for ApiError {
    fn from(error: vitae_search::SearchError) -> Self {
        use vitae_search::SearchError;
        match error {
            SearchError::Repo(e) => e.into(),
            SearchError::Embed(e) => embed_error(e),
            SearchError::ProfileNotFound => Self::not_found(),
            missing @ SearchError::MissingDocument(_) => Self::internal(missing.to_string()),
        }
    }
}

/// The embedding provider's failures: a provider that is down is worth retrying (503).
pub fn embed_error(error: vitae_embed::EmbedError) -> ApiError {
    match error {
        vitae_embed::EmbedError::Provider(_) => ApiError {
            internal: Some(error.to_string()),
            ..ApiError::new(ErrorCode::Unavailable)
                .with_detail("the embedding provider is unavailable; try again shortly")
                .retry_after(5)
        },
        other => ApiError::internal(other.to_string()),
    }
}

/// Which field a unique constraint protects (constraint names are in the migrations).
fn conflict_for(constraint: &str) -> ApiError {
    let (field, message) = match constraint {
        "profiles_external_id_key" => ("external_id", "another profile already has this external_id"),
        "profiles_slug_key" => ("slug", "no free slug could be derived from this name"),
        "skills_name_key" => ("name", "this profile already has a skill by this name (case is ignored)"),
        "masks_slug_key" => ("slug", "this profile already has a mask with this slug"),
        "masks_one_default_key" => ("is_default", "this profile already has a default mask"),
        "tenants_name_key" => ("name", "a tenant with this name exists"),
        _ => ("", "conflicts with existing data"),
    };
    ApiError { internal: Some(format!("unique violation on {constraint}")), ..ApiError::conflict(field, message) }
}
