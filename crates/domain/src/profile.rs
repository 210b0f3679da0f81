//! Profiles, experiences and skills: the drafts callers hand in, the parsed values the service
//! writes (constructible only by parsing, so always valid), and the records it reads back.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ValidationError, Violation, Violations};
use crate::text::{clean, clean_optional, labels};

/// Bounds on what a profile may hold.
pub mod limits {
    pub const DISPLAY_NAME: usize = 200;
    pub const HEADLINE: usize = 300;
    pub const SUMMARY: usize = 5000;
    pub const LOCATION: usize = 200;
    pub const EXTERNAL_ID: usize = 200;
    pub const TAGS: usize = 30;
    pub const TAG: usize = 50;
    pub const EMAIL: usize = 254;
    pub const PHONE: usize = 32;
    pub const LINKS: usize = 10;
    pub const LINK_LABEL: usize = 100;
    pub const URL: usize = 2000;
    pub const TITLE: usize = 200;
    pub const ORGANIZATION: usize = 200;
    pub const DESCRIPTION: usize = 5000;
    pub const EXPERIENCES: usize = 100;
    pub const SKILLS: usize = 200;
    pub const SKILL_NAME: usize = 100;
    pub const CATEGORY: usize = 100;
    pub const SKILL_LEVEL_MIN: i16 = 1;
    pub const SKILL_LEVEL_MAX: i16 = 5;
    pub const SKILL_YEARS_MAX: f32 = 80.0;
    pub const MASKS: usize = 20;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    #[default]
    Open,
    NotLooking,
    OpenToContract,
}

impl Availability {
    pub const ALL: [Availability; 3] = [Self::Open, Self::NotLooking, Self::OpenToContract];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::NotLooking => "not_looking",
            Self::OpenToContract => "open_to_contract",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
pub fn parse_country(field: &str, value: &str) -> Result<String, Violation> {
    let code = value.trim().to_ascii_uppercase();
    match celes::Country::from_alpha2(&code) {
        Ok(_) if code.len() == 2 => Ok(code),
        _ => Err(Violation::new(field, "format", "must be an ISO 3166-1 alpha-2 country code such as DE or US")),
    }
}

/// The English short name of a country code, for search text ("engineer in Germany").
pub fn country_name(code: &str) -> Option<String> {
    celes::Country::from_alpha2(code).ok().map(|c| c.long_name.to_owned())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

impl Contact {
    pub fn parse(field: &str, draft: &Contact) -> Result<Contact, ValidationError> {
        let mut v = Violations::default();
        for (name, value) in [("email", &draft.email), ("phone", &draft.phone)] {
            if value.as_deref().is_some_and(|s| s.trim().is_empty()) {
                v.push(Violation::new(format!("{field}.{name}"), "required", "must not be blank: leave it out to have none"));
            }
        }
        let email = v.check(clean_optional(&format!("{field}.email"), draft.email.as_deref(), limits::EMAIL, false));
        if let Some(Some(email)) = &email {
            // The API document's `email` format decides the finer points; this keeps the gross ones.
            let ok = email.rsplit_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
                && !email.contains(char::is_whitespace);
            if !ok {
                v.push(Violation::new(format!("{field}.email"), "format", "must be an email address"));
            }
        }
        let phone = v.check(clean_optional(&format!("{field}.phone"), draft.phone.as_deref(), limits::PHONE, false));
        if let Some(Some(phone)) = &phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            if digits < 5 || !phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
                v.push(Violation::new(
                    format!("{field}.phone"),
                    "format",
                    "must be a phone number: digits, spaces and + - ( ) .",
                ));
            }
        }
        if draft.links.len() > limits::LINKS {
            v.push(Violation::new(format!("{field}.links"), "count", format!("at most {} links", limits::LINKS)));
        }
        let mut links = Vec::new();
        for (i, link) in draft.links.iter().enumerate().take(limits::LINKS) {
            let path = format!("{field}.links[{i}]");
            let label = v.check(clean(&format!("{path}.label"), &link.label, 1, limits::LINK_LABEL, false));
            let url = v.check(parse_url(&format!("{path}.url"), &link.url));
            if let (Some(label), Some(url)) = (label, url) {
                links.push(Link { label, url });
            }
        }
        v.finish()?;
        Ok(Contact { email: email.flatten(), phone: phone.flatten(), links })
    }
}

fn parse_url(field: &str, value: &str) -> Result<String, Violation> {
    let value = clean(field, value, 1, limits::URL, false)?;
    match url::Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url.to_string()),
        _ => Err(Violation::new(field, "format", "must be an http(s) URL")),
    }
}

/// A profile as a caller describes it, unchecked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileDraft {
    pub display_name: String,
    pub headline: String,
    pub summary: String,
    pub location: String,
    pub country: Option<String>,
    pub contact: Contact,
    pub tags: Vec<String>,
    pub availability: Availability,
    pub external_id: Option<String>,
}

