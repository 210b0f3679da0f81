//! Black-box tests of Vitae: through HTTP (and, for the storage guarantees, through SQL as the
//! service's own role) against a real PostgreSQL. One binary, so the harness is compiled once.

// Tests and examples fail by panicking with the error they met.
#![allow(clippy::unwrap_used)]

mod auth;
mod client;
mod console;
mod deploy;
mod documents;
mod errors;
mod hardening;
mod health;
mod import;
mod masks;
mod matching;
mod migrations;
mod openapi;
mod operations;
mod parts;
mod profiles;
mod provisioning;
mod reembed;
mod relevance;
mod search;
mod tenancy;
