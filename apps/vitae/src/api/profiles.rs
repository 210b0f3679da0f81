//! Profiles on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use vitae_domain::mask::{ProfileAggregate, VisibleProfile};
use vitae_domain::profile::{Contact, Link, ProfileDraft, ProfileFields, ProfileRecord};

use super::bounds;
use super::common::{AvailabilityBody, CountryCode, double_option, invalid, printable, reject_null};
use super::masks::{MaskCreate, MaskRef};
use super::parts::{Experience, ExperienceCreate, Skill, SkillCreate};
use crate::http::extract::Body;
use crate::http::problem::ApiError;
use crate::service::profiles::NewProfile;
use vitae_domain::error::Violations;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = bounds::EMAIL))]
    #[schema(max_length = 254, format = Email, example = "ada@example.org")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = bounds::PHONE))]
    #[schema(max_length = 32, pattern = "^[ +().-]*([0-9][ +().-]*){5,}$", example = "+44 20 7946 0958")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = bounds::LINKS), nested)]
    #[schema(max_items = 10)]
    pub links: Option<Vec<LinkBody>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    #[validate(length(min = 1, max = bounds::LINK_LABEL))]
    #[schema(min_length = 1, max_length = 100, example = "GitHub")]
    pub label: String,
    /// An http(s) URL.
    #[validate(length(min = 1, max = bounds::URL))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[hH][tT][tT][pP][sS]?://(?![xX][nN]--)[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.(?![xX][nN]--)[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)*(/[^\\s\\u0000-\\u001F\\u007F-\\u009F]*)?$",
        example = "https://github.com/ada"
    )]
    pub url: String,
}

impl From<&ContactBody> for Contact {
    fn from(c: &ContactBody) -> Self {
        Self {
            email: c.email.clone(),
            phone: c.phone.clone(),
            links: c.links.iter().flatten().map(|l| Link { label: l.label.clone(), url: l.url.clone() }).collect(),
        }
    }
}

impl From<&Contact> for ContactBody {
    fn from(c: &Contact) -> Self {
        Self {
            email: c.email.clone(),
            phone: c.phone.clone(),
            links: Some(c.links.iter().map(|l| LinkBody { label: l.label.clone(), url: l.url.clone() }).collect()),
        }
    }
}

/// A new profile, optionally with its experiences, skills and extra masks. A default mask
/// (`public`, hiding email and phone) is created unless one of `masks` is marked default.
#[derive(Debug, Clone, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "display_name": "Ada Lovelace",
    "headline": "Analytical engine programmer",
    "summary": "Writes the first published algorithm intended for a machine.",
    "location": "London",
    "country": "GB",
    "contact": {"email": "ada@example.org", "links": [{"label": "Notes", "url": "https://example.org/notes"}]},
    "tags": ["mathematics", "computing"],
    "availability": "open",
    "experiences": [{"title": "Analyst", "organization": "Babbage & Co", "start_date": "1842-01-01", "end_date": "1843-09-01"}],
    "skills": [{"name": "Mathematics", "category": "science", "level": 5, "years": 20}]
}))]
pub struct ProfileCreate {
    #[validate(length(min = 1, max = bounds::DISPLAY_NAME))]
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: String,
    #[serde(default)]
    #[validate(length(max = bounds::HEADLINE))]
    #[schema(max_length = 300)]
    pub headline: String,
    #[serde(default)]
    #[validate(length(max = bounds::SUMMARY))]
    #[schema(max_length = 5000)]
    pub summary: String,
    /// Free text, e.g. a city.
    #[serde(default)]
    #[validate(length(max = bounds::LOCATION))]
    #[schema(max_length = 200)]
    pub location: String,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    #[serde(default)]
    #[schema(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    #[serde(default)]
    #[validate(nested)]
    pub contact: ContactBody,
    #[serde(default)]
    #[validate(length(max = bounds::TAGS))]
    #[schema(max_items = 30)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub availability: AvailabilityBody,
    /// Your own identifier for this person; an import with the same one updates this profile.
    #[serde(default)]
    #[validate(length(min = 1, max = bounds::EXTERNAL_ID))]
    #[schema(min_length = 1, max_length = 200)]
    pub external_id: Option<String>,
    #[serde(default)]
    #[validate(length(max = bounds::EXPERIENCES), nested)]
    #[schema(max_items = 100)]
    pub experiences: Vec<ExperienceCreate>,
    #[serde(default)]
    #[validate(length(max = bounds::SKILLS), nested)]
    #[schema(max_items = 200)]
    pub skills: Vec<SkillCreate>,
    #[serde(default)]
    #[validate(length(max = bounds::MASKS), nested)]
    #[schema(max_items = 20)]
    pub masks: Vec<MaskCreate>,
}

