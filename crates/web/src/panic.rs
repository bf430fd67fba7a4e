//! The last line of defence: a panic in a handler answers 500 (the Dutch error page, or the API's
//! JSON error under `/api/`) and is logged, instead of dropping the connection.

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::FutureExt;

use crate::error::WebError;

pub async fn catch(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let route = format!("{} {path}", req.method());
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            crate::api::answer(WebError::Internal(format!("paniek in {route}: {what}")), &path)
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        let text = String::from("20€2026");
        let cut = text.len() - 5;
        text.get(..cut).map(|_| ()).unwrap_or_else(|| panic!("sliced inside a character"));
        "unreachable"
    }

    #[tokio::test]
    async fn a_panic_answers_500_in_dutch_and_the_server_goes_on() {
        let app = Router::new()
            .route("/pagina", get(boom))
            .route("/api/v1/iets", get(boom))
            .route("/goed", get(|| async { "goed" }))
            .layer(axum::middleware::from_fn(super::catch));
        let call = |path: &'static str| {
            let app = app.clone();
            async move {
                let res = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
                let status = res.status();
                (status, String::from_utf8(to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap())
            }
        };
        let (status, page) = call("/pagina").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(page.contains("Er ging iets mis"), "{page}");
        let (status, json) = call("/api/v1/iets").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let problem: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(problem["error"].as_str().unwrap().starts_with("Er ging aan onze kant iets mis"), "{json}");
        assert_eq!(problem["status"], 500, "problem details (RFC 9457): {json}");
        assert_eq!(call("/goed").await, (StatusCode::OK, "goed".to_owned()));
    }
}
