//! Vitae: semantic profile search over PostgreSQL. A guided tour:
//!
//! - [`config`]: settings from `VITAE_*` environment variables.
//! - [`startup`]: builds the pools and the listener, runs the server.
//! - [`http`]: routes, extractors, problem+json errors, middleware.
//! - [`cli`]: the `vitae` command line (serve, migrate, config, ...).

pub mod cli;
pub mod config;
pub mod http;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
