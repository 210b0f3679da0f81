//! Vitae's domain, with no I/O: what a profile is, what a mask lets an audience see, and what
//! search may index.
//!
//! - [`profile`]: drafts (unchecked input), fields (parsed, always valid), records (stored).
//! - [`mask`]: the versioned mask configuration and [`mask::apply`], which yields exactly what one
//!   audience may see.
//! - [`document`]: the search document built from a masked view.
//! - [`job`]: a job description read into passages, skills, titles, years and places.
//! - [`slug`], [`text`]: readable identifiers and clean, bounded text.
//! - [`error`]: validation failures naming the field at fault.

pub mod document;
pub mod error;
pub mod job;
pub mod mask;
pub mod profile;
pub mod search;
pub mod slug;
pub mod text;

pub use error::{ValidationError, Violation};

/// A new time-ordered id (UUID v7).
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
