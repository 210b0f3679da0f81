//! Reading a `tsvector` in its text form (`'word':1A,5 'o''neil':3B`): each lexeme with how
//! often it occurs under each weight. The keyword leg asks PostgreSQL for only the query's words
//! of each candidate and scores them here (see `keyword::rank`).

/// A lexeme and its occurrences under the weights A, B, C and D.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrences {
    pub lexeme: String,
    pub by_weight: [u32; 4],
}

/// The lexemes of `text` (as `tsvector_out` writes it), in order. A lexeme without positions
/// (a stripped vector) has no occurrences; reading stops at anything that is not a quoted lexeme.
pub fn occurrences(text: &str) -> Vec<Occurrences> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ').is_some() {}
        if chars.next() != Some('\'') {
            return out;
        }
        // `tsvector_out` doubles quotes and backslashes inside a lexeme.
        let mut lexeme = String::new();
        loop {
            match chars.next() {
                Some('\'') if chars.next_if_eq(&'\'').is_some() => lexeme.push('\''),
                Some('\'') | None => break,
                Some('\\') => lexeme.extend(chars.next()),
                Some(c) => lexeme.push(c),
            }
        }
        let mut by_weight = [0; 4];
        if chars.next_if_eq(&':').is_some() {
            loop {
                while chars.next_if(char::is_ascii_digit).is_some() {}
                // D, the default weight, is written without a letter.
                let weight = match chars.next_if(|c| matches!(c, 'A'..='D')) {
                    Some(letter) => letter as usize - 'A' as usize,
                    None => 3,
                };
                by_weight[weight] += 1;
                if chars.next_if_eq(&',').is_none() {
                    break;
                }
            }
        }
        out.push(Occurrences { lexeme, by_weight });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, [u32; 4])> {
        occurrences(text).into_iter().map(|o| (o.lexeme, o.by_weight)).collect()
    }

    #[test]
    fn each_position_counts_under_its_weight_and_d_has_no_letter() {
        assert_eq!(read("'engin':1A,7C,9 'rust':3B,4B"), vec![("engin".into(), [1, 0, 1, 1]), ("rust".into(), [0, 2, 0, 0])]);
        assert_eq!(read(""), vec![]);
    }

    #[test]
    fn quotes_and_backslashes_inside_lexemes_are_read_back() {
        assert_eq!(read(r"'o''neil':2A 'a\\b':5"), vec![("o'neil".into(), [1, 0, 0, 0]), (r"a\b".into(), [0, 0, 0, 1])]);
        assert_eq!(read("'x y':1"), vec![("x y".into(), [0, 0, 0, 1])], "a space inside quotes is part of the lexeme");
    }

    #[test]
    fn a_lexeme_without_positions_has_no_occurrences_and_garbage_ends_the_reading() {
        assert_eq!(read("'bare' 'kept':1"), vec![("bare".into(), [0; 4]), ("kept".into(), [0, 0, 0, 1])]);
        assert_eq!(read("'ok':1 junk 'lost':2"), vec![("ok".into(), [0, 0, 0, 1])]);
    }
}