impl ProfileCreate {
    pub fn draft(&self) -> ProfileDraft {
        ProfileDraft {
            display_name: self.display_name.clone(),
            headline: self.headline.clone(),
            summary: self.summary.clone(),
            location: self.location.clone(),
            country: self.country.clone(),
            contact: Contact::from(&self.contact),
            tags: self.tags.clone(),
            availability: self.availability.into(),
            external_id: self.external_id.clone(),
        }
    }

    /// Parses the profile and every nested part, reporting all invalid fields at once.
    pub fn parse(&self) -> Result<NewProfile, ApiError> {
        let mut v = Violations::default();
        let fields = v.check_all(ProfileFields::parse(self.draft()));
        let experiences: Vec<_> = self
            .experiences
            .iter()
            .enumerate()
            .filter_map(|(i, e)| v.check_all(e.fields().map_err(|err| err.under(&format!("experiences[{i}]")))))
            .collect();
        let skills: Vec<_> = self
            .skills
            .iter()
            .enumerate()
            .filter_map(|(i, s)| v.check_all(s.fields().map_err(|err| err.under(&format!("skills[{i}]")))))
            .collect();
        let masks: Vec<_> = self
            .masks
            .iter()
            .enumerate()
            .filter_map(|(i, m)| v.check_all(m.fields().map_err(|err| err.under(&format!("masks[{i}]")))))
            .collect();
        match fields {
            Some(fields) if v.is_empty() => {
                let new = NewProfile { fields, experiences, skills, masks };
                new.check()?;
                Ok(new)
            }
            _ => Err(invalid(v.into_error(), "")),
        }
    }
}

/// A partial update (JSON merge patch): absent fields stay as they are; `null` clears the
/// nullable ones. Send the `ETag` you read as `If-Match` to refuse the update if the profile
/// changed meanwhile.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"headline": "Principal engineer", "country": null}))]
pub struct ProfilePatch {
    #[validate(length(min = 1, max = bounds::DISPLAY_NAME))]
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub display_name: Option<String>,
    #[validate(length(max = bounds::HEADLINE))]
    #[schema(max_length = 300)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub headline: Option<String>,
    #[validate(length(max = bounds::SUMMARY))]
    #[schema(max_length = 5000)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub summary: Option<String>,
    #[validate(length(max = bounds::LOCATION))]
    #[schema(max_length = 200)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<CountryCode>)]
    pub country: Option<Option<String>>,
    #[validate(nested)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub contact: Option<ContactBody>,
    #[validate(length(max = bounds::TAGS))]
    #[schema(max_items = 30)]
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "reject_null")]
    #[schema(nullable = false, required = false)]
    pub availability: Option<AvailabilityBody>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub external_id: Option<Option<String>>,
    /// Derive a new slug from the (new) display name. Slugs otherwise stay stable, so links to
    /// a profile keep working when its name changes.
    #[serde(default)]
    pub regenerate_slug: bool,
}

impl ProfilePatch {
    /// The profile as it will be after this patch.
    pub fn apply(&self, current: &ProfileRecord) -> Result<ProfileFields, ApiError> {
        let mut draft = ProfileDraft::from(current);
        if let Some(v) = &self.display_name {
            draft.display_name = v.clone();
        }
        if let Some(v) = &self.headline {
            draft.headline = v.clone();
        }
        if let Some(v) = &self.summary {
            draft.summary = v.clone();
        }
        if let Some(v) = &self.location {
            draft.location = v.clone();
        }
        if let Some(v) = &self.country {
            draft.country = v.clone();
        }
        if let Some(v) = &self.contact {
            draft.contact = Contact::from(v);
        }
        if let Some(v) = &self.tags {
            draft.tags = v.clone();
        }
        if let Some(v) = self.availability {
            draft.availability = v.into();
        }
        if let Some(v) = &self.external_id {
            if v.as_deref().is_some_and(|id| id.trim().is_empty()) {
                return Err(ApiError::field("external_id", "required", "must not be blank: send null to remove it"));
            }
            draft.external_id = v.clone();
        }
        ProfileFields::parse(draft).map_err(|e| invalid(e, ""))
    }
}

