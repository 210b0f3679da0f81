//! Slugs: readable identifiers (`ada-lovelace`), unique per tenant for profiles and per profile
//! for masks. Derived from a name; a collision gets a numeric suffix (`ada-lovelace-2`).

use crate::error::Violation;

pub const MAX_LEN: usize = 80;
/// Room kept for a `-NNNNN` suffix when a derived slug collides.
const BASE_MAX_LEN: usize = MAX_LEN - 7;

/// The slug a name derives to: lower-case ASCII words joined by dashes (accents transliterated).
pub fn derive(name: &str, fallback: &str) -> String {
    let mut slug = slug::slugify(name);
    if slug.len() > BASE_MAX_LEN {
        slug.truncate(BASE_MAX_LEN);
        while slug.ends_with('-') {
            slug.pop();
        }
    }
    if slug.is_empty() { fallback.to_owned() } else { slug }
}

/// The `n`th candidate for `base`: the base itself, then `base-2`, `base-3`, ...
pub fn candidate(base: &str, n: u32) -> String {
    if n <= 1 { base.to_owned() } else { format!("{base}-{n}") }
}

pub fn is_valid(value: &str, max_len: usize) -> bool {
    !value.is_empty()
        && value.len() <= max_len
        && value.split('-').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Checks a slug a caller chose.
pub fn parse(field: &str, value: &str, max_len: usize) -> Result<String, Violation> {
    if is_valid(value, max_len) {
        Ok(value.to_owned())
    } else {
        Err(Violation::new(
            field,
            "format",
            format!("must be 1 to {max_len} lower-case letters, digits and single dashes, like `public-view`"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_derive_to_readable_slugs() {
        assert_eq!(derive("Ada Lovelace", "profile"), "ada-lovelace");
        assert_eq!(derive("  José  Álvarez-Núñez ", "profile"), "jose-alvarez-nunez");
        assert_eq!(derive("王小明", "profile"), "wang-xiao-ming");
        assert_eq!(derive("!!!", "profile"), "profile");
    }

    #[test]
    fn long_names_leave_room_for_a_suffix() {
        let slug = derive(&"word ".repeat(40), "profile");
        assert!(slug.len() <= BASE_MAX_LEN && !slug.ends_with('-'));
        assert!(is_valid(&candidate(&slug, 99999), MAX_LEN));
    }

    #[test]
    fn collisions_get_numbered_candidates() {
        assert_eq!(candidate("ada", 1), "ada");
        assert_eq!(candidate("ada", 2), "ada-2");
    }

    #[test]
    fn chosen_slugs_are_checked() {
        assert!(parse("slug", "recruiters", 64).is_ok());
        for bad in ["", "Recruiters", "a--b", "-a", "a-", "a b", "é"] {
            assert!(parse("slug", bad, 64).is_err(), "{bad:?}");
        }
    }
}
