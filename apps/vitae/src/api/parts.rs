//! Experiences and skills on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use vitae_domain::mask::{VisibleExperience, VisibleSkill};
use vitae_domain::profile::{ExperienceDraft, ExperienceFields, ExperienceRecord, SkillDraft, SkillFields, SkillRecord};

use super::bounds;
use super::common::{double_option, field_errors, finite, invalid, reject_null, whole_number, whole_number_or_null};
use crate::http::extract::Body;
use crate::http::problem::ApiError;
use vitae_domain::ValidationError;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Staff Engineer", "organization": "Acme", "description": "Payments platform.",
    "start_date": "2019-04-01", "end_date": null, "location": "Berlin", "tags": ["engineering"]}))]
pub struct ExperienceCreate {
    #[validate(length(min = 1, max = bounds::TITLE))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = bounds::ORGANIZATION))]
    #[schema(max_length = 200)]
    pub organization: String,
    #[serde(default)]
    #[validate(length(max = bounds::DESCRIPTION))]
    #[schema(max_length = 5000)]
    pub description: String,
    pub start_date: NaiveDate,
    /// Absent or null: a current role. Never before `start_date`.
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    #[validate(length(max = bounds::LOCATION))]
    #[schema(max_length = 200)]
    pub location: String,
    /// Masks can show experiences by tag.
    #[serde(default)]
    #[validate(length(max = bounds::TAGS))]
    #[schema(max_items = 30)]
    pub tags: Vec<String>,
}

impl ExperienceCreate {
    pub fn fields(&self) -> Result<ExperienceFields, ValidationError> {
        ExperienceFields::parse(ExperienceDraft {
            title: self.title.clone(),
            organization: self.organization.clone(),
            description: self.description.clone(),
            start_date: Some(self.start_date),
            end_date: self.end_date,
            location: self.location.clone(),
            tags: self.tags.clone(),
        })
    }
}

/// A partial update of an experience; `end_date: null` makes it current.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ExperiencePatch {
    #[validate(length(min = 1, max = bounds::TITLE))]
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub title: Option<String>,
    #[validate(length(max = bounds::ORGANIZATION))]
    #[schema(max_length = 200)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub organization: Option<String>,
    #[validate(length(max = bounds::DESCRIPTION))]
    #[schema(max_length = 5000)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub start_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    #[validate(length(max = bounds::LOCATION))]
    #[schema(max_length = 200)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub location: Option<String>,
    #[validate(length(max = bounds::TAGS))]
    #[schema(max_items = 30)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub tags: Option<Vec<String>>,
}

impl ExperiencePatch {
    pub fn apply(&self, current: &ExperienceRecord) -> Result<ExperienceFields, ApiError> {
        let mut draft = ExperienceDraft::from(current);
        if let Some(v) = &self.title {
            draft.title = v.clone();
        }
        if let Some(v) = &self.organization {
            draft.organization = v.clone();
        }
        if let Some(v) = &self.description {
            draft.description = v.clone();
        }
        if let Some(v) = self.start_date {
            draft.start_date = Some(v);
        }
        if let Some(v) = self.end_date {
            draft.end_date = v;
        }
        if let Some(v) = &self.location {
            draft.location = v.clone();
        }
        if let Some(v) = &self.tags {
            draft.tags = v.clone();
        }
        ExperienceFields::parse(draft).map_err(|e| invalid(e, ""))
    }
}

