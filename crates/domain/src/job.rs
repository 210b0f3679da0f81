//! Reading a job description: its passages (requirements, responsibilities, nice-to-haves,
//! boilerplate), the skills and titles it names from a tenant's own vocabulary (exact, case and
//! accents aside, or one or two letters off), the years of experience and the countries it asks
//! for. Pure: the vocabulary comes from the caller.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use crate::text::fold;

pub mod limits {
    /// The longest job description read, in characters.
    pub const JOB: usize = 20_000;
    /// Terms a request may pin or drop.
    pub const ADJUSTMENTS: usize = 50;
    /// The longest pinned or dropped term, in characters.
    pub const TERM: usize = 100;
    /// Passages scored (the model reads each whole); the rest of a longer text is not read.
    pub const PASSAGES: usize = 24;
}

/// A passage longer than this (characters) is split at a line or sentence: the model reads about
/// 256 word pieces, a little over 1,000 characters of English.
const PASSAGE_CHARS: usize = 600;
/// The longest term (in words) looked up in the vocabulary.
const MAX_TERM_WORDS: usize = 5;

/// What part of a job a passage is, by the heading above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PassageKind {
    Requirements,
    Responsibilities,
    NiceToHave,
    /// Text under no recognised heading (a job written as plain paragraphs is all this).
    Other,
    /// About the company, benefits, how to apply: read for nothing.
    About,
}

impl PassageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requirements => "requirements",
            Self::Responsibilities => "responsibilities",
            Self::NiceToHave => "nice_to_have",
            Self::Other => "other",
            Self::About => "about",
        }
    }

    /// How much a profile's closeness to a passage of this kind counts.
    pub fn weight(self) -> f64 {
        match self {
            Self::Requirements => 1.0,
            Self::Responsibilities => 0.8,
            Self::Other => 0.6,
            Self::NiceToHave => 0.4,
            Self::About => 0.0,
        }
    }

    /// The kind a heading announces, if any.
    fn of_heading(heading: &str) -> Option<Self> {
        let h = fold(heading).replace('\u{2019}', "'");
        let any = |words: &[&str]| words.iter().any(|w| h.contains(w));
        if any(&["nice to have", "nice-to-have", "bonus", "a plus", "preferred", "desirable", "good to have", "optional"]) {
            Some(Self::NiceToHave)
        } else if any(&[
            "about us",
            "about the company",
            "who we are",
            "benefit",
            "we offer",
            "perks",
            "why join",
            "why us",
            "equal opportunit",
            "how to apply",
            "our company",
            "compensation",
            "salary",
            "our culture",
            "company",
        ]) {
            Some(Self::About)
        } else if any(&[
            "responsibilit",
            "what you'll do",
            "what you will do",
            "the role",
            "your role",
            "duties",
            "day to day",
            "tasks",
            "you will",
        ]) {
            Some(Self::Responsibilities)
        } else if any(&[
            "requirement",
            "qualification",
            "must have",
            "must-have",
            "what you bring",
            "what you'll bring",
            "you have",
            "skills",
            "experience",
            "profile",
            "who you are",
            "looking for",
            "about you",
            "essential",
            "you bring",
        ]) {
            Some(Self::Requirements)
        } else {
            None
        }
    }
}

/// One part of a job description, scored on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPassage {
    pub kind: PassageKind,
    pub heading: Option<String>,
    pub text: String,
}

fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for marker in ["- ", "* ", "• ", "– ", "· ", "+ "] {
        if let Some(rest) = t.strip_prefix(marker) {
            return Some(rest.trim());
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &t[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(rest.trim());
        }
    }
    None
}

/// A heading line: `## Requirements`, `Requirements:`, or a short line with no full stop that a
/// list follows. Returns the heading and any text after its colon (`Skills: Rust, Go`).
fn heading<'a>(line: &'a str, next: Option<&str>) -> Option<(&'a str, &'a str)> {
    let t = line.trim();
    if t.is_empty() || bullet(t).is_some() {
        return None;
    }
    if let Some(rest) = t.strip_prefix('#') {
        return Some((rest.trim_start_matches('#').trim(), ""));
    }
    let words = |s: &str| s.split_whitespace().count();
    if let Some((head, rest)) = t.split_once(':')
        && words(head) <= 6
        && (rest.trim().is_empty() || PassageKind::of_heading(head).is_some())
    {
        return Some((head.trim(), rest.trim()));
    }
    let short = words(t) <= 6 && t.chars().count() <= 60 && !t.ends_with(['.', '!', '?', ',', ';']);
    let list_follows = next.is_some_and(|n| bullet(n).is_some());
    (short && (list_follows || PassageKind::of_heading(t).is_some())).then_some((t, ""))
}

