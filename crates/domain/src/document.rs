//! Search documents: what search can see of one profile through one mask. Built only from a
//! [`VisibleProfile`], so text a mask hides never reaches the index, the embedding, a facet or a
//! hit.

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::mask::VisibleProfile;
use crate::profile::{Availability, country_name};

/// Everything stored for one document except its embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDocument {
    /// Full-text sections by weight: A name, headline, experience titles; B skills and tags;
    /// C experience organisations, descriptions and locations, profile location; D summary.
    pub text_a: String,
    pub text_b: String,
    pub text_c: String,
    pub text_d: String,
    /// What the embedding model reads: most telling first, since it stops after 256 tokens.
    pub embedding_text: String,
    /// Its aspects (headline, skills, each role, summary, each description; not the place) as
    /// byte ranges of `embedding_text`: a semantic match is explained by its closest passage,
    /// and a profile is as close to a query as its closest aspect.
    pub passages: Vec<std::ops::Range<usize>>,
    /// SHA-256 of `embedding_text`: unchanged text keeps its embedding.
    pub content_hash: [u8; 32],
    /// Visible facets, lower-cased.
    pub skills: Vec<String>,
    pub tags: Vec<String>,
    pub country: Option<String>,
    pub availability: Availability,
    /// Years covered by visible, dated experiences (overlaps counted once); `None` when the
    /// mask hides dates or there are none.
    pub years_experience: Option<f32>,
    /// A visible experience is current, so the years grow by a day each day after `counted_on`
    /// (search adds that growth at query time instead of rewriting documents daily).
    pub experience_ongoing: bool,
    /// The day the years were counted.
    pub counted_on: NaiveDate,
    /// The display fields returned with a hit.
    pub card: Card,
}

/// What a search hit shows of a person, as their persona shows it (stored with the document).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Card {
    pub display_name: String,
    pub slug: String,
    pub headline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default)]
    pub availability: Availability,
}

impl SearchDocument {
    /// Builds the document; `today` ends current experiences.
    pub fn build(view: &VisibleProfile, today: NaiveDate) -> Self {
        let mut a = vec![view.display_name.clone(), view.headline.clone()];
        a.extend(view.experiences.iter().map(|e| e.title.clone()));

        let mut b: Vec<String> = view.skills.iter().map(|s| s.name.clone()).collect();
        b.extend(view.tags.iter().flatten().cloned());

        let mut c = Vec::new();
        for e in &view.experiences {
            c.extend(e.organization.iter().cloned());
            c.extend(e.description.iter().cloned());
            c.extend(e.location.iter().cloned());
        }
        c.extend(view.location.iter().cloned());
        c.extend(view.country.as_deref().and_then(country_name));

        let d: Vec<String> = view.summary.iter().cloned().collect();
        let [text_a, text_b, text_c, text_d] =
            within_index_limit([join(&a, "\n"), join(&b, "\n"), join(&c, "\n"), join(&d, "\n")]);

        let (embedding_text, passages) = embedding_text(view);
        let content_hash = Sha256::digest(embedding_text.as_bytes()).into();

        let skills = dedup_lower(view.skills.iter().map(|s| s.name.as_str()));
        let tags = dedup_lower(view.tags.iter().flatten().map(String::as_str));

        Self {
            text_a,
            text_b,
            text_c,
            text_d,
            embedding_text,
            passages,
            content_hash,
            skills,
            tags,
            country: view.country.clone(),
            availability: view.availability,
            years_experience: years_of_experience(view, today),
            experience_ongoing: view
                .experiences
                .iter()
                .filter_map(|e| e.dates)
                .any(|(start, end)| end.is_none() && start <= today),
            counted_on: today,
            card: Card {
                display_name: view.display_name.clone(),
                slug: view.slug.clone(),
                headline: view.headline.clone(),
                location: view.location.clone(),
                country: view.country.clone(),
                availability: view.availability,
            },
        }
    }

    /// All visible text, in order, for highlighting.
    pub fn full_text(&self) -> String {
        join(&[self.text_a.clone(), self.text_b.clone(), self.text_c.clone(), self.text_d.clone()], "\n")
    }
}

