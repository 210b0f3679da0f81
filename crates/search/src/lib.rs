//! Vitae's search engine: hybrid search over the documents the service keeps, with no HTTP in
//! it (the service maps its errors to problem documents). One module per stage:
//!
//! 1. [`query`]: what was asked ([`SearchQuery`]: text, or a profile to find similar ones to)
//!    and the engine's settings.
//! 2. [`plan`]: how each leg runs, a pure function of the query, the index and what the engine
//!    read first; [`keyword`]: the keyword leg's plan from the tenant's word statistics (BM25
//!    weights, typo stand-ins, words too common to rank every match of).
//! 3. [`run`]: the legs and the stages below, in one read-only transaction ([`Engine`]).
//! 4. [`fuse`]: both legs on 0..1 scales, fused (the stronger leg plus a share of the weaker,
//!    a blend, or reciprocal rank fusion), cut to what matches, in one fixed order.
//! 5. [`page`]: the cursor's slice of that list, and facets over all of it.
//! 6. [`hits`]: the page's cards, highlights and nearest passages.
//!
//! [`matching`] answers "who fits this job?" from a pasted job description, with the same
//! stages. [`memory`] holds what the engine remembers per tenant between requests. [`eval`] scores modes and fusions on labelled query sets, and matching on job sets.

pub mod error;
pub mod eval;
pub mod fuse;
pub mod hits;
pub mod keyword;
pub mod matching;
pub mod memory;
pub mod page;
pub mod plan;
pub mod query;
pub mod run;

pub use error::{SearchError, SearchResult};
pub use query::{Calibration, Input, SearchQuery, SearchSettings};
pub use run::{Engine, SearchOutcome, Timings};
