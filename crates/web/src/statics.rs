//! Static files, embedded in the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    ("sterk.css", "text/css; charset=utf-8", include_bytes!("../static/sterk.css")),
    (
        "vendor/utrecht/component-library.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/vendor/utrecht/component-library.css"),
    ),
    (
        "vendor/voorbeeld-design-tokens/theme.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/vendor/voorbeeld-design-tokens/theme.css"),
    ),
    ("favicon.svg", "image/svg+xml", include_bytes!("../static/favicon.svg")),
    ("vendor/htmx/htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../static/vendor/htmx/htmx.min.js")),
    ("sterk.js", "text/javascript; charset=utf-8", include_bytes!("../static/sterk.js")),
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Bestand niet gevonden").into_response(),
    }
}