/// The passages of a job description, in order, each at most about 600 characters, under the
/// kind their heading gives (at most [`limits::PASSAGES`], boilerplate included).
pub fn passages(job: &str) -> Vec<JobPassage> {
    // Tabs and other control characters inside a line read as spaces.
    let lines: Vec<String> = job.lines().map(|l| l.replace(char::is_control, " ")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    let mut kind = PassageKind::Other;
    let mut current_heading: Option<String> = None;
    let mut chunk = String::new();
    let flush = |chunk: &mut String, out: &mut Vec<JobPassage>, kind: PassageKind, heading: &Option<String>| {
        let text = chunk.trim();
        if text.chars().any(char::is_alphanumeric) {
            out.push(JobPassage { kind, heading: heading.clone(), text: text.to_owned() });
        }
        chunk.clear();
    };
    for (i, line) in lines.iter().enumerate() {
        let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty()).copied();
        if let Some((head, rest)) = heading(line, next) {
            flush(&mut chunk, &mut out, kind, &current_heading);
            // A heading of no known kind (a job title, a team name) keeps the text under it as is.
            kind = PassageKind::of_heading(head).unwrap_or(PassageKind::Other);
            current_heading = Some(head.to_owned());
            if !rest.is_empty() {
                chunk.push_str(rest);
            }
            continue;
        }
        let text = bullet(line).unwrap_or(line.trim());
        if text.is_empty() {
            // A paragraph break ends a passage that has grown long enough to stand alone.
            if chunk.len() >= PASSAGE_CHARS / 2 {
                flush(&mut chunk, &mut out, kind, &current_heading);
            }
            continue;
        }
        for piece in split_long(text) {
            if !chunk.is_empty() && chunk.len() + piece.len() > PASSAGE_CHARS {
                flush(&mut chunk, &mut out, kind, &current_heading);
            }
            if !chunk.is_empty() {
                // A list item reads as its own sentence.
                chunk.push_str(if chunk.ends_with(['.', '!', '?', ':', ';']) { " " } else { ". " });
            }
            chunk.push_str(piece);
        }
    }
    flush(&mut chunk, &mut out, kind, &current_heading);
    out.truncate(limits::PASSAGES);
    out
}

/// A line longer than a passage, cut after sentences (or, failing that, at spaces).
fn split_long(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > PASSAGE_CHARS {
        let window = &rest[..floor_boundary(rest, PASSAGE_CHARS)];
        let cut = window.rfind(". ").map(|i| i + 1).or_else(|| window.rfind(' ')).unwrap_or(window.len());
        let cut = cut.max(1);
        out.push(rest[..cut].trim());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The years of experience a job asks for ("5+ years", "at least 3 years of"), from the first
/// passage that is not boilerplate or a nice-to-have.
pub fn required_years(passages: &[JobPassage]) -> Option<f32> {
    passages.iter().filter(|p| !matches!(p.kind, PassageKind::About | PassageKind::NiceToHave)).find_map(|p| years_in(&p.text))
}

fn years_in(text: &str) -> Option<f32> {
    let words: Vec<String> = text.split_whitespace().map(fold).collect();
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()));
        // "5+ years", "5 years", "5-7 years" (the lower bound), "five years" is left unread.
        let number = word.trim_end_matches('+').split(['-', '–']).next().unwrap_or("");
        if matches!(next, Some("years" | "year" | "yrs" | "yr"))
            && let Ok(n) = number.parse::<u8>()
            && (1..=40).contains(&n)
        {
            return Some(f32::from(n));
        }
    }
    None
}

/// What a term of the tenant's vocabulary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermKind {
    Skill,
    Title,
}

impl TermKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skill => "skill",
            Self::Title => "title",
        }
    }
}

/// How a term was found in the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recognition {
    /// The same words, case and accents aside.
    Exact,
    /// A word one or two letters off (typo tolerance).
    Typo,
    /// Pinned by the request.
    Pinned,
}

