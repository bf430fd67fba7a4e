//! The web surface of Sterk: public pages, the signed-in management pages, and the JSON API.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

// Shared pieces, below every feature.
mod api;
mod assessment_view;
mod budget_form;
mod cards;
mod client;
mod download;
mod error;
mod flash;
mod form;
mod guard;
mod indicators;
mod layout;
mod map;
mod markdown;
pub mod observe;
mod page;
pub mod pages;
mod panic;
mod rejection;
mod session;
mod spam;
mod statics;

// Features, one folder each; none imports another.
mod account;
mod account_requests;
mod admin;
mod applications;
mod assessments;
mod contact;
mod content;
mod execution;
mod joining;
mod maximums;
mod monitoring;
mod notifications;
mod payments;
mod portfolio;
mod public;
mod regulation;
mod results;
mod school_plans;
mod statements;

// The route table and the API's description, over all features.
mod openapi;
mod routes;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use services::App;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

pub use client::{Cidr, ForwardedHeader, parse_list as parse_trusted_proxies};
pub use error::WebError;

/// The largest request body accepted for forms and JSON (uploads have their own limits: `routes::uploads`).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (on for anything but plain-HTTP loopback development and tests).
    pub secure_cookies: bool,
    /// How many migrations the database had applied at start-up (for `/healthz`).
    pub migrations_applied: usize,
    /// Reverse proxies whose header names the client (`STERK_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<Cidr>,
    /// The header those proxies write (`STERK_FORWARDED_HEADER`).
    pub forwarded_header: ForwardedHeader,
    /// The bearer token that opens `/metrics` on the main address (`STERK_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    /// Public pages kept for anonymous visitors (`pages::PageCache::enabled()` in the server).
    pub pages: Arc<pages::PageCache>,
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                   object-src 'none'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let pages = axum::middleware::from_fn_with_state(state.clone(), pages::serve);
    let observe = axum::middleware::from_fn_with_state(state.clone(), observe::observe);
    // Around the whole router rather than each route: a kept page is served past every layer
    // and route below, without cloning them for the request; every answer, kept or made, is
    // counted and carries its request id.
    Router::new().fallback_service(site(state)).layer(pages).layer(observe)
}

/// Serves only `/metrics`, without a token, until `shutdown`: for a separate address that only the
/// monitoring reaches (`STERK_METRICS_BIND`).
pub async fn serve_metrics(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = Router::new().route("/metrics", axum::routing::get(observe::metrics)).with_state(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Every route with its layers.
fn site(state: AppState) -> Router {
    routes::table()
        .layer(axum::middleware::from_fn_with_state(state.clone(), flash::clear_when_shown))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::csrf_guard))
        .layer(axum::middleware::from_fn(rejection::in_dutch))
        .layer(axum::middleware::from_fn(panic::catch))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        // Last, so the route is named on whatever answer the layers above made.
        .layer(axum::middleware::from_fn(observe::mark_route))
        .with_state(state)
}

/// Serves until `shutdown` completes. Tests bind `127.0.0.1:0` and pass the listener in.
pub async fn serve_with_listener(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if state.pages.is_enabled() {
        pages::spawn_refresher(state.clone());
    }
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
