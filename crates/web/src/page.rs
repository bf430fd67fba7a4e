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

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use domain::FieldErrors;
    use services::ServiceError;
    use tower::ServiceExt;

    use super::Page;

    async fn invalid() -> Page {
        let mut e = FieldErrors::default();
        e.add("amount", "Vul het bedrag in als getal, bijvoorbeeld 1.234,56.");
        Err(ServiceError::Invalid(e))?
    }

    async fn stale() -> Page {
        Err(ServiceError::Conflict)?
    }

    async fn not_allowed() -> Page {
        Err(ServiceError::NotAllowed("een ingediend deelplan kan niet worden gewijzigd".into()))?
    }

    /// A handler that only writes `?` answers a service's refusal with its status and Dutch message.
    #[tokio::test]
    async fn service_refusals_reach_the_page_through_question_mark_alone() {
        let app = Router::new()
            .route("/invalid", get(invalid))
            .route("/stale", get(stale))
            .route("/not-allowed", get(not_allowed));
        for (path, status, text) in [
            ("/invalid", StatusCode::UNPROCESSABLE_ENTITY, "Vul het bedrag in als getal, bijvoorbeeld 1.234,56."),
            ("/stale", StatusCode::CONFLICT, "Iemand anders heeft dit intussen gewijzigd"),
            ("/not-allowed", StatusCode::CONFLICT, "Een ingediend deelplan kan niet worden gewijzigd."),
        ] {
            let res = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(res.status(), status, "{path}");
            let page = String::from_utf8(to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
            assert!(page.contains(text), "{path}: {page}");
            assert!(page.contains("<h1"), "{path}: a whole Dutch page");
        }
    }
}