/// Headline, skills, roles, place, summary, then the long descriptions, with each part's byte
/// range. The person's name is left out: it says nothing about what they do and would pull
/// unrelated namesakes together.
fn embedding_text(view: &VisibleProfile) -> (String, Vec<std::ops::Range<usize>>) {
    // (text, whether it is a passage of its own)
    let mut parts: Vec<(String, bool)> = Vec::new();
    if !view.headline.is_empty() {
        parts.push((format!("{}.", view.headline.trim_end_matches('.')), true));
    }
    if !view.skills.is_empty() {
        let names: Vec<&str> = view.skills.iter().map(|s| s.name.as_str()).collect();
        parts.push((format!("Skills: {}.", names.join(", ")), true));
    }
    for e in &view.experiences {
        parts.push((
            match e.organization.as_deref().filter(|o| !o.is_empty()) {
                Some(org) => format!("{} at {org}.", e.title),
                None => format!("{}.", e.title),
            },
            true,
        ));
    }
    let place: Vec<String> = view.location.iter().cloned().chain(view.country.as_deref().and_then(country_name)).collect();
    if !place.is_empty() {
        // Read by the model with the rest, but not an aspect of its own: a place passage made
        // everyone in Nairobi as close to "accountant nairobi" as the accountants elsewhere.
        parts.push((format!("Based in {}.", place.join(", ")), false));
    }
    if let Some(summary) = view.summary.as_deref().filter(|s| !s.is_empty()) {
        parts.push((summary.to_owned(), true));
    }
    for e in &view.experiences {
        if let Some(description) = e.description.as_deref().filter(|d| !d.is_empty()) {
            parts.push((description.to_owned(), true));
        }
    }
    let mut text = String::new();
    let mut ranges = Vec::with_capacity(parts.len());
    for (part, is_passage) in parts {
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(&part);
        if is_passage {
            ranges.push(start..text.len());
        }
    }
    (text, ranges)
}

/// How much text of one document the full-text index reads. PostgreSQL refuses a tsvector over
/// 1 MB; text of distinct words makes one about twice its size, so 256 KiB stays well clear. Only
/// a profile with dozens of very long descriptions comes near it.
pub const INDEXED_TEXT_MAX_BYTES: usize = 256 * 1024;

/// Sections A to D cut to the index's budget, the details (C) last to be kept: they weigh least.
fn within_index_limit(sections: [String; 4]) -> [String; 4] {
    let [a, b, c, d] = sections;
    let mut room = INDEXED_TEXT_MAX_BYTES;
    let mut keep = |mut text: String| {
        if text.len() > room {
            let mut end = room;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            // End on a word boundary, so no half word is indexed.
            let end = text[..end].rfind(char::is_whitespace).unwrap_or(end);
            text.truncate(end);
        }
        room -= text.len();
        text
    };
    let (a, b, d) = (keep(a), keep(b), keep(d));
    [a, b, keep(c), d]
}

fn join(parts: &[String], separator: &str) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(separator)
}

