//! Static files, embedded in the binary.

use axum::extract::{Path, Query};
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

/// Each file's content hash (hex, shortened): its address carries it, so a changed file gets a
/// new address and an unchanged one can be kept by browsers for a year.
fn hash_of(name: &str) -> Option<&'static str> {
    static HASHES: std::sync::LazyLock<Vec<(&'static str, String)>> = std::sync::LazyLock::new(|| {
        FILES
            .iter()
            .map(|(name, _, body)| {
                let digest = <sha2::Sha256 as sha2::Digest>::digest(body);
                (*name, digest.iter().take(6).map(|b| format!("{b:02x}")).collect())
            })
            .collect()
    });
    HASHES.iter().find(|(n, _)| *n == name).map(|(_, h)| h.as_str())
}

/// The address of a static file with its content hash (`/static/sterk.css?v=…`).
pub fn url(name: &str) -> String {
    match hash_of(name) {
        Some(hash) => format!("/static/{name}?v={hash}"),
        None => format!("/static/{name}"),
    }
}

#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn serve(Path(path): Path<String>, Query(version): Query<Version>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((name, mime, body)) => {
            let current = version.v.is_some_and(|v| Some(v.as_str()) == hash_of(name));
            let cache = if current { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                    (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
                ],
                *body,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "Bestand niet gevonden").into_response(),
    }
}
