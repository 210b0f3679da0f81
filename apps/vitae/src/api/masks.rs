//! Masks on the wire. The configuration's JSON schema is documented here (`MaskConfigV1`) and
//! parsed by the domain, which refuses unknown keys by name.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use vitae_domain::mask::{HiddenField, MaskDraft, MaskFields, MaskRecord};

use super::bounds;
use super::common::{field_errors, invalid, reject_null};
use crate::http::extract::Body;
use crate::http::problem::{ApiError, ErrorCode, FieldError};
use vitae_domain::ValidationError;

/// Version 1 of the mask configuration. Unknown keys are refused (422 naming the key), never
/// ignored: a misspelt `hide` must not publish what it meant to hide.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "hide": ["email", "phone", "organizations"],
    "experience_tags": ["engineering"], "skill_categories": ["languages", "databases"],
    "headline": "Backend engineer"}))]
pub struct MaskConfigV1 {
    /// The schema version; 1 (the default).
    #[schema(nullable = false, required = false, minimum = 1, maximum = 1)]
    pub version: Option<u32>,
    /// Fields this view hides (repeats count once).
    #[schema(nullable = false, required = false, inline)]
    pub hide: Option<Vec<HiddenFieldName>>,
    /// Show only experiences carrying at least one of these tags (all when absent).
    #[schema(max_items = 30)]
    pub experience_tags: Option<Vec<String>>,
    /// Show only skills in these categories (all when absent).
    #[schema(max_items = 30)]
    pub skill_categories: Option<Vec<String>>,
    /// Replaces the profile's headline in this view.
    #[schema(max_length = 300)]
    pub headline: Option<String>,
    /// Replaces the profile's summary in this view (unless `summary` is hidden).
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
}

/// A field a mask can hide.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HiddenFieldName {
    Email,
    Phone,
    Links,
    /// The profile's and its experiences' free-text locations.
    Location,
    Country,
    /// Employers of experiences.
    Organizations,
    Summary,
    Tags,
    ExperienceDescriptions,
    ExperienceDates,
    /// Skill levels and years.
    SkillDetails,
}

impl HiddenFieldName {
    /// Every name the schema documents, in the domain's terms (kept in step by a test).
    pub fn to_domain(self) -> HiddenField {
        match self {
            Self::Email => HiddenField::Email,
            Self::Phone => HiddenField::Phone,
            Self::Links => HiddenField::Links,
            Self::Location => HiddenField::Location,
            Self::Country => HiddenField::Country,
            Self::Organizations => HiddenField::Organizations,
            Self::Summary => HiddenField::Summary,
            Self::Tags => HiddenField::Tags,
            Self::ExperienceDescriptions => HiddenField::ExperienceDescriptions,
            Self::ExperienceDates => HiddenField::ExperienceDates,
            Self::SkillDetails => HiddenField::SkillDetails,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Recruiters", "config": {"hide": ["phone"], "experience_tags": ["engineering"]}}))]
pub struct MaskCreate {
    /// Unique per profile; derived from `name` when absent.
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN))]
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", example = "recruiters")]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = bounds::NAME_MAX_LEN))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default = "empty_object")]
    #[schema(value_type = MaskConfigV1)]
    pub config: serde_json::Value,
    /// Make this the profile's default (public) view; the previous default stops being one.
    #[serde(default)]
    pub is_default: bool,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

impl MaskCreate {
    pub fn fields(&self) -> Result<MaskFields, ValidationError> {
        MaskFields::parse(MaskDraft {
            slug: self.slug.clone(),
            name: self.name.clone(),
            config: self.config.clone(),
            is_default: self.is_default,
        })
    }
}

/// A partial update of a mask. `config` replaces the whole configuration. A mask cannot stop
/// being the default by itself: make another one the default instead.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MaskPatch {
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN))]
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = bounds::NAME_MAX_LEN))]
    #[schema(min_length = 1, max_length = 100)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub name: Option<String>,
    #[schema(value_type = Option<MaskConfigV1>)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub config: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub is_default: Option<bool>,
}

impl MaskPatch {
    pub fn apply(&self, current: &MaskRecord) -> Result<MaskFields, ApiError> {
        let mut draft = MaskDraft::from(current);
        if let Some(v) = &self.slug {
            draft.slug = Some(v.clone());
        }
        if let Some(v) = &self.name {
            draft.name = v.clone();
        }
        if let Some(v) = &self.config {
            draft.config = v.clone();
        }
        if let Some(v) = self.is_default {
            if current.is_default && !v {
                let error = FieldError::new(
                    "is_default",
                    "default_required",
                    "a profile always has one default mask: make another mask the default instead",
                );
                return Err(ApiError {
                    errors: vec![error],
                    ..ApiError::new(ErrorCode::Conflict).with_detail("a profile always has one default mask")
                });
            }
            draft.is_default = v;
        }
        MaskFields::parse(draft).map_err(|e| invalid(e, ""))
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Mask {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub is_default: bool,
    #[schema(value_type = MaskConfigV1)]
    pub config: serde_json::Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&MaskRecord> for Mask {
    fn from(m: &MaskRecord) -> Self {
        Self {
            id: m.id,
            slug: m.slug.clone(),
            name: m.name.clone(),
            is_default: m.is_default,
            config: serde_json::to_value(&m.config).unwrap_or_default(),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The mask a view was read through.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaskRef {
    pub slug: String,
    pub name: String,
}

impl Body for MaskCreate {
    fn domain_errors(&self) -> Vec<crate::http::problem::FieldError> {
        self.fields().err().map(field_errors).unwrap_or_default()
    }
}

impl Body for MaskPatch {}