/// An experience. Through a mask, hidden parts are absent (`start_date` and `end_date` both,
/// when dates are hidden); `end_date: null` means a current role.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Experience {
    pub id: Uuid,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl Experience {
    pub fn full(e: &ExperienceRecord) -> Self {
        Self {
            id: e.id,
            title: e.title.clone(),
            organization: Some(e.organization.clone()),
            description: Some(e.description.clone()),
            start_date: Some(e.start_date),
            end_date: Some(e.end_date),
            location: Some(e.location.clone()),
            tags: e.tags.clone(),
            version: Some(e.version),
            created_at: Some(e.created_at),
            updated_at: Some(e.updated_at),
        }
    }

    pub fn masked(e: &VisibleExperience) -> Self {
        Self {
            id: e.id,
            title: e.title.clone(),
            organization: e.organization.clone(),
            description: e.description.clone(),
            start_date: e.dates.map(|(start, _)| start),
            end_date: e.dates.map(|(_, end)| end),
            location: e.location.clone(),
            tags: e.tags.clone(),
            version: None,
            created_at: None,
            updated_at: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Rust", "category": "languages", "level": 4, "years": 6}))]
pub struct SkillCreate {
    /// Unique per profile, ignoring case.
    #[validate(length(min = 1, max = bounds::SKILL_NAME))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Masks can show skills by category.
    #[serde(default)]
    #[validate(length(max = bounds::CATEGORY))]
    #[schema(max_length = 100)]
    pub category: String,
    /// 1 (beginner) to 5 (expert).
    #[serde(default, deserialize_with = "whole_number")]
    #[validate(range(min = bounds::SKILL_LEVEL_MIN, max = bounds::SKILL_LEVEL_MAX))]
    #[schema(minimum = 1, maximum = 5)]
    pub level: Option<i16>,
    #[validate(range(min = 0.0, max = bounds::SKILL_YEARS_MAX), custom(function = "finite"))]
    #[schema(minimum = 0, maximum = 80)]
    pub years: Option<f32>,
}

impl SkillCreate {
    pub fn fields(&self) -> Result<SkillFields, ValidationError> {
        SkillFields::parse(SkillDraft {
            name: self.name.clone(),
            category: self.category.clone(),
            level: self.level,
            years: self.years,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SkillPatch {
    #[validate(length(min = 1, max = bounds::SKILL_NAME))]
    #[schema(min_length = 1, max_length = 100)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub name: Option<String>,
    #[validate(length(max = bounds::CATEGORY))]
    #[schema(max_length = 100)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "whole_number_or_null")]
    #[schema(value_type = Option<i16>, minimum = 1, maximum = 5)]
    pub level: Option<Option<i16>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<f32>, minimum = 0, maximum = 80)]
    pub years: Option<Option<f32>>,
}

impl SkillPatch {
    pub fn apply(&self, current: &SkillRecord) -> Result<SkillFields, ApiError> {
        let mut draft = SkillDraft::from(current);
        if let Some(v) = &self.name {
            draft.name = v.clone();
        }
        if let Some(v) = &self.category {
            draft.category = v.clone();
        }
        if let Some(v) = self.level {
            draft.level = v;
        }
        if let Some(v) = self.years {
            draft.years = v;
        }
        SkillFields::parse(draft).map_err(|e| invalid(e, ""))
    }
}

/// A skill. Through a mask that hides skill details, `level` and `years` are absent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Skill {
    pub id: Uuid,
    pub name: String,
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<i16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

impl Skill {
    pub fn full(s: &SkillRecord) -> Self {
        Self {
            id: s.id,
            name: s.name.clone(),
            category: s.category.clone(),
            level: s.level,
            years: s.years,
            version: Some(s.version),
            created_at: Some(s.created_at),
            updated_at: Some(s.updated_at),
        }
    }

    pub fn masked(s: &VisibleSkill) -> Self {
        Self {
            id: s.id,
            name: s.name.clone(),
            category: s.category.clone(),
            level: s.level,
            years: s.years,
            version: None,
            created_at: None,
            updated_at: None,
        }
    }
}

impl Body for ExperienceCreate {
    fn domain_errors(&self) -> Vec<crate::http::problem::FieldError> {
        self.fields().err().map(field_errors).unwrap_or_default()
    }
}

impl Body for SkillCreate {
    fn domain_errors(&self) -> Vec<crate::http::problem::FieldError> {
        self.fields().err().map(field_errors).unwrap_or_default()
    }
}

impl Body for ExperiencePatch {}
impl Body for SkillPatch {}
