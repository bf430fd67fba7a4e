//! Request ids and `/metrics`: an id on every answer (the proxy's when it is a plain token), and
//! requests counted by route pattern and status, also when a kept page answers.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use tower::ServiceExt;
use web::{AppState, WebConfig};

use crate::common::state;

async fn send(st: &AppState, path: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::builder().uri(path).header("host", "localhost");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = web::router(st.clone()).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, String::from_utf8_lossy(&to_bytes(body, usize::MAX).await.unwrap()).into_owned())
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_proxys_plain_id_is_kept() {
    let st = state().await;
    let (_, headers, _) = send(&st, "/regios", &[]).await;
    let made = headers["x-request-id"].to_str().unwrap().to_owned();
    let (_, headers, _) = send(&st, "/regios", &[]).await;
    let next = headers["x-request-id"].to_str().unwrap().to_owned();
    let (process, count) = made.split_once('-').expect("process and counter");
    assert!(process.len() == 16 && process.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
    assert!(next.starts_with(process) && next != made, "same process, a new number: {made} then {next}");
    assert!(u64::from_str_radix(count, 16).is_ok(), "{made}");
    let (_, headers, _) = send(&st, "/regios", &[("x-request-id", "nginx-0af3")]).await;
    assert_eq!(headers["x-request-id"], "nginx-0af3");
    let (_, headers, _) = send(&st, "/bestaat-niet", &[("x-request-id", "<script>")]).await;
    assert_ne!(headers["x-request-id"], "<script>", "an id that is not a plain token is replaced");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_are_closed_without_the_token() {
    let mut st = state().await;
    assert_eq!(send(&st, "/metrics", &[]).await.0, StatusCode::NOT_FOUND, "no token set: no /metrics here");
    st.config = Arc::new(WebConfig { metrics_token: Some("meet-geheim".into()), ..(*st.config).clone() });
    st.pages = Arc::new(web::pages::PageCache::enabled());
    for _ in 0..3 {
        assert_eq!(send(&st, "/regios/zuid-friesland", &[]).await.0, StatusCode::OK);
    }
    send(&st, "/bestaat-niet", &[]).await;
    assert_eq!(send(&st, "/metrics", &[]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&st, "/metrics", &[("authorization", "Bearer fout")]).await.0, StatusCode::UNAUTHORIZED);
    let (status, headers, text) = send(&st, "/metrics", &[("authorization", "Bearer meet-geheim")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    // Three answers, the later two from the page cache, all under the route's pattern.
    assert!(
        text.contains("sterk_http_requests_total{method=\"GET\",route=\"/regios/{slug}\",status=\"200\"} 3"),
        "{text}"
    );
    assert!(text.contains("route=\"(geen route)\",status=\"404\"} 1"), "the unknown address: {text}");
    assert!(
        text.contains("sterk_http_request_duration_seconds_bucket{le=\"0.001\",route=\"/regios/{slug}\"}"),
        "{text}"
    );
    assert!(text.contains("sterk_db_connections{state=\"idle\"}"), "{text}");
    assert!(text.contains("sterk_mail_messages{state=\"pending\"}"), "{text}");
}
