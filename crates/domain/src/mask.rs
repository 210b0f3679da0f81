//! Masks: named views of a profile that choose what an audience sees. The configuration has a
//! versioned schema (version 1) and unknown keys are refused, never ignored: a typo such as
//! `"hdie"` must not silently publish what it meant to hide.
//!
//! Applying a mask yields a [`VisibleProfile`]: exactly what that audience may see. Everything
//! downstream (masked reads, search documents, hits) is built from it, so hidden text cannot leak.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ValidationError, Violation, Violations};
use crate::profile::{Availability, Contact, ExperienceRecord, Link, ProfileRecord, SkillRecord, limits};
use crate::slug;
use crate::text::{clean, clean_optional, fold, labels, same_folded};

pub const SCHEMA_VERSION: u32 = 1;
pub const SLUG_MAX_LEN: usize = 64;
pub const NAME_MAX_LEN: usize = 100;
/// The slug of the mask every profile gets when it is created.
pub const DEFAULT_SLUG: &str = "public";
/// Search reads `mask=all` as "every mask", so no mask may be called that.
pub const RESERVED_SLUG: &str = "all";

/// What a mask can hide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenField {
    Email,
    Phone,
    Links,
    /// The profile's and its experiences' free-text locations.
    Location,
    Country,
    /// Employer names of experiences.
    Organizations,
    Summary,
    Tags,
    ExperienceDescriptions,
    ExperienceDates,
    /// Skill levels and years.
    SkillDetails,
}

impl HiddenField {
    pub const ALL: [HiddenField; 11] = [
        Self::Email,
        Self::Phone,
        Self::Links,
        Self::Location,
        Self::Country,
        Self::Organizations,
        Self::Summary,
        Self::Tags,
        Self::ExperienceDescriptions,
        Self::ExperienceDates,
        Self::SkillDetails,
    ];
}

/// Version 1 of the mask configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskConfig {
    #[serde(default = "schema_version", deserialize_with = "whole_version")]
    pub version: u32,
    /// Fields this view hides.
    #[serde(default)]
    pub hide: BTreeSet<HiddenField>,
    /// Only experiences carrying at least one of these tags are shown; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experience_tags: Option<Vec<String>>,
    /// Only skills in these categories are shown; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skill_categories: Option<Vec<String>>,
    /// Shown instead of the profile's headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Shown instead of the profile's summary (unless the summary is hidden).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

fn schema_version() -> u32 {
    SCHEMA_VERSION
}

/// `1` and `1.0` are the same JSON integer.
fn whole_version<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    number
        .as_u64()
        .or_else(|| number.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX)).map(|f| f as u64))
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, found {number}")))
}

impl Default for MaskConfig {
    fn default() -> Self {
        Self {
            version: SCHEMA_VERSION,
            hide: BTreeSet::new(),
            experience_tags: None,
            skill_categories: None,
            headline: None,
            summary: None,
        }
    }
}

impl MaskConfig {
    /// The configuration of a new profile's default (public) mask: private contact details hidden.
    pub fn public_default() -> Self {
        Self { hide: [HiddenField::Email, HiddenField::Phone].into(), ..Self::default() }
    }

