//! The HTTP API: routes, extractors, errors, and the middleware around them.

pub mod auth;
pub mod console;
pub mod contract;
pub mod extract;
pub mod health;
pub mod import;
pub mod masks;
pub mod middleware;
pub mod openapi;
pub mod parts;
pub mod problem;
pub mod profiles;
pub mod search;
pub mod server;
pub mod views;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;

/// Every documented route, and the document describing them.
pub fn routes(import_body_limit: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::list_statements))
        .merge(profiles::router())
        .merge(parts::router())
        .merge(masks::router())
        .merge(import::router(import_body_limit))
        .merge(search::router())
        .split_for_parts();
    (router, openapi::finish(doc))
}

/// The OpenAPI document (`vitae openapi` prints it; `openapi/openapi.json` is its copy).
pub fn document() -> utoipa::openapi::OpenApi {
    routes(0).1
}

/// The whole service: documented routes, `/openapi.json`, the `/docs` page, the `/console`
/// page, and middleware.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = routes(state.config.import_body_limit_bytes);
    let routes = routes
        .merge(SwaggerUi::new("/docs").url("/openapi.json", doc))
        .route("/metrics", axum::routing::get(crate::metrics::render))
        .merge(console::router())
        .fallback(middleware::fallback_not_found)
        .with_state(state.clone());
    middleware::wrap(routes, &state)
}
