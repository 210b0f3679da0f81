//! The API's wire types: what clients send and receive, with their OpenAPI schemas and the
//! `validator` rules checked at the boundary. They convert into domain drafts (which the domain
//! parses) and are built from domain records and masked views. Nothing here touches storage.

pub mod bounds;
pub mod common;
pub mod masks;
pub mod matching;
pub mod parts;
pub mod profiles;
pub mod search;

pub use common::*;
