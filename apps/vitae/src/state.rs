//! The state every handler shares.

use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicI64};
use std::sync::{Arc, RwLock};

use vitae_repository::ann::AnnState;

use vitae_search::SearchSettings;
use vitae_search::memory::TenantMemory;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use uuid::Uuid;

use vitae_embed::cache::QueryCache;
use vitae_repository::{PgPool, Pools, RepoResult, TenantTx};

use crate::config::Config;
use crate::http::auth::Principal;
use crate::http::contract::Contract;
use crate::service::indexer::{IndexedWrite, Indexer};
use crate::service::profile_locks::ProfileLocks;

pub struct App {
    pub config: Config,
    pub pools: Pools,
    pub indexer: Indexer,
    /// The OpenAPI document's request schemas, enforced on every JSON body.
    pub contract: Contract,
    pub query_cache: QueryCache,
    /// Each tenant's skills and titles (for reading job descriptions) and size (for choosing
    /// the vector path), read again in the background once `VITAE_SEARCH_MEMORY_TTL` passed.
    pub tenant_memory: Arc<TenantMemory>,
    pub rate_limiter: Option<DefaultKeyedRateLimiter<Uuid>>,
    pub search_settings: SearchSettings,
    /// The ANN index serving now (refreshed by index upkeep).
    ann: RwLock<Option<AnnState>>,
    pub index_building: AtomicBool,
    /// Delta rows of the keyword statistics left by the last fold (index upkeep).
    pub keyword_rows_after_compaction: AtomicI64,
    /// Writers of one profile queue here rather than on pooled connections.
    pub profile_locks: ProfileLocks,
}

/// Tenants remembered (vocabularies per tenant and mask selection).
const TENANTS_REMEMBERED: usize = 1024;

impl App {
    pub fn new(config: Config, pools: Pools, indexer: Indexer, contract: Contract) -> Self {
        let rate_limiter = NonZeroU32::new(config.rate_limit_per_second).map(|per_second| {
            let burst = NonZeroU32::new(config.rate_limit_burst).unwrap_or(per_second);
            RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))
        });
        crate::metrics::handle();
        let query_cache = QueryCache::new(config.query_cache_size);
        let search_settings = config.search();
        let tenant_memory = Arc::new(TenantMemory::new(TENANTS_REMEMBERED, config.search_memory_ttl));
        Self {
            config,
            pools,
            indexer,
            contract,
            query_cache,
            tenant_memory,
            rate_limiter,
            search_settings,
            ann: RwLock::new(None),
            index_building: AtomicBool::new(false),
            keyword_rows_after_compaction: AtomicI64::new(0),
            profile_locks: ProfileLocks::default(),
        }
    }

    pub fn ann(&self) -> Option<AnnState> {
        self.ann.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub fn set_ann(&self, state: Option<AnnState>) {
        *self.ann.write().unwrap_or_else(std::sync::PoisonError::into_inner) = state;
    }

    /// A write of `tenant_id` with its search documents (see [`IndexedWrite`]).
    pub fn write(&self, tenant_id: Uuid) -> IndexedWrite<'_> {
        self.indexer.write(&self.pools.primary, tenant_id)
    }

    /// A read-only transaction for the caller: on the read replica when one is configured,
    /// unless the request asked for the primary (see [`Principal::reads_primary`]).
    pub async fn read_tx(&self, principal: &Principal) -> RepoResult<TenantTx> {
        TenantTx::begin_read_only(self.read_pool(principal), principal.tenant_id).await
    }

    /// The pool the caller's reads use.
    pub fn read_pool(&self, principal: &Principal) -> &PgPool {
        if principal.reads_primary { &self.pools.primary } else { &self.pools.read }
    }
}

/// Cheap to clone; handlers take it with `State<AppState>`.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}
