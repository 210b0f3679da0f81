//! The HTTP API: routes, extractors, errors, and the middleware around them.

pub mod health;
pub mod middleware;
pub mod problem;

use axum::Router;

use crate::state::AppState;

/// Every route of the service, with its middleware.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", axum::routing::get(health::healthz))
        .route("/readyz", axum::routing::get(health::readyz))
        .fallback(middleware::fallback_not_found)
        .with_state(state.clone());
    middleware::wrap(routes, &state)
}
