//! Every request observed: a request id (the proxy's `X-Request-Id` when it is a plain token, else
//! a new one) in every log line written while answering and in the response's `X-Request-Id`,
//! and the request counted by route and status, with its time, for `/metrics`.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The route that answered (its pattern), carried on the response to the outermost layer; a
/// kept page carries the route that made it.
#[derive(Clone, Debug)]
pub struct Route(pub Arc<str>);

/// Inside the router: names the route on its response. The pattern is interned once per route,
/// so naming a response costs a reference count, not an allocation.
pub async fn mark_route(matched: Option<MatchedPath>, req: Request, next: Next) -> Response {
    let route = matched.map(|m| Route(intern(m.as_str())));
    let mut response = next.run(req).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Outermost: the request id, the span every log line of the request is written in, the count.
pub async fn observe(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(req.headers());
    let method = req.method().clone();
    // Not the address: one may hold a secret (an invitation's token). The route's pattern is
    // known only at the end, so it goes on the closing line, not the span.
    let span = tracing::info_span!("request", id = %id.to_str().unwrap_or_default(), %method);
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let route = response.extensions().get::<Route>().map_or_else(|| intern("(geen route)"), |r| r.0.clone());
    st.app.metrics.request(method.as_str(), &route, status, started);
    span.in_scope(|| tracing::debug!(route = &*route, status, ms = started.elapsed().as_millis() as u64, "answered"));
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// The one shared copy of a route pattern (the set is the router's, so it stays small).
fn intern(route: &str) -> Arc<str> {
    static ROUTES: LazyLock<RwLock<HashSet<Arc<str>>>> = LazyLock::new(Default::default);
    if let Some(known) = ROUTES.read().unwrap_or_else(PoisonError::into_inner).get(route) {
        return known.clone();
    }
    let mut routes = ROUTES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = routes.get(route) {
        return known.clone();
    }
    let new: Arc<str> = Arc::from(route);
    routes.insert(new.clone());
    new
}

/// The proxy's id when it is 1 to 64 letters, digits, `-`, `_` or `.`; else a new UUID.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(&REQUEST_ID)
        .filter(|v| {
            let b = v.as_bytes();
            (1..=64).contains(&b.len()) && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        })
        .cloned()
        .unwrap_or_else(|| {
            // Handed over, not copied: the id's bytes become the header's.
            HeaderValue::from_maybe_shared(axum::body::Bytes::from(services::metrics::new_request_id()))
                .unwrap_or_else(|_| HeaderValue::from_static("onbekend"))
        })
}

/// `/metrics` on the main address: only with `Authorization: Bearer <STERK_METRICS_TOKEN>`; without
/// a token set it does not exist there (see `metrics_router` for a separate address).
pub async fn metrics_with_token(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = st.config.metrics_token.as_deref() else { return StatusCode::NOT_FOUND.into_response() };
    let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    // Compared as hashes: the time taken does not depend on how much of the token was right.
    let same = sent.is_some_and(|s| Sha256::digest(s.trim().as_bytes()) == Sha256::digest(expected.trim().as_bytes()));
    if !same {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    metrics(State(st)).await
}

/// The metrics in Prometheus's text format.
pub async fn metrics(State(st): State<AppState>) -> Response {
    let body = st.app.metrics.render(&st.app).await;
    (
        [
            (header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
