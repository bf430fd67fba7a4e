//! The web surface of Sterk: public pages, the signed-in management pages, and the JSON API.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

mod account;
mod admin;
mod api;
mod client;
mod content;
mod content_api;
mod download;
mod error;
mod execution;
mod execution_api;
mod form;
mod guard;
mod markdown;
mod monitor;
mod pages;
mod panic;
mod plans_api;
mod regulation;
mod rejection;
mod school_plans;
mod session;
mod statics;
mod upload;
mod views;
mod workspace;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use services::App;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use client::{Cidr, ForwardedHeader, parse_list as parse_trusted_proxies};
pub use error::WebError;

/// The largest request body accepted (forms and JSON; uploads will get their own limit).
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
}

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                   object-src 'none'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let public = Router::new()
        .route("/", get(pages::home))
        .route("/regios", get(pages::regions))
        .route("/regios/{slug}", get(pages::region))
        .route("/regios/{slug}/account-aanvragen", get(school_plans::request_form).post(school_plans::request_account))
        .route("/scholen", get(pages::schools))
        .route("/monitor", get(monitor::national))
        .route("/monitor.csv", get(monitor::national_csv))
        .route("/veranderingstheorie", get(monitor::theory))
        .route("/regios/{slug}/indicatoren.csv", get(monitor::region_csv))
        .route("/regeling", get(regulation::index))
        .route("/regeling/{id}", get(regulation::page))
        .route("/nieuws", get(content::news))
        .route("/nieuws.atom", get(content::news_atom))
        .route("/nieuws/{slug}", get(content::news_item))
        .route("/agenda", get(content::agenda))
        .route("/agenda.ics", get(content::agenda_ics))
        .route("/agenda/{slug}", get(content::agenda_item))
        .route("/webinars", get(content::webinars))
        .route("/webinars/{slug}", get(content::webinar_item))
        .route("/veelgestelde-vragen", get(content::faq))
        .route("/veelgestelde-vragen/{slug}", get(content::faq_item))
        .route("/documenten", get(content::documents))
        .route("/documenten/{slug}", get(content::document_item))
        .route("/documenten/{slug}/versies/{version}", get(content::file))
        .route("/inspiratie", get(content::inspiration))
        .route("/inspiratie/{slug}", get(content::inspiration_item))
        .route("/regios/{slug}/nieuws.atom", get(content::region_news_atom))
        .route("/regios/{slug}/agenda.ics", get(content::region_agenda_ics))
        .route("/zoeken", get(content::search))
        .route("/healthz", get(pages::healthz))
        .route("/static/{*path}", get(statics::serve));
    let account = Router::new()
        .route("/inloggen", get(account::login_form).post(account::login))
        .route("/uitloggen", post(account::logout))
        .route("/account/wachtwoord", get(account::password_form).post(account::change_password))
        .route("/account/sleutels", post(account::create_token))
        .route("/account/sleutels/{id}/intrekken", post(account::revoke_token))
        .route("/uitnodiging/{token}", get(account::invitation_form).post(account::accept_invitation));
    let beheer = Router::new()
        .route("/beheer", get(admin::dashboard))
        .route("/beheer/regios/nieuw", get(admin::new_region_form).post(admin::create_region))
        .route("/beheer/regios/{slug}", get(admin::region_form).post(admin::update_region_profile))
        .route("/beheer/regios/{slug}/identiteit", post(admin::update_region_identity))
        .route("/beheer/regios/{slug}/archiveren", post(admin::archive_region))
        .route("/beheer/regios/{slug}/herstellen", post(admin::restore_region))
        .route("/beheer/regios/{slug}/deelnemers", get(admin::members).post(admin::add_member))
        .route("/beheer/regios/{slug}/deelnemers/{org}/verwijderen", post(admin::remove_member))
        .route("/beheer/regios/{slug}/penvoerder", post(admin::set_lead_applicant))
        .route("/beheer/organisaties", get(admin::organisations))
        .route("/beheer/organisaties/nieuw", get(admin::new_organisation_form).post(admin::create_organisation))
        .route("/beheer/organisaties/{id}", get(admin::organisation_form_page).post(admin::update_organisation))
        .route("/beheer/gebruikers", get(admin::users).post(admin::invite))
        .route("/beheer/uitbak", get(school_plans::outbox))
        .route("/beheer/inhoud", get(content::editor_index))
        .route("/beheer/inhoud/nieuw", get(content::new_form).post(content::create))
        .route("/beheer/inhoud/{id}", get(content::edit_form).post(content::update))
        .route("/meldingen", get(school_plans::mine))
        .route("/regio/{slug}/uitvoering", get(execution::overview))
        .route("/regio/{slug}/uitvoering/mijlpalen", get(execution::milestones).post(execution::set_milestone))
        .route("/regio/{slug}/uitvoering/wijzigingen", get(execution::notices).post(execution::add_notice))
        .route("/regio/{slug}/uitvoering/wijzigingen/{id}/brief.pdf", get(execution::notice_pdf))
        .route("/regio/{slug}/uitvoering/{kind}", get(execution::records).post(execution::add))
        .route("/regio/{slug}/uitvoering/{kind}/{id}/verwijderen", post(execution::remove))
        .route("/regio/{slug}/uitvoering/{kind}/{id}/document", get(execution::document))
        .route("/regio/{slug}/verantwoording", get(execution::accountability).post(execution::save_accountability))
        .route("/regio/{slug}/verantwoording/{file}", get(execution::report_file))
        .route("/regio/{slug}/doelen", get(monitor::targets).post(monitor::set_target))
        .route("/regio/{slug}/deelplannen", get(school_plans::board))
        .route("/regio/{slug}/deelplannen/nieuw", get(school_plans::new_form).post(school_plans::create))
        .route("/regio/{slug}/deelplannen/accounts", get(school_plans::accounts))
        .route("/regio/{slug}/deelplannen/accounts/{id}", post(school_plans::decide))
        .route("/regio/{slug}/deelplannen/{id}", get(school_plans::page).post(school_plans::save))
        .route("/regio/{slug}/deelplannen/{id}/status", post(school_plans::transition))
        .route("/regio/{slug}/deelplannen/{id}/activiteiten", post(school_plans::add_activity))
        .route(
            "/regio/{slug}/deelplannen/{id}/activiteiten/{activity}/verwijderen",
            post(school_plans::remove_activity),
        )
        .route("/regio/{slug}/deelplannen/{id}/begroting", post(school_plans::add_line))
        .route("/regio/{slug}/deelplannen/{id}/begroting/{index}/verwijderen", post(school_plans::remove_line))
        .route("/regio/{slug}/deelplannen/{id}/bijlagen/{attachment}", get(school_plans::download))
        .route(
            "/regio/{slug}/deelplannen/{id}/bijlagen/{attachment}/verwijderen",
            post(school_plans::remove_attachment),
        )
        .route("/regio/{slug}/aanvragen", get(workspace::overview))
        .route("/regio/{slug}/aanvragen/{phase}", get(workspace::workspace))
        .route("/regio/{slug}/aanvragen/{phase}/starten", post(workspace::start))
        .route("/regio/{slug}/aanvragen/{phase}/visie", post(workspace::save_vision))
        .route("/regio/{slug}/aanvragen/{phase}/activiteiten", post(workspace::add_activity))
        .route("/regio/{slug}/aanvragen/{phase}/activiteiten/{id}", post(workspace::update_activity))
        .route("/regio/{slug}/aanvragen/{phase}/activiteiten/{id}/verwijderen", post(workspace::remove_activity))
        .route("/regio/{slug}/aanvragen/{phase}/begroting", post(workspace::add_line))
        .route("/regio/{slug}/aanvragen/{phase}/begroting/{index}", post(workspace::update_line))
        .route("/regio/{slug}/aanvragen/{phase}/begroting/{index}/verwijderen", post(workspace::remove_line))
        .route("/regio/{slug}/aanvragen/{phase}/overeenkomst", post(workspace::save_agreement))
        .route("/regio/{slug}/aanvragen/{phase}/indienen", post(workspace::submit))
        .route("/regio/{slug}/aanvragen/{phase}/export.json", get(workspace::export_json))
        .route("/regio/{slug}/aanvragen/{phase}/export.xlsx", get(workspace::export_xlsx))
        .route("/regio/{slug}/aanvragen/{phase}/export.pdf", get(workspace::export_pdf))
        .route("/regio/{slug}/aanvragen/{phase}/verschil/{from}/{to}", get(workspace::changes));
    let limited = Router::new()
        .merge(public)
        .merge(account)
        .merge(beheer)
        .nest("/api/v1", api::router())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    Router::new()
        .merge(api::large_router())
        .merge(limited)
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::csrf_guard))
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
        .with_state(state)
}

/// Serves until `shutdown` completes. Tests bind `127.0.0.1:0` and pass the listener in.
pub async fn serve_with_listener(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
