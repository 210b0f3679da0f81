//! Application services: what a request does, between its handler and the repository.

pub mod backup;
pub mod error;
pub mod import;
pub mod indexer;
pub mod profile_locks;
pub mod profiles;
pub mod reembed;
pub mod upkeep;
