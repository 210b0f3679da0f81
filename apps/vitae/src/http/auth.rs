//! Authentication as an extractor: handlers that take a [`Principal`] are authenticated, and
//! every rejection is a problem document (401 with `WWW-Authenticate`, 403, 429 with
//! `Retry-After`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use uuid::Uuid;

use super::problem::{ApiError, ErrorCode};
use crate::auth::{self, Scope, Scopes};
use crate::state::AppState;

/// The caller: which tenant, which key, what it may do.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: Uuid,
    pub key_id: Uuid,
    pub scopes: Scopes,
    /// The request sent `Cache-Control: no-cache`: its reads go to the primary, so a client sees
    /// its own writes at once instead of whatever the read replica has replayed so far.
    pub reads_primary: bool,
}

impl Principal {
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::Forbidden).with_detail(format!("this API key lacks the `{}` scope", scope.as_str())))
        }
    }

    pub fn can(&self, scope: Scope) -> bool {
        self.scopes.allows(scope)
    }
}

fn unauthorized(detail: &str) -> ApiError {
    ApiError::new(ErrorCode::Unauthorized).with_detail(detail)
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("send an API key: Authorization: Bearer <key>"))?;
        let token = bearer_token(header).ok_or_else(|| unauthorized("the Authorization header must be `Bearer <key>`"))?;
        let presented = auth::parse(token).ok_or_else(|| unauthorized("invalid API key"))?;

        // Keys are read on the primary, so a revocation holds at once; while the primary is
        // unreachable, on the replica (if any), so searches and reads keep being served.
        let found = match vitae_repository::tenants::key_credentials(&state.pools.primary, presented.id).await {
            Err(vitae_repository::RepoError::Unavailable(_)) if state.config.read_database_url.is_some() => {
                vitae_repository::tenants::key_credentials(&state.pools.read, presented.id).await
            }
            other => other,
        };
        let credentials =
            found?.filter(|c| auth::verify(&presented, &c.secret_hash)).ok_or_else(|| unauthorized("invalid API key"))?;
        if credentials.revoked_at.is_some() {
            return Err(unauthorized("this API key has been revoked"));
        }
        if let Some(limiter) = &state.rate_limiter
            && let Err(not_until) = limiter.check_key(&presented.id)
        {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            return Err(ApiError::new(ErrorCode::RateLimited)
                .with_detail("this API key made too many requests; slow down")
                .retry_after(wait.as_secs().max(1)));
        }
        Ok(Principal {
            tenant_id: credentials.tenant_id,
            key_id: presented.id,
            scopes: Scopes::from_strings(&credentials.scopes),
            reads_primary: asks_no_cache(&parts.headers),
        })
    }
}

/// The token of an `Authorization: Bearer <token>` header value (the scheme in any case).
pub fn bearer_token(value: &HeaderValue) -> Option<&str> {
    let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether any `Cache-Control` header carries the `no-cache` directive (RFC 9111: directives are
/// comma-separated, case-insensitive, and may carry arguments).
fn asks_no_cache(headers: &axum::http::HeaderMap) -> bool {
    headers.get_all(header::CACHE_CONTROL).iter().filter_map(|v| v.to_str().ok()).any(|value| {
        value.split(',').any(|directive| {
            let name = directive.split('=').next().unwrap_or("").trim();
            name.eq_ignore_ascii_case("no-cache")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(header::CACHE_CONTROL, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn no_cache_is_found_among_other_directives_and_headers() {
        assert!(asks_no_cache(&headers(&["no-cache"])));
        assert!(asks_no_cache(&headers(&["max-age=0, No-Cache"])));
        assert!(asks_no_cache(&headers(&["max-age=0", "no-cache=\"set-cookie\""])));
        assert!(!asks_no_cache(&headers(&[])));
        assert!(!asks_no_cache(&headers(&["no-store, max-age=0"])));
        assert!(!asks_no_cache(&headers(&["no-cachex"])));
    }
}
