//! A typed Rust client for the Vitae API, generated at build time from `openapi/openapi.json`
//! with progenitor. Operations are methods named after their operation ids:
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let http = reqwest::Client::builder()
//!     .default_headers([(reqwest::header::AUTHORIZATION, "Bearer vitae_...".parse()?)].into_iter().collect())
//!     .build()?;
//! let vitae = vitae_client::Client::new_with_client("http://127.0.0.1:8080", http);
//! let page = vitae.list_profiles(None, None, None, None, None, None, None, None).await?;
//! println!("{} profiles", page.items.len());
//! # Ok(()) }
//! ```
#![allow(clippy::all, unused_qualifications, unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));