impl Recognition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Typo => "typo",
            Self::Pinned => "pinned",
        }
    }
}

/// Words as the vocabulary and the job are compared: lower case, accents removed, split at
/// anything but letters, digits and the `+ # .` of names like C++, C# and Node.js.
pub fn words(text: &str) -> Vec<String> {
    fold(&strip_accents(text))
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '+' | '#' | '.')))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The common Latin accents removed (é → e, ü → u), so a job typed without them still matches.
fn strip_accents(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => 'A',
            'ç' | 'č' | 'ć' => 'c',
            'Ç' | 'Č' | 'Ć' => 'C',
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => 'E',
            'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => 'I',
            'ñ' | 'ń' | 'ň' => 'n',
            'Ñ' | 'Ń' | 'Ň' => 'N',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => 'O',
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' => 'U',
            'ý' | 'ÿ' => 'y',
            'Ý' => 'Y',
            'š' | 'ś' => 's',
            'Š' | 'Ś' => 'S',
            'ž' | 'ź' | 'ż' => 'z',
            'Ž' | 'Ź' | 'Ż' => 'Z',
            'ł' => 'l',
            'Ł' => 'L',
            c => c,
        })
        .collect()
}

/// A tenant's skills and titles, as its visible documents write them.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// A term's words → the term as stored, and its kinds.
    terms: HashMap<Vec<String>, (String, Vec<TermKind>)>,
    /// Every word of every term (a job word the tenant uses is never read as a typo).
    known_words: HashSet<String>,
    /// Terms by (number of words, first letter): where a mistyped term is looked for.
    by_shape: HashMap<(usize, char), Vec<Vec<String>>>,
}

impl Vocabulary {
    pub fn new(entries: impl IntoIterator<Item = (String, TermKind)>) -> Self {
        let mut vocabulary = Self::default();
        for (term, kind) in entries {
            let key = words(&term);
            if key.is_empty() || key.len() > MAX_TERM_WORDS {
                continue;
            }
            vocabulary.known_words.extend(key.iter().cloned());
            let entry = vocabulary.terms.entry(key.clone()).or_insert_with(|| (fold(&term), Vec::new()));
            if !entry.1.contains(&kind) {
                entry.1.push(kind);
                if entry.1.len() == 1 {
                    let first = key[0].chars().next().unwrap_or(' ');
                    vocabulary.by_shape.entry((key.len(), first)).or_default().push(key);
                }
            }
        }
        vocabulary
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// A mistyped form of a term: same number of words and first letters, each word equal or,
    /// for words of 5+ letters the tenant never uses, one letter off (two from 9 letters).
    fn typo_of(&self, ngram: &[String]) -> Option<&Vec<String>> {
        let first = ngram[0].chars().next()?;
        let candidates = self.by_shape.get(&(ngram.len(), first))?;
        candidates.iter().find(|term| {
            let mut differs = false;
            for (word, known) in ngram.iter().zip(term.iter()) {
                if word == known {
                    continue;
                }
                let letters = word.chars().count();
                let allowed = if letters >= 9 { 2 } else { 1 };
                if letters < 5
                    || self.known_words.contains(word)
                    || word.chars().next() != known.chars().next()
                    || strsim::damerau_levenshtein(word, known) > allowed
                {
                    return false;
                }
                differs = true;
            }
            differs
        })
    }
}

/// A skill or title the job names.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    /// The term as the tenant's documents hold it (lower case).
    pub term: String,
    /// The words as the job wrote them.
    pub as_written: String,
    pub kind: TermKind,
    /// Named outside the nice-to-haves (or pinned).
    pub required: bool,
    pub how: Recognition,
    /// Indexes of the passages that name it.
    pub passages: Vec<usize>,
}

/// The request's corrections to what was recognised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adjustments {
    /// Terms to add as required skills (in any case).
    pub pin: Vec<String>,
    /// Recognised terms to leave out.
    pub drop: Vec<String>,
}

