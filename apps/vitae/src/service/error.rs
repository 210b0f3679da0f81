//! What the services report when they fail; the HTTP layer maps each to a problem document
//! (`http::problem`), the import report to a line's errors.

use thiserror::Error;
use vitae_domain::error::ValidationError;
use vitae_embed::EmbedError;
use vitae_repository::RepoError;

use crate::api::common::{FieldError, field_errors};

#[derive(Debug, Error)]
pub enum ServiceError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error("embedding: {0}")]
    Embed(#[from] EmbedError),
    /// Fields whose values break a rule (422).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A part clashes with another part of the request or with a stored one (409).
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// Writes to one profile waited too long for their turn (429).
    #[error("too many writes to this profile are waiting")]
    Queued,
    #[error("{0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict { field: field.into(), message: message.into() }
    }

    /// Whether the database (or the model) is gone or saturated, or the write lost a deadlock:
    /// not the input's fault.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Repo(RepoError::Unavailable(_) | RepoError::Busy | RepoError::Contended(_))
                | Self::Embed(EmbedError::Provider(_))
        )
    }

    /// The error as an import report's line errors.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(e) => field_errors(e.clone()),
            Self::Conflict { field, message } => vec![FieldError::new(field, "unique", message)],
            Self::Repo(RepoError::Conflict { constraint }) => {
                vec![FieldError::new("", "unique", format!("conflicts with {constraint}"))]
            }
            Self::Repo(RepoError::TooLarge(_)) => vec![FieldError::new("", "too_large", "beyond what the database can store")],
            other => vec![FieldError::new("", "internal", other.to_string())],
        }
    }
}
