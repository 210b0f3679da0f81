#![doc = include_str!("../README.md")]

pub mod db;
pub mod error;
pub mod health;
pub mod migrate;
pub mod tenancy;

pub use db::{DatabaseSettings, Pools};
pub use error::RepoError;
pub use tenancy::TenantTx;
