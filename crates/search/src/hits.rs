//! Stage 6: the page's hits, with the card their persona shows, highlighted words and the
//! passage nearest in meaning.

use vitae_domain::document::Card;

use crate::fuse::Candidate;

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub candidate: Candidate,
    /// The persona the hit was found through.
    pub mask_slug: String,
    pub card: Card,
    /// HTML: escaped text with `<mark>` around matched words.
    pub keyword_fragments: Vec<String>,
    /// The passage most similar to the query.
    pub semantic_passage: Option<String>,
}

/// `ts_headline` output (matches between U+E000 and U+E001, fragments split by U+E002) as
/// escaped HTML fragments with `<mark>` around the matches.
pub fn marked_fragments(raw: &str) -> Vec<String> {
    raw.split('\u{E002}')
        .map(|fragment| {
            let mut html = String::with_capacity(fragment.len() + 16);
            for c in fragment.trim().chars() {
                match c {
                    '\u{E000}' => html.push_str("<mark>"),
                    '\u{E001}' => html.push_str("</mark>"),
                    '&' => html.push_str("&amp;"),
                    '<' => html.push_str("&lt;"),
                    '>' => html.push_str("&gt;"),
                    '"' => html.push_str("&quot;"),
                    '\'' => html.push_str("&#39;"),
                    '\n' => html.push_str(" · "),
                    // Tabs and other controls in prose: fragments are one line of text.
                    c if c.is_control() => html.push(' '),
                    c => html.push(c),
                }
            }
            html
        })
        .filter(|f| f.contains("<mark>"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_escaped_and_marked() {
        let raw = "a <b> & \u{E000}Rust\u{E001} engineer\u{E002}no match here";
        assert_eq!(marked_fragments(raw), vec!["a &lt;b&gt; &amp; <mark>Rust</mark> engineer"]);
        assert_eq!(marked_fragments("tab\there\r\u{E000}x\u{E001}"), vec!["tab here <mark>x</mark>"], "one line, no controls");
    }
}
