//! What a search asks for, as plain data shared by the engine, the repository and the API:
//! the mode, the fusion, the persona documents read, the filters, where a page ends, and the
//! kind of vector index. One type each (the API documents these same types).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The bounds of a search request (the API states each in its schema; a test holds the two
/// together).
pub mod limits {
    /// Characters of a query.
    pub const QUERY: usize = 512;
    /// Hits per page.
    pub const PAGE: usize = 100;
    /// Characters of a search cursor.
    pub const CURSOR: usize = 500;
    /// Values of one list filter (skills, tags, countries) in a search body.
    pub const FILTER_VALUES: usize = 20;
    /// Countries in a search body's filter.
    pub const COUNTRIES: usize = 50;
    /// Characters of a comma-separated list filter in a query string.
    pub const FILTER_LIST: usize = 1000;
    /// Years of experience a filter may ask for.
    pub const YEARS: f64 = 80.0;
}

/// `hybrid` (meaning and words, fused), `semantic` (meaning) or `keyword` (words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SearchMode))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Hybrid,
    Semantic,
    Keyword,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hybrid => "hybrid",
            Self::Semantic => "semantic",
            Self::Keyword => "keyword",
        }
    }
}

/// How hybrid search combines its legs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FusionMethodName))]
#[serde(rename_all = "snake_case")]
pub enum FusionMethod {
    /// A weighted blend of the legs' 0..1 scores (calibrated cosine similarity; keyword score).
    Blend,
    /// Reciprocal rank fusion, scaled to 0..1 (1: first in both legs).
    Rrf,
    /// The stronger leg's score plus `other_weight` times the weaker one's, scaled to 0..1.
    Max,
}

/// A fusion with its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// Σ weight / (k + rank) over the legs a document appears in.
    Rrf { k: f64, semantic_weight: f64, keyword_weight: f64 },
    /// ratio × semantic score + (1 − ratio) × keyword score, both on their 0..1 scales.
    Blend { semantic_ratio: f64 },
    /// The better leg's score, plus `other_weight` times the other's (scaled back to 0..1).
    Max { other_weight: f64 },
}

impl Fusion {
    pub fn method(self) -> FusionMethod {
        match self {
            Self::Rrf { .. } => FusionMethod::Rrf,
            Self::Blend { .. } => FusionMethod::Blend,
            Self::Max { .. } => FusionMethod::Max,
        }
    }
}

/// The configured fusions: the default, and each method with its configured parameters (what a
/// request naming a method without parameters gets).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusionDefaults {
    pub default: Fusion,
    pub rrf: Fusion,
    pub blend: Fusion,
    pub max: Fusion,
}

impl FusionDefaults {
    /// The configured fusion of `method`.
    pub fn of(&self, method: FusionMethod) -> Fusion {
        match method {
            FusionMethod::Rrf => self.rrf,
            FusionMethod::Blend => self.blend,
            FusionMethod::Max => self.max,
        }
    }
}

/// Which persona documents a search reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MaskSelection {
    /// The default (public) mask of every profile.
    Default,
    /// The mask with this slug, in profiles that have one.
    Slug(String),
    /// Every mask; each person is kept once, through the persona that matched best.
    All,
}

/// Filters applied inside both legs (never after the limit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Case-folded skill names the document must all have.
    pub skills_all: Vec<String>,
    /// Case-folded skill names of which the document must have one.
    pub skills_any: Vec<String>,
    /// Case-folded tags the document must all have.
    pub tags: Vec<String>,
    pub countries: Vec<String>,
    pub availability: Vec<String>,
    pub min_years: Option<f32>,
    pub updated_since: Option<DateTime<Utc>>,
    /// Leave this profile out (similar profiles).
    pub exclude_profile: Option<Uuid>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// Where the previous page ended: its last (score, document).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct After {
    pub score: f64,
    pub document_id: Uuid,
}

/// The kind of approximate-nearest-neighbour index over the embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexKind {
    IvfFlat,
    Hnsw,
}

impl IndexKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IvfFlat => "ivfflat",
            Self::Hnsw => "hnsw",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "ivfflat" => Some(Self::IvfFlat),
            "hnsw" => Some(Self::Hnsw),
            _ => None,
        }
    }
}

/// The vector type the ANN index is built over: the stored `vector` (4 bytes a dimension), or
/// `halfvec`, an index over the embeddings cast to half precision (2 bytes a dimension; the
/// table keeps full precision, so exact rankings and reported distances are unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VectorStorage {
    Vector,
    Halfvec,
}

impl VectorStorage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vector => "vector",
            Self::Halfvec => "halfvec",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "vector" => Some(Self::Vector),
            "halfvec" => Some(Self::Halfvec),
            _ => None,
        }
    }
}