/// The skills and titles of `vocabulary` the passages name, longest terms first (a three-word
/// skill is not also read as its words), boilerplate passages aside; then the adjustments.
pub fn recognise(passages: &[JobPassage], vocabulary: &Vocabulary, adjust: &Adjustments) -> Vec<Recognised> {
    let mut found: BTreeMap<(String, TermKind), Recognised> = BTreeMap::new();
    for (index, passage) in passages.iter().enumerate() {
        if passage.kind == PassageKind::About {
            continue;
        }
        let ws = words(&passage.text);
        let mut i = 0;
        while i < ws.len() {
            let mut matched = 0;
            for n in (1..=MAX_TERM_WORDS.min(ws.len() - i)).rev() {
                let ngram = &ws[i..i + n];
                let (key, how) = match vocabulary.terms.get_key_value(ngram) {
                    Some((key, _)) => (key, Recognition::Exact),
                    None => match vocabulary.typo_of(ngram) {
                        Some(key) => (key, Recognition::Typo),
                        None => continue,
                    },
                };
                let (term, kinds) = &vocabulary.terms[key];
                for kind in kinds {
                    let entry = found.entry((term.clone(), *kind)).or_insert_with(|| Recognised {
                        term: term.clone(),
                        as_written: ngram.join(" "),
                        kind: *kind,
                        required: false,
                        how,
                        passages: Vec::new(),
                    });
                    entry.required |= passage.kind != PassageKind::NiceToHave;
                    entry.how = entry.how.min(how);
                    if !entry.passages.contains(&index) {
                        entry.passages.push(index);
                    }
                }
                matched = n;
                break;
            }
            i += matched.max(1);
        }
    }
    let dropped: HashSet<Vec<String>> = adjust.drop.iter().map(|d| words(d)).collect();
    let mut out: Vec<Recognised> = found.into_values().filter(|r| !dropped.contains(&words(&r.term))).collect();
    for pin in &adjust.pin {
        let key = words(pin);
        if key.is_empty() {
            continue;
        }
        match out.iter_mut().find(|r| r.kind == TermKind::Skill && words(&r.term) == key) {
            Some(existing) => existing.required = true,
            None => out.push(Recognised {
                term: fold(pin.trim()),
                as_written: pin.trim().to_owned(),
                kind: TermKind::Skill,
                required: true,
                how: Recognition::Pinned,
                passages: Vec::new(),
            }),
        }
    }
    out.sort_by(|a, b| (b.required, a.kind, &a.term).cmp(&(a.required, b.kind, &b.term)));
    out
}

