//! Writers of one profile wait their turn here, in memory, rather than each holding a pooled
//! connection while it waits on the profile's row lock: thirty writes to one profile then use
//! one connection at a time, and the rest of the service keeps its connections.
//!
//! A fixed set of stripes (by hash of tenant and profile) keeps memory bounded; two profiles
//! that share a stripe only take turns. Each write holds one stripe, so stripes cannot deadlock.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use super::error::ServiceError;

const STRIPES: usize = 1024;
/// How long a write waits for its turn before it is told to come back.
const MAX_WAIT: Duration = Duration::from_secs(20);

pub struct ProfileLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for ProfileLocks {
    fn default() -> Self {
        Self { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

impl ProfileLocks {
    /// Waits for the turn to write `profile_id`; held until the guard drops.
    pub async fn lock(&self, tenant_id: Uuid, profile_id: Uuid) -> Result<MutexGuard<'_, ()>, ServiceError> {
        let mut hasher = DefaultHasher::new();
        (tenant_id, profile_id).hash(&mut hasher);
        let stripe = &self.stripes[(hasher.finish() % STRIPES as u64) as usize];
        tokio::time::timeout(MAX_WAIT, stripe.lock()).await.map_err(|_| {
            metrics::counter!("vitae_write_queue_timeouts_total").increment(1);
            ServiceError::Queued
        })
    }
}
