//! API keys. A key reads `vitae_<key id>_<secret>`: the id (32 hex digits) finds the stored
//! record, the secret (32 random bytes, base64url) proves possession. Only the SHA-256 of the
//! secret is stored; the key is shown once, at creation. A high-entropy random secret needs no
//! slow password hash: SHA-256 cannot be reversed and there is nothing to guess.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

const PREFIX: &str = "vitae_";

/// What a key may do. Each scope includes the ones before it: admin ⊇ write ⊇ read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The scopes a key carries; `allows` honours the inclusion order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    pub fn from_strings(values: &[String]) -> Self {
        Self(values.iter().filter_map(|v| Scope::parse(v)).collect())
    }

    pub fn allows(&self, needed: Scope) -> bool {
        self.0.iter().any(|s| *s >= needed)
    }

    pub fn highest(&self) -> Option<Scope> {
        self.0.iter().copied().max()
    }
}

/// A newly made key: give `token` to the caller once, store `secret_hash`.
pub struct NewKey {
    pub id: Uuid,
    pub token: String,
    pub secret_hash: [u8; 32],
}

pub fn generate() -> NewKey {
    let id = Uuid::now_v7();
    let secret: [u8; 32] = rand::rng().random();
    let token = format!("{PREFIX}{}_{}", id.simple(), URL_SAFE_NO_PAD.encode(secret));
    NewKey { id, token, secret_hash: Sha256::digest(secret).into() }
}

/// A presented key, split into its id and the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey {
    pub id: Uuid,
    pub secret_hash: [u8; 32],
}

pub fn parse(token: &str) -> Option<PresentedKey> {
    let rest = token.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    if id.len() != 32 {
        return None;
    }
    let id = Uuid::try_parse(id).ok()?;
    let secret = URL_SAFE_NO_PAD.decode(secret).ok()?;
    if secret.len() != 32 {
        return None;
    }
    Some(PresentedKey { id, secret_hash: Sha256::digest(&secret).into() })
}

/// Compares the presented secret's hash with the stored one in constant time.
pub fn verify(presented: &PresentedKey, stored_hash: &[u8]) -> bool {
    stored_hash.len() == 32 && bool::from(presented.secret_hash.as_slice().ct_eq(stored_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_parses_back_and_verifies() {
        let key = generate();
        let presented = parse(&key.token).expect("parses");
        assert_eq!(presented.id, key.id);
        assert!(verify(&presented, &key.secret_hash));
    }

    #[test]
    fn a_changed_secret_does_not_verify() {
        let key = generate();
        let mut token = key.token.clone();
        let last = token.pop().expect("non-empty");
        token.push(if last == 'A' { 'B' } else { 'A' });
        let presented = parse(&token);
        assert!(presented.is_none_or(|p| !verify(&p, &key.secret_hash)));
    }

    #[test]
    fn malformed_keys_do_not_parse() {
        for bad in ["", "vitae_", "vitae_abc_def", "sk_live_123", &format!("vitae_{}_short", Uuid::nil().simple())] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn scopes_include_the_lower_ones() {
        let admin = Scopes::from_strings(&["admin".into()]);
        assert!(admin.allows(Scope::Read) && admin.allows(Scope::Write) && admin.allows(Scope::Admin));
        let read = Scopes::from_strings(&["read".into()]);
        assert!(read.allows(Scope::Read) && !read.allows(Scope::Write));
    }
}
