//! Errors of the web layer, mapped to Dutch pages and proper status codes.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use services::ServiceError;

use crate::views::{ErrorPage, Layout};

#[derive(Debug)]
pub enum WebError {
    NotFound,
    Forbidden,
    NotSignedIn,
    Csrf,
    SessionExpired,
    TooLarge,
    /// A form or file that broke off or is not multipart.
    BadUpload,
    /// Text with a NUL character, which nothing stores.
    Nul,
    BadToken,
    RateLimited(u64),
    Internal(String),
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Denied(domain::Denied::NotSignedIn) => WebError::NotSignedIn,
            ServiceError::Denied(domain::Denied::Forbidden) => WebError::Forbidden,
            ServiceError::RateLimited(m) => WebError::RateLimited(m),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::Csrf | WebError::SessionExpired => StatusCode::FORBIDDEN,
            WebError::NotSignedIn | WebError::BadToken => StatusCode::UNAUTHORIZED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::BadUpload | WebError::Nul => StatusCode::BAD_REQUEST,
            WebError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A Dutch title and explanation for people.
    pub fn message(&self) -> (&'static str, String) {
        match self {
            WebError::NotFound => ("Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres, of zoek de regio via het overzicht.".into()),
            WebError::Forbidden => ("Geen toegang", "U hebt geen rechten voor deze pagina of handeling. Denkt u dat dit niet klopt? Neem contact op met de programmamanager van uw regio.".into()),
            WebError::NotSignedIn => ("Inloggen nodig", "Log in om verder te gaan.".into()),
            WebError::Csrf => ("Verzoek geweigerd", "Dit formulier kon niet worden gecontroleerd. Laad de pagina opnieuw en probeer het nog eens.".into()),
            WebError::SessionExpired => ("Sessie verlopen", "Uw sessie is verlopen. Laad de pagina opnieuw en probeer het nog eens.".into()),
            WebError::TooLarge => ("Te veel gegevens", "Het verzoek is te groot. Verstuur minder tekst of een kleiner bestand (uploads: hoogstens 10 MiB).".into()),
            WebError::Nul => ("Ongeldig teken", format!("{}.", domain::validation::capitalise(domain::validation::NUL_MESSAGE))),
            WebError::BadUpload => ("Niet goed aangekomen", "Het formulier of bestand kwam niet goed aan. Kies het bestand opnieuw en probeer het nog eens.".into()),
            WebError::BadToken => ("Ongeldige sleutel", "De API-sleutel is onbekend of ingetrokken.".into()),
            WebError::RateLimited(m) => ("Te veel pogingen", format!("Er is te vaak geprobeerd in te loggen. Probeer het over {m} minuten opnieuw.")),
            WebError::Internal(_) => ("Er ging iets mis", "Er ging aan onze kant iets mis. Probeer het later opnieuw; blijft het misgaan, meld het dan aan de beheerder.".into()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::NotSignedIn = self {
            return Redirect::to("/inloggen").into_response();
        }
        self.page()
    }
}

impl WebError {
    /// The answer for a request to `path`: the API's JSON error under `/api/`, else the page.
    pub fn answer(self, path: &str) -> Response {
        if path.starts_with("/api/") { crate::api::ApiError::from(self).into_response() } else { self.page() }
    }

    /// The Dutch error page with its status (not being signed in too: a 401 page).
    pub fn page(self) -> Response {
        if let WebError::Internal(detail) = &self {
            tracing::error!("{detail}");
        }
        let (title, message) = self.message();
        let page = ErrorPage { l: Layout::bare(title), title, message: &message };
        let body = page.render().unwrap_or_else(|_| message.clone());
        let mut response = (self.status(), Html(body)).into_response();
        if matches!(self, WebError::RateLimited(_)) {
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("900"));
        }
        response
    }
}
