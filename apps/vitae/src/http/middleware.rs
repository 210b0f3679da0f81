//! The layers around every route: request ids, tracing, limits, and the guarantee that every error
//! leaves as `application/problem+json` (axum's own rejections are plain text; this renders them).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use http_body::Body as _;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::problem::{ApiError, ErrorCode, PROBLEM_JSON, Problem};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Error bodies larger than this are not rewritten (none of ours comes close).
const MAX_ERROR_BODY: usize = 64 * 1024;

pub fn wrap(routes: Router, state: &AppState) -> Router {
    let config = &state.config;
    routes.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default();
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id = %request_id,
                )
            }))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(from_fn(crate::metrics::track_requests))
            .layer(cors(&config.cors_origins))
            .layer(from_fn(render_problems))
            .layer(from_fn(request_limits))
            .layer(from_fn_with_state(Timeouts { request: config.request_timeout, import: config.import_timeout }, time_limit))
            .layer(axum::extract::DefaultBodyLimit::max(config.body_limit_bytes))
            .layer(CatchPanicLayer::custom(|_| ApiError::internal("handler panicked").into_response())),
    )
}

/// Browsers may call the API from the configured origins only (none by default). Preflights are
/// answered; the headers the API reads and sets are allowed and exposed.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::CACHE_CONTROL, REQUEST_ID])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER, REQUEST_ID])
        .max_age(Duration::from_secs(600))
}

/// Unknown routes answer 404 problem+json.
pub async fn fallback_not_found() -> ApiError {
    ApiError::not_found().with_detail("no such route")
}

/// The longest URL (path and query) and the largest header block the service reads; longer
/// ones are refused with a problem document (hyper's own limits are set well above these).
/// The URL limit sits above the longest URL the schema allows (list filters of 1,000 characters,
/// percent-encoded, are up to 12 KB each) and below hyper's own 64 KiB.
pub const MAX_URI_BYTES: usize = 60 * 1024;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses an over-long URL (414) or header block (431) before anything reads them.
async fn request_limits(request: Request, next: Next) -> Result<Response, ApiError> {
    let uri = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri > MAX_URI_BYTES {
        return Err(ApiError::new(ErrorCode::UriTooLong).with_detail(format!(
            "the URL is {uri} bytes; at most {MAX_URI_BYTES} are read (send long queries in a POST body)"
        )));
    }
    let headers: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if headers > MAX_HEADER_BYTES {
        return Err(ApiError::new(ErrorCode::HeadersTooLarge)
            .with_detail(format!("the headers are {headers} bytes; at most {MAX_HEADER_BYTES} are read")));
    }
    Ok(next.run(request).await)
}

/// Makes every error response a problem document carrying the request id. An error sent before
/// the request's body was read to its end says `Connection: close`: the server cannot read the
/// next request on that connection, so it tells the client rather than closing on it silently.
async fn render_problems(request: Request, next: Next) -> Response {
    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (request, body_read) = track_body(request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    if !body_read.load(Ordering::Acquire) {
        parts.headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    let is_problem = parts.headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let bytes = to_bytes(body, MAX_ERROR_BODY).await.unwrap_or_default();

    let mut problem: serde_json::Value = if is_problem {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| problem_for(status, None))
    } else {
        // A plain-text rejection from axum or a layer: keep its message for 4xx (it says what was
        // wrong with the request, e.g. where the JSON broke); never for 5xx.
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        let detail = (status.is_client_error() && !text.is_empty()).then_some(text);
        problem_for(status, detail)
    };
    if let (Some(id), Some(object)) = (request_id, problem.as_object_mut()) {
        object.insert("request_id".into(), id.into());
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    if status == StatusCode::UNAUTHORIZED {
        parts.headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    Response::from_parts(parts, Body::from(body))
}

/// The request with its body wrapped to note when it has been read to the end (at once for a
/// request without one).
fn track_body(request: Request) -> (Request, Arc<AtomicBool>) {
    let (parts, body) = request.into_parts();
    let read = Arc::new(AtomicBool::new(body.is_end_stream()));
    let tracked = TrackedBody { inner: body, read: Arc::clone(&read) };
    (Request::from_parts(parts, Body::new(tracked)), read)
}

struct TrackedBody {
    inner: Body,
    read: Arc<AtomicBool>,
}

impl http_body::Body for TrackedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.read.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

fn problem_for(status: StatusCode, detail: Option<String>) -> serde_json::Value {
    let code = match status {
        StatusCode::BAD_REQUEST => ErrorCode::MalformedRequest,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::CONFLICT => ErrorCode::Conflict,
        StatusCode::PRECONDITION_FAILED => ErrorCode::PreconditionFailed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::URI_TOO_LONG => ErrorCode::UriTooLong,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ErrorCode::HeadersTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::ValidationFailed,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => ErrorCode::Timeout,
        s if s.is_client_error() => ErrorCode::MalformedRequest,
        _ => ErrorCode::Internal,
    };
    let mut error = ApiError::new(code);
    error.detail = detail;
    let mut problem: Problem = error.to_problem(None);
    // Keep the real status (e.g. 408 or 504) even where the code groups it with others.
    problem.status = status.as_u16();
    serde_json::to_value(problem).unwrap_or_default()
}

#[derive(Clone, Copy)]
struct Timeouts {
    request: Duration,
    import: Duration,
}

/// Bounds the work of each request: past its limit it is answered 503 with `Retry-After` (and
/// its transaction rolls back). Bulk imports get a limit of their own.
async fn time_limit(axum::extract::State(limits): axum::extract::State<Timeouts>, request: Request, next: Next) -> Response {
    let limit = if request.uri().path().ends_with(":import") { limits.import } else { limits.request };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(ErrorCode::Timeout)
            .with_detail(format!("the request took longer than {} s", limit.as_secs()))
            .retry_after(1)
            .into_response(),
    }
}