fn dedup_lower<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = crate::text::fold(item);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Total years covered by the visible experiences' date ranges, overlaps merged.
fn years_of_experience(view: &VisibleProfile, today: NaiveDate) -> Option<f32> {
    let mut ranges: Vec<(NaiveDate, NaiveDate)> =
        view.experiences.iter().filter_map(|e| e.dates).map(|(start, end)| (start, end.unwrap_or(today).max(start))).collect();
    if ranges.is_empty() {
        return None;
    }
    ranges.sort();
    let mut days = 0i64;
    let (mut start, mut end) = ranges[0];
    for &(s, e) in &ranges[1..] {
        if s > end {
            days += (end - start).num_days();
            (start, end) = (s, e);
        } else {
            end = end.max(e);
        }
    }
    days += (end - start).num_days();
    Some(((days as f64 / 365.25) * 10.0).round() as f32 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::{HiddenField, MaskConfig, MaskRecord, ProfileAggregate, apply};
    use crate::profile::{Contact, ExperienceRecord, ProfileRecord, SkillRecord, limits};
    use chrono::Utc;
    use uuid::Uuid;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn aggregate() -> ProfileAggregate {
        let id = Uuid::now_v7();
        let now = Utc::now();
        let experience = |title: &str, org: &str, start: NaiveDate, end: Option<NaiveDate>, tags: &[&str]| ExperienceRecord {
            id: Uuid::now_v7(),
            profile_id: id,
            title: title.into(),
            organization: org.into(),
            description: format!("{title} work at {org}"),
            start_date: start,
            end_date: end,
            location: "Lyon".into(),
            tags: tags.iter().map(|t| (*t).into()).collect(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let skill = |name: &str, category: &str| SkillRecord {
            id: Uuid::now_v7(),
            profile_id: id,
            name: name.into(),
            category: category.into(),
            level: Some(4),
            years: Some(6.0),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        ProfileAggregate {
            profile: ProfileRecord {
                id,
                slug: "ada".into(),
                external_id: None,
                display_name: "Ada Quillfeather".into(),
                headline: "Backend engineer".into(),
                summary: "Builds payment systems.".into(),
                location: "Berlin".into(),
                country: Some("DE".into()),
                contact: Contact { email: Some("ada@example.org".into()), phone: Some("+49 30 1234567".into()), links: vec![] },
                tags: vec!["fintech".into()],
                availability: Availability::Open,
                is_active: true,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            experiences: vec![
                experience("Engineer", "Zorblax Payments", date(2015, 1, 1), Some(date(2018, 1, 1)), &["engineering"]),
                experience("Staff Engineer", "Quoxel", date(2017, 1, 1), None, &["engineering"]),
                experience("Barista", "Cafe Nimbus", date(2010, 1, 1), Some(date(2011, 1, 1)), &["hospitality"]),
            ],
            skills: vec![skill("Rust", "languages"), skill("Juggling", "hobbies")],
            masks: vec![],
        }
    }

    fn mask(config: MaskConfig) -> MaskRecord {
        let now = Utc::now();
        MaskRecord {
            id: Uuid::now_v7(),
            profile_id: Uuid::nil(),
            slug: "m".into(),
            name: "M".into(),
            is_default: false,
            config,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn all_text(doc: &SearchDocument) -> String {
        format!("{}\n{}\n{:?}\n{:?}\n{:?}", doc.full_text(), doc.embedding_text, doc.skills, doc.tags, doc.card)
    }

    #[test]
    fn the_longest_profile_fits_the_full_text_index_keeping_titles_skills_and_summary() {
        let mut profile = aggregate();
        let template = profile.experiences[0].clone();
        profile.experiences = (0..limits::EXPERIENCES)
            .map(|i| ExperienceRecord {
                title: format!("Role{i}"),
                // Distinct words: the largest tsvector per byte of text.
                description: (0..limits::DESCRIPTION / 10).map(|w| format!("w{i}x{w:05}")).collect::<Vec<_>>().join(" "),
                ..template.clone()
            })
            .collect();
        let doc = SearchDocument::build(&apply(&profile, &mask(MaskConfig::default())), date(2025, 1, 1));
        let indexed = doc.text_a.len() + doc.text_b.len() + doc.text_c.len() + doc.text_d.len();
        assert!(indexed <= INDEXED_TEXT_MAX_BYTES, "{indexed} bytes indexed");
        assert!(doc.text_a.contains("Role99") && doc.text_b.contains("Rust"), "titles and skills are kept whole");
        assert_eq!(doc.text_d, "Builds payment systems.");
        assert!(doc.text_c.contains("w0x00000") && !doc.text_c.contains("w99x00499"), "details are cut at the end");
        let whole = |w: &str| !w.starts_with('w') || w.rsplit_once('x').is_some_and(|(_, n)| n.len() == 5);
        assert!(doc.text_c.split_whitespace().all(whole), "no half word");
    }

    #[test]
    fn the_unmasked_view_puts_each_part_in_its_weight() {
        let doc = SearchDocument::build(&apply(&aggregate(), &mask(MaskConfig::default())), date(2025, 1, 1));
        assert!(doc.text_a.contains("Ada Quillfeather") && doc.text_a.contains("Staff Engineer"));
        assert!(doc.text_b.contains("Rust") && doc.text_b.contains("fintech"));
        assert!(doc.text_c.contains("Zorblax Payments") && doc.text_c.contains("Germany"));
        assert_eq!(doc.text_d, "Builds payment systems.");
        assert_eq!(doc.skills, vec!["rust", "juggling"]);
        assert!(!doc.embedding_text.contains("Quillfeather"), "names stay out of the embedding");
    }

    #[test]
    fn hidden_fields_never_reach_the_document() {
        let config = MaskConfig {
            hide: HiddenField::ALL.into_iter().collect(),
            experience_tags: Some(vec!["engineering".into()]),
            skill_categories: Some(vec!["languages".into()]),
            ..MaskConfig::default()
        };
        let doc = SearchDocument::build(&apply(&aggregate(), &mask(config)), date(2025, 1, 1));
        let text = all_text(&doc);
        for hidden in [
            "Zorblax",
            "Quoxel",
            "Berlin",
            "Lyon",
            "Germany",
            "payment systems",
            "fintech",
            "Barista",
            "Juggling",
            "ada@example.org",
            "1234567",
            "work at",
        ] {
            assert!(!text.contains(hidden), "{hidden} leaked: {text}");
        }
        assert_eq!(doc.country, None);
        assert_eq!(doc.years_experience, None, "dates hidden: no years");
        assert_eq!(doc.skills, vec!["rust"]);
        assert!(doc.text_a.contains("Staff Engineer"));
    }

    #[test]
    fn overrides_replace_headline_and_summary() {
        let config = MaskConfig {
            headline: Some("Payments specialist".into()),
            summary: Some("Short bio".into()),
            ..MaskConfig::default()
        };
        let view = apply(&aggregate(), &mask(config));
        assert_eq!(view.headline, "Payments specialist");
        assert_eq!(view.summary.as_deref(), Some("Short bio"));
    }

    #[test]
    fn passages_are_the_aspects_of_the_embedded_text_but_the_place() {
        let doc = SearchDocument::build(&apply(&aggregate(), &mask(MaskConfig::default())), date(2025, 1, 1));
        let passages: Vec<&str> = doc.passages.iter().map(|r| &doc.embedding_text[r.clone()]).collect();
        assert_eq!(passages[0], "Backend engineer.");
        assert_eq!(passages[1], "Skills: Rust, Juggling.");
        assert!(passages.contains(&"Staff Engineer at Quoxel."));
        assert!(passages.contains(&"Builds payment systems."));
        let place = passages.iter().find(|p| p.starts_with("Based in"));
        assert_eq!(place, None, "the place is no aspect of its own");
        assert!(doc.embedding_text.contains("Based in "), "but the model reads it");
        let mut rest = doc.embedding_text.clone();
        for p in &passages {
            rest = rest.replacen(p, "", 1);
        }
        assert!(rest.trim().starts_with("Based in") && rest.trim().ends_with('.'), "the passages cover the rest: {rest}");
    }

    #[test]
    fn years_merge_overlapping_experiences() {
        let doc = SearchDocument::build(&apply(&aggregate(), &mask(MaskConfig::default())), date(2025, 1, 1));
        // 2015-2025 (overlap merged) plus 2010-2011.
        assert_eq!(doc.years_experience, Some(11.0));
        assert!(doc.experience_ongoing, "the Quoxel role is current");
        assert_eq!(doc.counted_on, date(2025, 1, 1));
    }

    #[test]
    fn years_stop_growing_when_no_visible_experience_is_current() {
        let mut agg = aggregate();
        agg.experiences[1].end_date = Some(date(2024, 1, 1));
        let doc = SearchDocument::build(&apply(&agg, &mask(MaskConfig::default())), date(2025, 1, 1));
        assert_eq!(doc.years_experience, Some(10.0));
        assert!(!doc.experience_ongoing);
        // A current role the mask leaves out does not make the visible years grow.
        let config = MaskConfig { experience_tags: Some(vec!["hospitality".into()]), ..MaskConfig::default() };
        let doc = SearchDocument::build(&apply(&aggregate(), &mask(config)), date(2025, 1, 1));
        assert_eq!(doc.years_experience, Some(1.0));
        assert!(!doc.experience_ongoing);
    }

    #[test]
    fn the_content_hash_follows_the_embedded_text_only() {
        let agg = aggregate();
        let a = SearchDocument::build(&apply(&agg, &mask(MaskConfig::default())), date(2025, 1, 1));
        let mut renamed = agg.clone();
        renamed.profile.display_name = "Someone Else".into();
        let b = SearchDocument::build(&apply(&renamed, &mask(MaskConfig::default())), date(2025, 1, 1));
        assert_eq!(a.content_hash, b.content_hash, "a rename does not need a new embedding");
        let mut retitled = agg;
        retitled.profile.headline = "Frontend engineer".into();
        let c = SearchDocument::build(&apply(&retitled, &mask(MaskConfig::default())), date(2025, 1, 1));
        assert_ne!(a.content_hash, c.content_hash);
    }

    #[test]
    fn mask_configs_refuse_unknown_keys_and_name_them() {
        let e = MaskConfig::parse("config", &serde_json::json!({"version": 1, "hdie": ["email"]})).unwrap_err();
        assert_eq!((e.violations[0].field.as_str(), e.violations[0].code), ("config.hdie", "unknown_field"));
        let e = MaskConfig::parse("config", &serde_json::json!({"hide": ["emial"]})).unwrap_err();
        assert_eq!(e.violations[0].field, "config.hide[0]");
        let e = MaskConfig::parse("config", &serde_json::json!({"version": 2})).unwrap_err();
        assert_eq!(e.violations[0].field, "config.version");
        assert_eq!(MaskConfig::parse("config", &serde_json::json!({})).unwrap(), MaskConfig::default());
    }
}