/// Countries the job names ("Germany", "United Kingdom"), as ISO codes, boilerplate aside.
pub fn countries(passages: &[JobPassage]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for passage in passages.iter().filter(|p| p.kind != PassageKind::About) {
        let tokens: Vec<&str> = passage.text.split(|c: char| !c.is_alphabetic()).filter(|t| !t.is_empty()).collect();
        let mut i = 0;
        while i < tokens.len() {
            let mut step = 1;
            for n in (1..=3.min(tokens.len() - i)).rev() {
                let words = &tokens[i..i + n];
                // Names are capitalised; short words ("us", "it") are pronouns far more often.
                if !words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase)) {
                    continue;
                }
                let name: String = words.concat();
                if name.chars().count() < 4 {
                    continue;
                }
                if let Ok(country) = celes::Country::from_str(&name) {
                    if !out.iter().any(|c| c == country.alpha2) {
                        out.push(country.alpha2.to_owned());
                    }
                    step = n;
                    break;
                }
            }
            i += step;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = "Senior Backend Engineer\n\nWe are a fast-growing fintech team in Berlin, Germany, on a mission to make payments simple.\n\n## What you'll do\n- Design and run event-driven services\n- Own our Kafka pipelines\n\nRequirements:\n- 5+ years of backend experience\n- Rust or Go\n- PostgreSQL\n- Kubernets in production\n\nNice to have\n- Terraform\n- GraphQL\n\n## Benefits\n- Free lunch and a Rust conference budget\n";

    fn vocabulary() -> Vocabulary {
        Vocabulary::new(
            [
                ("rust", TermKind::Skill),
                ("go", TermKind::Skill),
                ("postgresql", TermKind::Skill),
                ("kubernetes", TermKind::Skill),
                ("kafka", TermKind::Skill),
                ("terraform", TermKind::Skill),
                ("graphql", TermKind::Skill),
                ("backend engineer", TermKind::Title),
                ("senior backend engineer", TermKind::Title),
                ("event-driven architecture", TermKind::Skill),
            ]
            .map(|(t, k)| (t.to_owned(), k)),
        )
    }

    #[test]
    fn headings_and_lists_make_passages_of_their_kind() {
        let ps = passages(JOB);
        let kinds: Vec<PassageKind> = ps.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                PassageKind::Other,
                PassageKind::Responsibilities,
                PassageKind::Requirements,
                PassageKind::NiceToHave,
                PassageKind::About
            ],
            "{ps:#?}"
        );
        assert_eq!(ps[2].text, "5+ years of backend experience. Rust or Go. PostgreSQL. Kubernets in production");
        assert_eq!(ps[1].heading.as_deref(), Some("What you'll do"));
    }

    #[test]
    fn plain_paragraphs_and_long_lines_are_cut_into_passages_the_model_reads_whole() {
        let long = "We build things. ".repeat(200);
        let ps = passages(&long);
        assert!(ps.len() > 4);
        assert!(ps.iter().all(|p| p.text.len() <= PASSAGE_CHARS + 20 && p.kind == PassageKind::Other));
        let ps = passages(&"word ".repeat(10_000));
        assert_eq!(ps.len(), limits::PASSAGES);
    }

    #[test]
    fn skills_and_titles_are_recognised_with_typos_and_the_nice_to_haves_apart() {
        let ps = passages(JOB);
        let found = recognise(&ps, &vocabulary(), &Adjustments::default());
        let summary: Vec<(&str, TermKind, bool, Recognition)> =
            found.iter().map(|r| (r.term.as_str(), r.kind, r.required, r.how)).collect();
        assert!(summary.contains(&("kubernetes", TermKind::Skill, true, Recognition::Typo)), "{summary:?}");
        assert!(summary.contains(&("rust", TermKind::Skill, true, Recognition::Exact)));
        assert!(summary.contains(&("kafka", TermKind::Skill, true, Recognition::Exact)));
        assert!(summary.contains(&("terraform", TermKind::Skill, false, Recognition::Exact)));
        // The longest term wins: "senior backend engineer", not also "backend engineer".
        assert!(summary.contains(&("senior backend engineer", TermKind::Title, true, Recognition::Exact)));
        assert!(!summary.iter().any(|s| s.0 == "backend engineer"));
        // "Rust" in the benefits is boilerplate; its mentions count only in the requirements.
        let rust = found.iter().find(|r| r.term == "rust").expect("rust");
        assert_eq!(rust.passages, vec![2]);
        // Required first.
        assert!(found.iter().take_while(|r| r.required).count() >= 5);
        assert!(found.iter().skip_while(|r| r.required).all(|r| !r.required));
    }

    #[test]
    fn a_known_word_is_never_a_typo_and_short_words_must_match_exactly() {
        let v = Vocabulary::new(
            [("python", TermKind::Skill), ("pythons", TermKind::Skill), ("java", TermKind::Skill)]
                .map(|(t, k)| (t.to_owned(), k)),
        );
        let ps = passages("pythons and jave");
        let found = recognise(&ps, &v, &Adjustments::default());
        let terms: Vec<&str> = found.iter().map(|r| r.term.as_str()).collect();
        assert_eq!(terms, ["pythons"]);
    }

    #[test]
    fn adjustments_pin_and_drop_terms() {
        let ps = passages(JOB);
        let adjust = Adjustments { pin: vec!["Terraform".into(), "Elixir".into()], drop: vec!["Kafka".into()] };
        let found = recognise(&ps, &vocabulary(), &adjust);
        assert!(!found.iter().any(|r| r.term == "kafka"));
        let terraform = found.iter().find(|r| r.term == "terraform").expect("terraform");
        assert!(terraform.required);
        let elixir = found.iter().find(|r| r.term == "elixir").expect("pinned");
        assert_eq!((elixir.required, elixir.how), (true, Recognition::Pinned));
    }

    #[test]
    fn years_and_countries_are_read_where_stated() {
        let ps = passages(JOB);
        assert_eq!(required_years(&ps), Some(5.0));
        assert_eq!(countries(&ps), ["DE"]);
        assert_eq!(required_years(&passages("at least 3-5 years with Java")), Some(3.0));
        assert!(countries(&passages("tell us about it")).is_empty());
        assert_eq!(countries(&passages("Remote within the United Kingdom or France")), ["GB", "FR"]);
    }

    #[test]
    fn accents_and_case_are_ignored() {
        assert_eq!(words("Müller-Lüdenscheid C++ Node.js, C#."), ["muller", "ludenscheid", "c++", "node.js", "c#"]);
    }
}