/// A profile's own fields, checked.
#[derive(Debug, Clone, PartialEq)]
// Made only by `parse` outside this crate: holding one means its fields were checked.
#[non_exhaustive]
pub struct ProfileFields {
    pub display_name: String,
    pub headline: String,
    pub summary: String,
    pub location: String,
    pub country: Option<String>,
    pub contact: Contact,
    pub tags: Vec<String>,
    pub availability: Availability,
    pub external_id: Option<String>,
}

impl ProfileFields {
    pub fn parse(draft: ProfileDraft) -> Result<Self, ValidationError> {
        let mut v = Violations::default();
        let display_name = v.check(clean("display_name", &draft.display_name, 1, limits::DISPLAY_NAME, false));
        let headline = v.check(clean("headline", &draft.headline, 0, limits::HEADLINE, false));
        let summary = v.check(clean("summary", &draft.summary, 0, limits::SUMMARY, true));
        let location = v.check(clean("location", &draft.location, 0, limits::LOCATION, false));
        let country = v.check(draft.country.as_deref().map(|c| parse_country("country", c)).transpose());
        let contact = v.check_all(Contact::parse("contact", &draft.contact));
        let tags = v.check(labels("tags", &draft.tags, limits::TAGS, limits::TAG));
        let external_id = v.check(clean_optional("external_id", draft.external_id.as_deref(), limits::EXTERNAL_ID, false));
        match (display_name, headline, summary, location, country, contact, tags, external_id) {
            (
                Some(display_name),
                Some(headline),
                Some(summary),
                Some(location),
                Some(country),
                Some(contact),
                Some(tags),
                Some(external_id),
            ) if v.is_empty() => Ok(Self {
                display_name,
                headline,
                summary,
                location,
                country,
                contact,
                tags,
                availability: draft.availability,
                external_id,
            }),
            _ => Err(v.into_error()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperienceDraft {
    pub title: String,
    pub organization: String,
    pub description: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub location: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
// Made only by `parse` outside this crate: holding one means its fields were checked.
#[non_exhaustive]
pub struct ExperienceFields {
    pub title: String,
    pub organization: String,
    pub description: String,
    pub start_date: NaiveDate,
    /// `None`: current.
    pub end_date: Option<NaiveDate>,
    pub location: String,
    pub tags: Vec<String>,
}

impl ExperienceFields {
    pub fn parse(draft: ExperienceDraft) -> Result<Self, ValidationError> {
        let mut v = Violations::default();
        let title = v.check(clean("title", &draft.title, 1, limits::TITLE, false));
        let organization = v.check(clean("organization", &draft.organization, 0, limits::ORGANIZATION, false));
        let description = v.check(clean("description", &draft.description, 0, limits::DESCRIPTION, true));
        let location = v.check(clean("location", &draft.location, 0, limits::LOCATION, false));
        let tags = v.check(labels("tags", &draft.tags, limits::TAGS, limits::TAG));
        let start_date = v.check(draft.start_date.ok_or_else(|| Violation::new("start_date", "required", "is required")));
        if let (Some(start), Some(end)) = (start_date, draft.end_date)
            && end < start
        {
            v.push(Violation::new("end_date", "order", "must not be before start_date"));
        }
        match (title, organization, description, location, tags, start_date) {
            (Some(title), Some(organization), Some(description), Some(location), Some(tags), Some(start_date))
                if v.is_empty() =>
            {
                Ok(Self { title, organization, description, start_date, end_date: draft.end_date, location, tags })
            }
            _ => Err(v.into_error()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillDraft {
    pub name: String,
    pub category: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
// Made only by `parse` outside this crate: holding one means its fields were checked.
#[non_exhaustive]
pub struct SkillFields {
    pub name: String,
    pub category: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
}

impl SkillFields {
    pub fn parse(draft: SkillDraft) -> Result<Self, ValidationError> {
        let mut v = Violations::default();
        let name = v.check(clean("name", &draft.name, 1, limits::SKILL_NAME, false));
        let category = v.check(clean("category", &draft.category, 0, limits::CATEGORY, false)).map(|c| crate::text::fold(&c));
        if let Some(level) = draft.level
            && !(limits::SKILL_LEVEL_MIN..=limits::SKILL_LEVEL_MAX).contains(&level)
        {
            v.push(Violation::new("level", "range", "must be 1 to 5"));
        }
        if let Some(years) = draft.years
            && !(years.is_finite() && (0.0..=limits::SKILL_YEARS_MAX).contains(&years))
        {
            v.push(Violation::new("years", "range", "must be 0 to 80"));
        }
        match (name, category) {
            (Some(name), Some(category)) if v.is_empty() => Ok(Self { name, category, level: draft.level, years: draft.years }),
            _ => Err(v.into_error()),
        }
    }
}

/// Counts and case-insensitive uniqueness across a whole profile's skills (for nested creation).
pub fn check_skill_names(skills: &[SkillFields], parent: &str) -> Result<(), ValidationError> {
    let mut v = Violations::default();
    let mut seen: Vec<String> = Vec::new();
    for (i, skill) in skills.iter().enumerate() {
        let key = crate::text::fold(&skill.name);
        if seen.contains(&key) {
            v.push(Violation::new(format!("{parent}[{i}].name"), "unique", "duplicates another skill's name (case is ignored)"));
        }
        seen.push(key);
    }
    v.finish()
}

/// A stored profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRecord {
    pub id: Uuid,
    pub slug: String,
    pub external_id: Option<String>,
    pub display_name: String,
    pub headline: String,
    pub summary: String,
    pub location: String,
    pub country: Option<String>,
    pub contact: Contact,
    pub tags: Vec<String>,
    pub availability: Availability,
    pub is_active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ProfileRecord> for ProfileDraft {
    fn from(p: &ProfileRecord) -> Self {
        Self {
            display_name: p.display_name.clone(),
            headline: p.headline.clone(),
            summary: p.summary.clone(),
            location: p.location.clone(),
            country: p.country.clone(),
            contact: p.contact.clone(),
            tags: p.tags.clone(),
            availability: p.availability,
            external_id: p.external_id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperienceRecord {
    pub id: Uuid,
    pub profile_id: Uuid,
    pub title: String,
    pub organization: String,
    pub description: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub location: String,
    pub tags: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&ExperienceRecord> for ExperienceDraft {
    fn from(e: &ExperienceRecord) -> Self {
        Self {
            title: e.title.clone(),
            organization: e.organization.clone(),
            description: e.description.clone(),
            start_date: Some(e.start_date),
            end_date: e.end_date,
            location: e.location.clone(),
            tags: e.tags.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SkillRecord {
    pub id: Uuid,
    pub profile_id: Uuid,
    pub name: String,
    pub category: String,
    pub level: Option<i16>,
    pub years: Option<f32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&SkillRecord> for SkillDraft {
    fn from(s: &SkillRecord) -> Self {
        Self { name: s.name.clone(), category: s.category.clone(), level: s.level, years: s.years }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> ProfileDraft {
        ProfileDraft { display_name: "Ada Lovelace".into(), ..Default::default() }
    }

    #[test]
    fn a_minimal_profile_parses() {
        let p = ProfileFields::parse(profile()).unwrap();
        assert_eq!(p.display_name, "Ada Lovelace");
        assert_eq!(p.availability, Availability::Open);
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let draft = ProfileDraft {
            display_name: " ".into(),
            country: Some("XX".into()),
            contact: Contact { email: Some("nope".into()), ..Default::default() },
            tags: vec!["ok".into(), "x".repeat(51)],
            ..Default::default()
        };
        let fields: Vec<String> = ProfileFields::parse(draft).unwrap_err().violations.into_iter().map(|v| v.field).collect();
        assert_eq!(fields, vec!["display_name", "country", "contact.email", "tags[1]"]);
    }

    #[test]
    fn country_codes_are_checked_against_iso_3166() {
        assert_eq!(parse_country("country", "de").unwrap(), "DE");
        assert!(parse_country("country", "ZZ").is_err());
        assert!(parse_country("country", "DEU").is_err());
        assert_eq!(country_name("DE").as_deref(), Some("Germany"));
    }

    #[test]
    fn links_must_be_http_urls() {
        let contact =
            Contact { links: vec![Link { label: "site".into(), url: "javascript:alert(1)".into() }], ..Default::default() };
        let e = Contact::parse("contact", &contact).unwrap_err();
        assert_eq!(e.violations[0].field, "contact.links[0].url");
    }

    #[test]
    fn an_experience_cannot_end_before_it_starts() {
        let draft = ExperienceDraft {
            title: "Engineer".into(),
            start_date: NaiveDate::from_ymd_opt(2020, 5, 1),
            end_date: NaiveDate::from_ymd_opt(2020, 4, 30),
            ..Default::default()
        };
        let e = ExperienceFields::parse(draft).unwrap_err();
        assert_eq!((e.violations[0].field.as_str(), e.violations[0].code), ("end_date", "order"));
    }

    #[test]
    fn an_experience_needs_a_start_date_and_may_be_current() {
        let mut draft = ExperienceDraft { title: "Engineer".into(), ..Default::default() };
        assert_eq!(ExperienceFields::parse(draft.clone()).unwrap_err().violations[0].field, "start_date");
        draft.start_date = NaiveDate::from_ymd_opt(2020, 5, 1);
        assert_eq!(ExperienceFields::parse(draft).unwrap().end_date, None);
    }

    #[test]
    fn skill_levels_and_years_are_bounded() {
        let e = SkillFields::parse(SkillDraft { name: "Rust".into(), level: Some(6), years: Some(-1.0), ..Default::default() })
            .unwrap_err();
        let fields: Vec<&str> = e.violations.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, vec!["level", "years"]);
        assert!(SkillFields::parse(SkillDraft { name: "Rust".into(), years: Some(f32::NAN), ..Default::default() }).is_err());
    }

    #[test]
    fn skill_names_are_unique_ignoring_case() {
        let skills: Vec<SkillFields> = ["Rust", "Go", "rust"]
            .iter()
            .map(|n| SkillFields::parse(SkillDraft { name: (*n).into(), ..Default::default() }).unwrap())
            .collect();
        let e = check_skill_names(&skills, "skills").unwrap_err();
        assert_eq!(e.violations[0].field, "skills[2].name");
    }
}
