//! The framework's own refusals (a body past the limit, a form or JSON it could not read, a
//! method a route does not take) come as English plain text; every one leaves Sterk as a Dutch
//! page, or as the API's problem details under `/api/`, with its status kept.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::error::WebError;
use crate::page::ErrorPage;

pub async fn in_dutch(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    // A NUL in the address reaches lookups and searches; nothing Sterk serves has one.
    if req.uri().path_and_query().is_some_and(|pq| pq.as_str().to_ascii_lowercase().contains("%00")) {
        return crate::api::answer(WebError::Nul, req.uri().path());
    }
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let (title, message) = explain(status);
    let mut dutch = if api {
        let body = crate::api::ApiErrorBody { error: message.to_owned(), fields: Vec::new() };
        crate::api::ApiError { status, body }.into_response()
    } else {
        let page = ErrorPage { l: crate::layout::Layout::bare(title), title, message, items: &[] };
        let body = askama::Template::render(&page).unwrap_or_else(|_| message.to_owned());
        (status, Html(body)).into_response()
    };
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            dutch.headers_mut().insert(name, v.clone());
        }
    }
    dutch
}

fn explain(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Te veel gegevens",
            "Het verzoek is te groot: formulieren hoogstens 256 KiB, uploads hoogstens 10 MiB, aanvragen hoogstens 16 MiB.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ("Niet toegestaan", "Dit adres kan niet op deze manier worden gebruikt."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Onbekend formaat",
            "Het verzoek heeft een formaat dat dit adres niet leest (verwacht een formulier, JSON of een bestand).",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => ("Ongeldige invoer", "De verstuurde gegevens konden niet worden gelezen."),
        StatusCode::NOT_FOUND => ("Pagina niet gevonden", "Deze pagina bestaat niet (meer)."),
        _ => (
            "Verzoek niet gelezen",
            "Het verzoek kon niet worden gelezen (bijvoorbeeld tekens die geen UTF-8 zijn). Controleer de invoer en probeer het opnieuw.",
        ),
    }
}
