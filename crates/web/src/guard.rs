//! Checks that run before a request's body is read: the CSRF guard on every state change, and
//! authorisation: each upload or large-body handler
//! names one of these extractors before its body extractor, so a caller who may not do the
//! thing gets 401/403 (or 404) while the upload is still unread on the wire.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use services::ServiceError;

use crate::AppState;
use crate::error::WebError;
use crate::session::{Ctx, STATELESS_POSTS, bearer, check_csrf, is_safe};

/// A refusal: a Dutch page, or the API's JSON error under `/api/`. Not being signed in is a
/// 401 here rather than a redirect, so no client mistakes it for an accepted upload.
pub struct Refusal(Response);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        self.0
    }
}

fn refuse(path: &str) -> impl FnOnce(WebError) -> Refusal + '_ {
    move |error| {
        let mut response = crate::api::answer(error, path);
        if response.status().is_redirection() {
            *response.status_mut() = StatusCode::UNAUTHORIZED;
        }
        Refusal(response)
    }
}

/// The caller and the named path parameters, or the refusal for a failure.
async fn caller(parts: &mut Parts, state: &AppState) -> Result<(Ctx, HashMap<String, String>, String), Refusal> {
    let path = parts.uri.path().to_owned();
    let ctx = Ctx::from_request_parts(parts, state).await.map_err(refuse(&path))?;
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| refuse(&path)(WebError::NotFound))?;
    Ok((ctx, params, path))
}

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> &'a str {
    params.get(name).map_or("", String::as_str)
}

/// A guard: an extractor that asks `$authorize` about the path parameter `$param`.
macro_rules! guard {
    ($(#[$doc:meta])* $name:ident, $param:literal, $authorize:path) => {
        $(#[$doc])*
        pub struct $name;

        impl FromRequestParts<AppState> for $name {
            type Rejection = Refusal;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
                let (ctx, params, path) = caller(parts, state).await?;
                $authorize(&state.app, &ctx.actor, param(&params, $param))
                    .await
                    .map_err(|e: ServiceError| refuse(&path)(e.into()))?;
                Ok($name)
            }
        }
    };
}

guard!(
    /// The caller may change the applications of the region `{slug}`.
    EditsApplication,
    "slug",
    services::applications::authorize_edit
);
guard!(
    /// The caller may change the school plan `{id}`.
    WritesPlan,
    "id",
    services::school_plans::authorize_write
);
guard!(
    /// The caller may record work or contributions in the region `{slug}`.
    RecordsWork,
    "slug",
    services::execution::authorize_record
);
guard!(
    /// The caller is the funder's staff (scores, advice, decision, payments) in the region `{slug}`.
    Assesses,
    "slug",
    services::assessments::authorize_assess
);
guard!(
    /// The caller takes steps in the assessment of the region `{slug}`'s applications.
    StepsAssessment,
    "slug",
    services::assessments::authorize_step
);
guard!(
    /// The caller keeps the payment register (the funder's staff).
    KeepsPayments,
    "slug",
    services::payments::authorize_keep
);
guard!(
    /// The caller keeps the region maximum table (the national team).
    EditsMaximums,
    "slug",
    services::maximums::authorize_edit
);
guard!(
    /// The caller may edit the knowledge-base item `{id}`.
    EditsContent,
    "id",
    services::content::authorize_edit
);

/// Refuses cross-site and token-less state changes. API calls with a bearer token carry no
/// cookies and so cannot be forged by a browser; they pass straight through.
pub async fn csrf_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let stateless = STATELESS_POSTS.contains(&req.uri().path());
    if is_safe(req.method()) || bearer(req.headers()).is_some() || stateless {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    match check_csrf(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => crate::api::answer(e, &path),
    }
}
