//! Prometheus metrics: one recorder per process, rendered at `/metrics`. Counters and histograms
//! are recorded where things happen (HTTP middleware, search stages, embedding batches); gauges
//! of state (pools, the ANN index) are read at scrape time.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;

use crate::http::auth::bearer_token;
use crate::http::problem::{ApiError, ErrorCode};
use crate::state::AppState;

/// Latency buckets in seconds: 1 ms to 10 s.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the recorder the first time (a process has one; several apps in one test process
/// share it).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(handle) => Some(handle),
                Err(error) => {
                    tracing::warn!(%error, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Requests by route template (never the raw path: ids would explode the label set) and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("vitae_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("vitae_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in the Prometheus text format.
pub async fn render(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token
        && !bearer_matches(&headers, token)
    {
        return ApiError::new(ErrorCode::Unauthorized)
            .with_detail("/metrics needs `Authorization: Bearer <VITAE_METRICS_TOKEN>`")
            .into_response();
    }
    let Some(handle) = handle() else {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "metrics are not available").into_response();
    };
    for (name, pool) in [("primary", &state.pools.primary), ("read", &state.pools.read)] {
        let idle = pool.num_idle() as f64;
        metrics::gauge!("vitae_db_pool_connections", "pool" => name, "state" => "idle").set(idle);
        metrics::gauge!("vitae_db_pool_connections", "pool" => name, "state" => "in_use").set(f64::from(pool.size()) - idle);
        metrics::gauge!("vitae_db_pool_max_connections", "pool" => name).set(f64::from(pool.options().get_max_connections()));
    }
    match state.ann() {
        Some(ann) => {
            metrics::gauge!("vitae_ann_index_info", "kind" => ann.kind.clone(), "storage" => ann.storage.clone(), "name" => ann.index_name.clone())
                .set(1.0);
            metrics::gauge!("vitae_ann_index_lists").set(f64::from(ann.lists));
            metrics::gauge!("vitae_ann_index_rows_at_build").set(ann.rows_at_build as f64);
            metrics::gauge!("vitae_ann_index_probes").set(f64::from(state.search_settings.probes.unwrap_or(ann.probes)));
            if let Some(probes) = state.search_settings.passage_walk_ef(&ann) {
                metrics::gauge!("vitae_ann_passage_probes").set(f64::from(probes));
            }
        }
        None => metrics::gauge!("vitae_ann_index_lists").set(0.0),
    }
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}

/// Whether the request carries `Authorization: Bearer <token>`, compared in constant time.
fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(bearer_token)
        .is_some_and(|presented| bool::from(presented.as_bytes().ct_eq(token.as_bytes())))
}
