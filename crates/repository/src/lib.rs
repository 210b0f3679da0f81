#![doc = include_str!("../README.md")]

pub mod ann;
pub mod db;
pub mod documents;
pub mod error;
pub mod health;
pub mod keyword;
pub mod matching;
pub mod migrate;
pub mod profiles;
pub mod search;
pub mod tenancy;
pub mod tenants;
pub mod tsvector;

pub use db::{DatabaseSettings, Pools};
pub use error::{RepoError, RepoResult};
pub use sqlx::PgPool;
pub use tenancy::TenantTx;
