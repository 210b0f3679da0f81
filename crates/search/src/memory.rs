//! What the engine remembers between requests, per tenant, for a while: each tenant's
//! vocabulary (reading it scans every visible document) and how many documents its searches
//! select (which decides whether they use the shared vector index). Keyed by tenant, like
//! the query cache, so one tenant cannot time another's.
//!
//! An entry past its time is still served while one request reads it again in the background
//! (stale while revalidate): at a million profiles the vocabulary takes 2.5 s to read, and a
//! request that found it expired used to wait for it once a minute.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use uuid::Uuid;
use vitae_domain::job::Vocabulary;
use vitae_domain::search::MaskSelection;

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<V> {
    /// Written within its time.
    Fresh(V),
    /// Past its time: serve it, and read it again off the request path. The entry is stamped
    /// anew as it is handed out, so of the callers who find it expired only this one refreshes
    /// it (a refresh that fails leaves the old value for another period).
    Refresh(V),
    /// Never read, or forgotten: read it now.
    Missing,
}

/// A least-recently-used map whose entries expire `ttl` after they were written.
pub struct Expiring<K: Hash + Eq, V: Clone> {
    entries: Mutex<LruCache<K, (Instant, V)>>,
    ttl: Duration,
}

impl<K: Hash + Eq, V: Clone> Expiring<K, V> {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self { entries: Mutex::new(LruCache::new(capacity)), ttl }
    }

    pub fn lookup(&self, key: &K) -> Lookup<V> {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match entries.get_mut(key) {
            Some((written, value)) if written.elapsed() < self.ttl => Lookup::Fresh(value.clone()),
            Some((written, value)) => {
                *written = Instant::now();
                Lookup::Refresh(value.clone())
            }
            None => Lookup::Missing,
        }
    }

    pub fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.put(key, (Instant::now(), value));
    }
}

/// A tenant and a mask selection.
pub type VocabularyKey = (Uuid, String);

pub fn vocabulary_key(tenant_id: Uuid, mask: &MaskSelection) -> VocabularyKey {
    let mask = match mask {
        MaskSelection::Default => String::new(),
        MaskSelection::All => "*".to_owned(),
        MaskSelection::Slug(slug) => format!("/{slug}"),
    };
    (tenant_id, mask)
}

/// Everything remembered.
pub struct TenantMemory {
    /// Skills and titles per tenant and mask selection, for reading job descriptions: a skill
    /// new to the tenant is recognised once its entry expires.
    pub vocabularies: Expiring<VocabularyKey, Arc<Vocabulary>>,
    /// Documents per tenant, mask selection and filters, counted up to the exact-search
    /// limit plus one: a selection at or under it is ranked exactly (a vector index shared
    /// with bigger tenants would filter its rows out one by one). Counting costs as much as a
    /// search's other statements or more (a bitmap scan of up to 2,001 rows; 40,001 in an index
    /// of a million), and the same tenant and filters come back query after query. A selection
    /// that grows past the limit meanwhile is still ranked exactly, correctly; one that shrinks
    /// under it goes through the index, which falls back to exact ranking when its window comes
    /// back short.
    pub counts: Expiring<CountKey, i64>,
}

/// A tenant and what a search selects (the mask selection and filters, as written by `Debug`).
pub type CountKey = (Uuid, String);

/// Selections remembered per tenant remembered.
const COUNTS_PER_TENANT: usize = 16;

impl TenantMemory {
    pub fn new(tenants: usize, ttl: Duration) -> Self {
        Self { vocabularies: Expiring::new(tenants, ttl), counts: Expiring::new(tenants * COUNTS_PER_TENANT, ttl) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_forgotten_after_its_time_and_the_least_recent_first() {
        let memory: Expiring<u8, i64> = Expiring::new(2, Duration::from_secs(60));
        memory.put(1, 10);
        memory.put(2, 20);
        assert_eq!(memory.lookup(&1), Lookup::Fresh(10));
        memory.put(3, 30);
        assert_eq!(memory.lookup(&2), Lookup::Missing, "2 was the least recently used");
        assert_eq!((memory.lookup(&1), memory.lookup(&3)), (Lookup::Fresh(10), Lookup::Fresh(30)));
    }

    #[test]
    fn an_expired_entry_is_served_and_refreshed_by_one_caller_only() {
        let memory: Expiring<u8, i64> = Expiring::new(2, Duration::from_millis(50));
        memory.put(1, 10);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memory.lookup(&1), Lookup::Refresh(10), "the first caller after expiry refreshes");
        assert_eq!(memory.lookup(&1), Lookup::Fresh(10), "the others are served while it does");
        memory.put(1, 11);
        assert_eq!(memory.lookup(&1), Lookup::Fresh(11), "the refreshed value replaces it");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memory.lookup(&1), Lookup::Refresh(11), "a refresh that never lands is tried again a period later");
    }
}
