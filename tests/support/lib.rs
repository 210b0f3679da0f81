//! The test harness: every test gets its own database, cloned from a template that carries every
//! migration, and (for API tests) its own server on port 0. Tests therefore run in parallel and
//! leave nothing behind.
//!
//! The server to use: `TEST_DATABASE_URL` (a superuser URL) or the local development server that
//! `scripts/dev-db start` runs.

// Tests and examples fail by panicking with the error they met.
#![allow(clippy::unwrap_used)]

pub mod app;
pub mod db;
pub mod pg_tools;
pub mod search;

pub use app::{Tenant, TestApp, expect_json, expect_problem, problem_fields};
pub use db::TestDb;
