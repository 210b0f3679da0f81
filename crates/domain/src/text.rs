//! Bounded, clean text. Every text the service stores passes through here: trimmed, free of NUL
//! (which PostgreSQL cannot store) and of other control characters, within its length.

use crate::error::Violation;

/// Checks and trims one text: `min..=max` characters after trimming; line breaks and tabs only
/// where `multiline`.
pub fn clean(field: &str, value: &str, min: usize, max: usize, multiline: bool) -> Result<String, Violation> {
    if let Some(c) = value.chars().find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r'))) {
        let what = if c == '\0' { "NUL characters".to_owned() } else { format!("control character U+{:04X}", c as u32) };
        return Err(Violation::new(field, "format", format!("must not contain {what}")));
    }
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if length < min || length > max {
        let message = match (min, max) {
            (1, max) => format!("must be 1 to {max} characters (not blank)"),
            (0, max) => format!("must be at most {max} characters"),
            (min, max) => format!("must be {min} to {max} characters"),
        };
        return Err(Violation::new(field, if length == 0 && min > 0 { "required" } else { "length" }, message));
    }
    Ok(trimmed.to_owned())
}

/// An optional text: `None` and blank both mean absent.
pub fn clean_optional(field: &str, value: Option<&str>, max: usize, multiline: bool) -> Result<Option<String>, Violation> {
    match value {
        None => Ok(None),
        Some(v) => clean(field, v, 0, max, multiline).map(|s| (!s.is_empty()).then_some(s)),
    }
}

/// The case folding of every comparison that ignores case (skill names, tags, categories,
/// filters): each character's Unicode lower case, one character for one, as PostgreSQL's
/// `lower()` computes it under the `pg_c_utf8` collation, which the unique index of skill
/// names uses. So `Ärger` and `ärger` are the same name in a request and in the database.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            // The one character whose full lower case is two (i and a combining dot); PostgreSQL
            // maps it to a plain i.
            '\u{130}' => 'i',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// Whether `a` and `b` are equal ignoring case, as [`fold`] decides.
pub fn same_folded(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// A list of short labels (tags, categories): each cleaned, lower-cased, de-duplicated keeping the
/// first occurrence's position; at most `max_count`.
pub fn labels(field: &str, values: &[String], max_count: usize, max_len: usize) -> Result<Vec<String>, Violation> {
    if values.len() > max_count {
        return Err(Violation::new(field, "count", format!("at most {max_count} items")));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let label = fold(&clean(&format!("{field}[{i}]"), value, 1, max_len, false)?);
        if !out.contains(&label) {
            out.push(label);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_text_within_bounds() {
        assert_eq!(clean("name", "  Ada  ", 1, 10, false).unwrap(), "Ada");
    }

    #[test]
    fn rejects_nul_and_control_characters() {
        let e = clean("name", "A\0da", 1, 10, false).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("name", "format"));
        assert!(e.message.contains("NUL"));
        assert!(clean("name", "A\u{7}", 1, 10, false).is_err());
        assert!(clean("bio", "line one\nline two", 0, 100, true).is_ok());
        assert!(clean("name", "line one\nline two", 0, 100, false).is_err());
    }

    #[test]
    fn blank_required_text_is_required_not_too_short() {
        let e = clean("name", "   ", 1, 10, false).unwrap_err();
        assert_eq!(e.code, "required");
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(clean("name", "ééééé", 1, 5, false).is_ok());
        assert_eq!(clean("name", "éééééé", 1, 5, false).unwrap_err().code, "length");
    }

    #[test]
    fn labels_are_lower_cased_and_deduplicated() {
        let tags = labels("tags", &["Rust".into(), "rust".into(), " Go ".into()], 5, 20).unwrap();
        assert_eq!(tags, vec!["rust", "go"]);
        assert_eq!(labels("tags", &vec!["a".to_string(); 6], 5, 20).unwrap_err().code, "count");
        assert_eq!(labels("tags", &["ok".into(), "".into()], 5, 20).unwrap_err().field, "tags[1]");
    }
}