    /// Parses a configuration as a caller sent it (`field` names it in errors).
    pub fn parse(field: &str, value: &serde_json::Value) -> Result<Self, ValidationError> {
        if !value.is_object() {
            return Err(Violation::new(field, "type", "must be a JSON object").into());
        }
        let config: MaskConfig = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let at = crate::error::join_path(field, if path == "." { "" } else { &path });
            let message = e.inner().to_string();
            // The path already ends with an unknown key's name.
            let code = if message.starts_with("unknown field") { "unknown_field" } else { "format" };
            Violation::new(at, code, message)
        })?;
        config.check(field)?;
        Ok(config)
    }

    fn check(&self, field: &str) -> Result<(), ValidationError> {
        let mut v = Violations::default();
        if self.version != SCHEMA_VERSION {
            v.push(Violation::new(
                format!("{field}.version"),
                "range",
                format!("mask schema version {} is unknown; this server knows version {SCHEMA_VERSION}", self.version),
            ));
        }
        if let Some(tags) = &self.experience_tags {
            v.check(labels(&format!("{field}.experience_tags"), tags, limits::TAGS, limits::TAG));
        }
        if let Some(categories) = &self.skill_categories {
            v.check(labels(&format!("{field}.skill_categories"), categories, limits::TAGS, limits::CATEGORY));
        }
        v.check(clean_optional(&format!("{field}.headline"), self.headline.as_deref(), limits::HEADLINE, false));
        v.check(clean_optional(&format!("{field}.summary"), self.summary.as_deref(), limits::SUMMARY, true));
        v.finish()
    }

    /// The configuration with labels lower-cased and texts trimmed, as stored.
    pub fn normalised(mut self) -> Self {
        let lower = |list: Vec<String>| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for item in list {
                let item = fold(item.trim());
                if !out.contains(&item) {
                    out.push(item);
                }
            }
            out
        };
        self.experience_tags = self.experience_tags.map(lower);
        self.skill_categories = self.skill_categories.map(lower);
        self.headline = self.headline.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty());
        self.summary = self.summary.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self
    }

    pub fn hides(&self, field: HiddenField) -> bool {
        self.hide.contains(&field)
    }
}

/// A mask as a caller describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaskDraft {
    /// Derived from the name when absent.
    pub slug: Option<String>,
    pub name: String,
    pub config: serde_json::Value,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
// Made only by `parse` outside this crate: holding one means its fields were checked.
#[non_exhaustive]
pub struct MaskFields {
    pub slug: String,
    pub name: String,
    pub config: MaskConfig,
    pub is_default: bool,
}

impl MaskFields {
    pub fn parse(draft: MaskDraft) -> Result<Self, ValidationError> {
        let mut v = Violations::default();
        let name = v.check(clean("name", &draft.name, 1, NAME_MAX_LEN, false));
        let slug = match (&draft.slug, &name) {
            (Some(chosen), _) => v.check(slug::parse("slug", chosen, SLUG_MAX_LEN)),
            (None, Some(name)) => Some(slug::derive(name, "view")).map(|mut s| {
                s.truncate(SLUG_MAX_LEN);
                s.trim_end_matches('-').to_owned()
            }),
            (None, None) => None,
        };
        let slug = slug.filter(|s| {
            let reserved = s == RESERVED_SLUG;
            if reserved {
                v.push(Violation::new(
                    "slug",
                    "reserved",
                    "`all` is reserved (search reads `mask=all` as every mask); choose another slug or name",
                ));
            }
            !reserved
        });
        let config = v.check_all(MaskConfig::parse("config", &draft.config));
        match (name, slug, config) {
            (Some(name), Some(slug), Some(config)) if v.is_empty() => {
                Ok(Self { slug, name, config: config.normalised(), is_default: draft.is_default })
            }
            _ => Err(v.into_error()),
        }
    }

