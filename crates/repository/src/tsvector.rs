//! Reading a `tsvector` as PostgreSQL sends it in binary (`tsvectorsend`): each lexeme with how
//! often it occurs under each weight. The keyword leg reads each candidate's whole vector and
//! scores the query's words here (see `keyword::rank`): cutting the vector down to those words
//! in SQL (`ts_delete` of every other word, then its text) cost more than reading the rows.

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Decode, Postgres, Type};

/// A document's words, each with its occurrences under the weights A, B, C and D.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsVector {
    /// The lexemes, one after another; `lexemes` holds where each ends.
    words: String,
    lexemes: Vec<Lexeme>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lexeme {
    end: usize,
    by_weight: [u32; 4],
}

impl TsVector {
    /// Distinct words (what `length(tsvector)` counts).
    pub fn len(&self) -> usize {
        self.lexemes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lexemes.is_empty()
    }

    /// Each lexeme with its occurrences under A, B, C and D (a lexeme without positions, from a
    /// stripped vector, has none).
    pub fn iter(&self) -> impl Iterator<Item = (&str, [u32; 4])> {
        let starts = std::iter::once(0).chain(self.lexemes.iter().map(|l| l.end));
        starts.zip(&self.lexemes).map(|(start, l)| (&self.words[start..l.end], l.by_weight))
    }

    /// Reads `tsvectorsend`'s format: the lexeme count (int32), then each lexeme as text ended by
    /// a zero byte, its position count (int16) and positions (int16 each, the weight in the top
    /// two bits: 3 is A, 0 is D).
    fn from_binary(bytes: &[u8]) -> Result<Self, BoxDynError> {
        let mut rest = bytes;
        let count = u32::from_be_bytes(take(&mut rest, 4)?.try_into()?);
        // Each lexeme takes at least three bytes: a count past that is not a tsvector.
        if count as usize > rest.len() / 3 {
            return Err(format!("a tsvector of {} bytes cannot hold {count} lexemes", bytes.len()).into());
        }
        let mut vector = TsVector { words: String::new(), lexemes: Vec::with_capacity(count as usize) };
        for _ in 0..count {
            let text = rest.iter().position(|b| *b == 0).ok_or("a tsvector lexeme has no end")?;
            vector.words.push_str(std::str::from_utf8(take(&mut rest, text)?)?);
            take(&mut rest, 1)?;
            let positions = u16::from_be_bytes(take(&mut rest, 2)?.try_into()?);
            let mut by_weight = [0; 4];
            for position in take(&mut rest, 2 * usize::from(positions))?.chunks_exact(2) {
                by_weight[3 - usize::from(position[0] >> 6)] += 1;
            }
            vector.lexemes.push(Lexeme { end: vector.words.len(), by_weight });
        }
        if !rest.is_empty() {
            return Err(format!("{} bytes after a tsvector's last lexeme", rest.len()).into());
        }
        Ok(vector)
    }

    /// `tsvectorsend`'s format again, positions numbered from 1 in weight order.
    #[cfg(test)]
    fn to_binary(&self) -> Vec<u8> {
        let mut out = (self.len() as u32).to_be_bytes().to_vec();
        for (lexeme, by_weight) in self.iter() {
            out.extend_from_slice(lexeme.as_bytes());
            out.push(0);
            let positions: u16 = by_weight.iter().map(|n| *n as u16).sum();
            out.extend_from_slice(&positions.to_be_bytes());
            let mut next = 1u16;
            for (weight, n) in by_weight.iter().enumerate() {
                for _ in 0..*n {
                    out.extend_from_slice(&(((3 - weight as u16) << 14) | next).to_be_bytes());
                    next += 1;
                }
            }
        }
        out
    }
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], BoxDynError> {
    if rest.len() < n {
        return Err("a tsvector ends early".into());
    }
    let (taken, left) = rest.split_at(n);
    *rest = left;
    Ok(taken)
}

impl Type<Postgres> for TsVector {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("tsvector")
    }
}

impl<'r> Decode<'r, Postgres> for TsVector {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => Self::from_binary(value.as_bytes()?),
            PgValueFormat::Text => Err("a tsvector is read in its binary format".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Vec<(String, [u32; 4])> {
        TsVector::from_binary(bytes).unwrap().iter().map(|(l, w)| (l.to_owned(), w)).collect()
    }

    #[test]
    fn each_position_counts_under_its_weight() {
        // What PostgreSQL 18 sent for '''engin'':1A,7C,9 ''rust'':3B,4B ''bare''' (sorted, as stored).
        let sent = b"\x00\x00\x00\x03bare\x00\x00\x00engin\x00\x00\x03\xc0\x01\x40\x07\x00\x09rust\x00\x00\x02\x80\x03\x80\x04";
        assert_eq!(read(sent), vec![("bare".into(), [0; 4]), ("engin".into(), [1, 0, 1, 1]), ("rust".into(), [0, 2, 0, 0])]);
        assert_eq!(TsVector::from_binary(sent).unwrap().len(), 3);
        assert_eq!(read(b"\x00\x00\x00\x00"), vec![]);
    }

    #[test]
    fn any_word_reads_back_as_written() {
        let words = ["o'neil", r"a\b", "x y", "müller", "c++"];
        let mut vector = TsVector::default();
        for (i, word) in words.iter().enumerate() {
            vector.words.push_str(word);
            vector.lexemes.push(Lexeme { end: vector.words.len(), by_weight: [i as u32, 1, 0, 2] });
        }
        assert_eq!(TsVector::from_binary(&vector.to_binary()).unwrap(), vector);
    }

    #[test]
    fn a_truncated_or_padded_vector_is_an_error_not_a_panic() {
        let sent = b"\x00\x00\x00\x01rust\x00\x00\x02\x80\x03\x80\x04";
        for end in 0..sent.len() {
            assert!(TsVector::from_binary(&sent[..end]).is_err(), "{end} bytes");
        }
        assert!(TsVector::from_binary(&[sent.as_slice(), b"\x00"].concat()).is_err());
        assert!(TsVector::from_binary(b"\xff\xff\xff\xff").is_err(), "a count past the bytes");
        assert!(TsVector::from_binary(b"\x00\x00\x00\x01\xff\x00\x00\x00").is_err(), "not UTF-8");
    }
}
