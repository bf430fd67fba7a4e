//! The regulation check in the API: an application file checked against its regulation.

use crate::AppState;
use crate::api::ApiError;
use crate::api::ApiErrorBody;
use crate::api::FieldErrorDto;
use crate::api::Problem;
use crate::error::WebError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The check takes whole applications (20,000 budget lines are a few MiB), so it has its own body limit.
pub const CHECK_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Checks an application in the `sterk.application/1` format against its regulation: every rule
/// with its verdict, Dutch explanation, source and trace (see `docs/application-format.md`).
#[utoipa::path(post, path = "/api/v1/check", tag = "regeling",
    request_body(content = domain::regulation::application::Application, content_type = "application/json", description = "Een aanvraag in het formaat sterk.application/1"),
    responses(
        (status = 200, description = "Het rapport: regulation, phase, passed, totals en findings (elke regel)", body = domain::regulation::check::Report),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "Het bestand is onleesbaar; fields[0].field noemt het JSON-pad")))]
pub(crate) async fn check_application(State(st): State<AppState>, body: String) -> Response {
    use domain::regulation::check::CheckError;
    // Anyone may send a whole application (up to 16 MiB): checking it is CPU work for the pool,
    // against the regulations with the region maximum tables in force.
    let regulations = match services::maximums::all_in_force(&st.app).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let checked = match services::cpu::run(move || regulations.check_json(&body).map(|(report, _)| report)).await {
        Ok(checked) => checked,
        Err(e) => return ApiError::from(e).into_response(),
    };
    match checked {
        Ok(report) => Json(report).into_response(),
        Err(CheckError::Format(e)) => ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: ApiErrorBody {
                error: format!("De aanvraag is onleesbaar: {e}"),
                fields: vec![FieldErrorDto { field: e.path, message: e.message }],
            },
        }
        .into_response(),
        Err(e @ CheckError::Regulation(_)) => ApiError::from(WebError::Internal(e.to_string())).into_response(),
    }
}
