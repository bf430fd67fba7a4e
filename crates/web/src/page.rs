//! Rendering a page, and an error as a Dutch page with its status.

use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::error::WebError;
use crate::layout::Layout;

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::NotSignedIn = self {
            return Redirect::to("/inloggen").into_response();
        }
        self.page()
    }
}

impl WebError {
    /// The Dutch error page with its status (not being signed in too: a 401 page).
    pub fn page(self) -> Response {
        if let WebError::Internal(detail) = &self {
            tracing::error!("{detail}");
        }
        let (title, message) = self.message();
        let items = self.items();
        let page = ErrorPage { l: Layout::bare(title), title, message: &message, items: &items };
        let body = page.render().unwrap_or_else(|_| message.clone());
        let mut response = (self.status(), Html(body)).into_response();
        if matches!(self, WebError::RateLimited(_)) {
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("900"));
        }
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub l: Layout,
    pub title: &'a str,
    pub message: &'a str,
    /// (field or rule, message) pairs the error names one by one.
    pub items: &'a [(String, String)],
}

pub type Page = Result<Response, WebError>;

pub fn html(t: impl Template) -> Page {
    Ok(Html(t.render()?).into_response())
}
