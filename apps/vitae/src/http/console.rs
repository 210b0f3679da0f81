//! The search console: a page for trying queries in a browser (`/console`). Its files are built
//! into the binary (no CDN, works offline) and it calls the public API with the key the person
//! pastes, so it can do nothing that key cannot. It adds no API route and reads no data itself.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// Scripts and styles from this origin only, no inline code, API calls to this origin only, and
/// no framing: a page that handles API keys gives injected markup nothing to run or send.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const INDEX_HTML: &str = include_str!("../../console/index.html");
const CONSOLE_JS: &str = include_str!("../../console/console.js");
const CONSOLE_CSS: &str = include_str!("../../console/console.css");

/// The console's routes (not part of the API document).
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/console", get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }))
        .route("/console/", get(|| async { Redirect::permanent("/console") }))
        .route("/console/console.js", get(|| async { asset(CONSOLE_JS, "text/javascript; charset=utf-8") }))
        .route("/console/console.css", get(|| async { asset(CONSOLE_CSS, "text/css; charset=utf-8") }))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // The files change with the binary; a browser must not keep an old script after an upgrade.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