/// A profile. Read through a mask (`mask` is then set), fields the mask hides are absent, as are
/// excluded experiences and skills; the owner's full view (keys with `write` scope, no `mask`
/// parameter) has every field and the bookkeeping ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Profile {
    pub id: Uuid,
    #[schema(example = "ada-lovelace")]
    pub slug: String,
    pub display_name: String,
    pub headline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    pub contact: ContactBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    pub availability: AvailabilityBody,
    pub experiences: Vec<Experience>,
    pub skills: Vec<Skill>,
    /// The mask this view was read through; absent on the full view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask: Option<MaskRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// False once soft-deleted (full view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// The version the `ETag` names (full view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Profile {
    /// The owner's view: everything.
    pub fn full(aggregate: &ProfileAggregate) -> Self {
        let p = &aggregate.profile;
        Self {
            id: p.id,
            slug: p.slug.clone(),
            display_name: p.display_name.clone(),
            headline: p.headline.clone(),
            summary: Some(p.summary.clone()),
            location: Some(p.location.clone()),
            country: p.country.clone(),
            contact: ContactBody::from(&p.contact),
            tags: Some(p.tags.clone()),
            availability: p.availability.into(),
            experiences: aggregate.experiences.iter().map(Experience::full).collect(),
            skills: aggregate.skills.iter().map(Skill::full).collect(),
            mask: None,
            external_id: p.external_id.clone(),
            is_active: Some(p.is_active),
            version: Some(p.version),
            created_at: Some(p.created_at),
            updated_at: p.updated_at,
        }
    }

    /// What a mask's audience sees.
    pub fn masked(view: &VisibleProfile) -> Self {
        Self {
            id: view.id,
            slug: view.slug.clone(),
            display_name: view.display_name.clone(),
            headline: view.headline.clone(),
            summary: view.summary.clone(),
            location: view.location.clone(),
            country: view.country.clone(),
            contact: ContactBody {
                email: view.email.clone(),
                phone: view.phone.clone(),
                links: view
                    .links
                    .as_ref()
                    .map(|links| links.iter().map(|l| LinkBody { label: l.label.clone(), url: l.url.clone() }).collect()),
            },
            tags: view.tags.clone(),
            availability: view.availability.into(),
            experiences: view.experiences.iter().map(Experience::masked).collect(),
            skills: view.skills.iter().map(Skill::masked).collect(),
            mask: Some(MaskRef { slug: view.mask_slug.clone(), name: view.mask_name.clone() }),
            external_id: None,
            is_active: None,
            version: None,
            created_at: None,
            updated_at: view.updated_at,
        }
    }
}

/// How to read a profile.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ViewQuery {
    /// Read through this mask (its slug). Without it, keys with `write` scope get the full
    /// profile and other keys the default mask's view.
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 64)]
    pub mask: Option<String>,
    /// Also find a soft-deleted profile (keys with `write` scope, full view only); without it a
    /// deleted profile reads as gone.
    #[serde(default)]
    pub include_inactive: bool,
}

/// Filters and paging of the profile list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProfileListQuery {
    /// Only profiles carrying this tag.
    #[validate(length(min = 1, max = bounds::TAG), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 50)]
    pub tag: Option<String>,
    /// Only profiles in this country (ISO 3166-1 alpha-2).
    #[param(value_type = Option<CountryCode>)]
    pub country: Option<String>,
    pub availability: Option<AvailabilityBody>,
    /// Only profiles changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Include soft-deleted profiles (keys with `write` scope only).
    #[serde(default)]
    pub include_inactive: bool,
    /// Read each profile through this mask (the default mask where a profile has none by that name).
    #[validate(length(min = 1, max = bounds::SLUG_MAX_LEN), custom(function = "printable"))]
    #[param(min_length = 1, max_length = 64)]
    pub mask: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[validate(range(min = 1, max = bounds::PAGE))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub cursor: Option<String>,
}

impl Body for ProfileCreate {
    fn domain_errors(&self) -> Vec<crate::http::problem::FieldError> {
        self.parse().err().map(|e| e.errors).unwrap_or_default()
    }
}

impl Body for ProfilePatch {}
