//! What can go wrong in a search; the HTTP layer maps each to a problem document.

use thiserror::Error;
use uuid::Uuid;
use vitae_embed::EmbedError;
use vitae_repository::RepoError;

#[derive(Debug, Error)]
pub enum SearchError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// The query could not be embedded (the provider is down, or the model failed).
    #[error("embedding the query: {0}")]
    Embed(#[from] EmbedError),
    /// Similar profiles of a profile that does not exist, or is deleted.
    #[error("no such profile")]
    ProfileNotFound,
    /// An active profile without a default document: the documents are behind the data.
    #[error("profile {0} has no default document")]
    MissingDocument(Uuid),
}

pub type SearchResult<T> = Result<T, SearchError>;