    /// The default mask every new profile gets.
    pub fn public_default() -> Self {
        Self { slug: DEFAULT_SLUG.into(), name: "Public".into(), config: MaskConfig::public_default(), is_default: true }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaskRecord {
    pub id: Uuid,
    pub profile_id: Uuid,
    pub slug: String,
    pub name: String,
    pub is_default: bool,
    pub config: MaskConfig,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&MaskRecord> for MaskDraft {
    fn from(m: &MaskRecord) -> Self {
        Self {
            slug: Some(m.slug.clone()),
            name: m.name.clone(),
            config: serde_json::to_value(&m.config).unwrap_or_default(),
            is_default: m.is_default,
        }
    }
}

/// A profile with everything that belongs to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileAggregate {
    pub profile: ProfileRecord,
    pub experiences: Vec<ExperienceRecord>,
    pub skills: Vec<SkillRecord>,
    pub masks: Vec<MaskRecord>,
}

impl ProfileAggregate {
    pub fn default_mask(&self) -> Option<&MaskRecord> {
        self.masks.iter().find(|m| m.is_default)
    }

    pub fn mask(&self, slug: &str) -> Option<&MaskRecord> {
        self.masks.iter().find(|m| m.slug == slug)
    }
}

/// What one audience sees of a profile. `None` means hidden.
#[derive(Debug, Clone, PartialEq)]
pub struct VisibleProfile {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub headline: String,
    pub summary: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub links: Option<Vec<Link>>,
    pub tags: Option<Vec<String>>,
    pub availability: Availability,
    pub experiences: Vec<VisibleExperience>,
    pub skills: Vec<VisibleSkill>,
    pub mask_id: Uuid,
    pub mask_slug: String,
    pub mask_name: String,
    pub is_default_mask: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisibleExperience {
    pub id: Uuid,
    pub title: String,
    pub organization: Option<String>,
    pub description: Option<String>,
    /// `None`: dates hidden.
    pub dates: Option<(NaiveDate, Option<NaiveDate>)>,
    pub location: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisibleSkill {
    pub id: Uuid,
    pub name: String,
    pub category: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

/// Applies `mask` to a profile: what that mask's audience may see, and nothing else.
pub fn apply(aggregate: &ProfileAggregate, mask: &MaskRecord) -> VisibleProfile {
    let p = &aggregate.profile;
    let c = &mask.config;
    let shown = |field: HiddenField| !c.hides(field);
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let Contact { email, phone, links } = &p.contact;

    let experiences = aggregate
        .experiences
        .iter()
        .filter(|e| match &c.experience_tags {
            None => true,
            Some(wanted) => e.tags.iter().any(|t| wanted.iter().any(|w| same_folded(w, t))),
        })
        .map(|e| VisibleExperience {
            id: e.id,
            title: e.title.clone(),
            organization: shown(HiddenField::Organizations).then(|| e.organization.clone()),
            description: shown(HiddenField::ExperienceDescriptions).then(|| e.description.clone()),
            dates: shown(HiddenField::ExperienceDates).then_some((e.start_date, e.end_date)),
            location: shown(HiddenField::Location).then(|| e.location.clone()),
            // Hiding `tags` hides every tag, the experiences' too: an audience told "no tags"
            // should not read them off the roles.
            tags: if shown(HiddenField::Tags) { e.tags.clone() } else { vec![] },
        })
        .collect();
    let skills = aggregate
        .skills
        .iter()
        .filter(|s| match &c.skill_categories {
            None => true,
            Some(wanted) => wanted.iter().any(|w| same_folded(w, &s.category)),
        })
        .map(|s| VisibleSkill {
            id: s.id,
            name: s.name.clone(),
            category: s.category.clone(),
            level: if shown(HiddenField::SkillDetails) { s.level } else { None },
            years: if shown(HiddenField::SkillDetails) { s.years } else { None },
        })
        .collect();

    VisibleProfile {
        id: p.id,
        slug: p.slug.clone(),
        display_name: p.display_name.clone(),
        headline: c.headline.clone().unwrap_or_else(|| p.headline.clone()),
        summary: shown(HiddenField::Summary).then(|| c.summary.clone().unwrap_or_else(|| p.summary.clone())),
        location: shown(HiddenField::Location).then(|| p.location.clone()),
        country: if shown(HiddenField::Country) { p.country.clone() } else { None },
        email: if shown(HiddenField::Email) { email.clone() } else { None },
        phone: if shown(HiddenField::Phone) { phone.clone() } else { None },
        links: shown(HiddenField::Links).then(|| links.clone()),
        tags: shown(HiddenField::Tags).then(|| p.tags.clone()),
        availability: p.availability,
        experiences,
        skills,
        mask_id: mask.id,
        mask_slug: mask.slug.clone(),
        mask_name: mask.name.clone(),
        is_default_mask: mask.is_default,
        updated_at: p.updated_at,
    }
    .with_empty_texts_absent(non_empty)
}

impl VisibleProfile {
    fn with_empty_texts_absent(mut self, non_empty: impl Fn(&str) -> Option<String>) -> Self {
        self.summary = self.summary.as_deref().and_then(&non_empty);
        self.location = self.location.as_deref().and_then(&non_empty);
        self
    }
}
