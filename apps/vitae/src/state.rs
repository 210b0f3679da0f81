//! The state every handler shares.

use std::ops::Deref;
use std::sync::Arc;

use vitae_repository::Pools;

use crate::config::Config;

pub struct App {
    pub config: Config,
    pub pools: Pools,
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
