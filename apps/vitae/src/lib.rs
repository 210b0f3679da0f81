//! Vitae: semantic profile search over PostgreSQL. A guided tour:
//!
//! - [`config`]: settings from `VITAE_*` environment variables.
//! - [`startup`]: builds the pools, the embedder and the listener; runs the server.
//! - [`http`]: routes, extractors, problem+json errors, middleware, the OpenAPI document.
//! - [`api`]: the wire types clients send and receive.
//! - [`service`]: what requests do between handlers and the repository (documents upkeep).
//! - [`auth`]: API keys and scopes.
//! - [`cli`]: the `vitae` command line (serve, migrate, tenant, key, openapi, ...).

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod http;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
