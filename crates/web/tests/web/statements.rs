//! The statements: accessibility, privacy and open data, each answering with what it promises.

use axum::http::StatusCode;

use crate::common::{Client, state};

#[tokio::test]
async fn the_open_data_page_links_downloads_and_feeds_that_answer_as_it_says() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let page = visitor.get("/open-data").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Downloads voor Excel");
    // Decisions are open data from a date the regulation sets: no link before it.
    let reg = st.app.current_regulation().unwrap();
    assert!(!services::open_data::published(&st.app, reg).unwrap());
    assert!(!page.body.contains("decisions.csv"));
    let expected = [
        ("/monitor.csv?formaat=excel", "text/csv"),
        ("/nieuws.atom", "application/atom+xml"),
        ("/agenda.ics", "text/calendar"),
        ("/api/v1/openapi.json", "application/json"),
    ];
    for (href, content_type) in expected {
        page.assert_contains(&format!("href=\"{href}\""));
        let answer = visitor.get(href).await;
        assert_eq!(answer.status, StatusCode::OK, "{href}");
        assert!(answer.headers["content-type"].to_str().unwrap().starts_with(content_type), "{href}");
    }
    assert!(visitor.get("/").await.body.contains("<a class=\"utrecht-link\" href=\"/open-data\">Open data en API</a>"));
}

#[tokio::test]
async fn the_accessibility_statement_says_what_the_tests_check_and_what_pdfs_meet() {
    let mut visitor = Client::new(state().await);
    let page = visitor.get("/toegankelijkheid").await;
    page.assert_contains("Nu HTML Checker");
    page.assert_contains("PDF/UA-1 en PDF/A-2a");
}
