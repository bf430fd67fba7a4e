//! The JSON API under `/api/v1`, described by an OpenAPI document at `/api/v1/openapi.json`.
//! Reads are public; writes need a bearer token, or a session plus the `X-CSRF-Token` header.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::FieldErrors;
use serde::Serialize;
use services::ServiceError;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::WebError;
use crate::session::Ctx;

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub(crate) field: String,
    pub(crate) message: String,
}

/// An error as the handlers phrase it: a Dutch message, and for invalid input the fields it
/// concerns. It goes out as a `Problem`.
pub struct ApiErrorBody {
    pub(crate) error: String,
    pub(crate) fields: Vec<FieldErrorDto>,
}

/// Every error, as problem details (RFC 9457, `application/problem+json`): `type`, `title`,
/// `status` and `detail`, plus `error` (the same Dutch explanation as `detail`, as earlier
/// versions answered) and, for invalid input, the `fields` it concerns.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    kind: &'static str,
    /// A short Dutch title for the status.
    title: &'static str,
    status: u16,
    /// The Dutch explanation.
    detail: String,
    /// The same explanation as `detail`.
    error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldErrorDto>,
}

pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: ApiErrorBody,
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        if let WebError::Internal(detail) = &e {
            tracing::error!("{detail}");
        }
        let fields = e.items().into_iter().map(|(field, message)| FieldErrorDto { field, message }).collect();
        let error = match e {
            // The API's own wording, kept as clients know it.
            WebError::Invalid(_) => "Ongeldige invoer.".into(),
            WebError::Conflict => "Iemand anders heeft dit intussen gewijzigd; haal de nieuwste versie op.".into(),
            WebError::NotAllowed(ref m) => m.clone(),
            _ => e.message().1,
        };
        ApiError { status: e.status(), body: ApiErrorBody { error, fields } }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        WebError::from(e).into()
    }
}

impl ApiError {
    /// 422 with one field's Dutch message.
    pub fn invalid_field(field: &str, message: &str) -> ApiError {
        let mut e = FieldErrors::default();
        e.add(field, message);
        invalid(e)
    }
}

pub(crate) fn invalid(errors: FieldErrors) -> ApiError {
    WebError::Invalid(errors).into()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: "about:blank",
            title: title(self.status),
            status: self.status.as_u16(),
            detail: self.body.error.clone(),
            error: self.body.error,
            fields: self.body.fields,
        };
        let mut response = (self.status, Json(problem)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
        }
        response
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A short Dutch title per status, for the problem's `title`.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Ongeldig verzoek",
        401 => "Inloggen nodig",
        403 => "Geen toegang",
        404 => "Niet gevonden",
        405 => "Methode niet toegestaan",
        409 => "Conflict",
        413 => "Te groot",
        415 => "Verkeerd formaat",
        422 => "Ongeldige invoer",
        428 => "Versie ontbreekt",
        429 => "Te veel verzoeken",
        500..=599 => "Er ging iets mis",
        _ => "Fout",
    }
}

/// The caller, with JSON errors instead of pages.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ctx::from_request_parts(parts, state).await.map(ApiCtx).map_err(ApiError::from)
    }
}

/// A JSON body whose parse errors answer in Dutch.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::Bytes::from_request(axum::extract::Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|r| ApiError {
                status: r.status(),
                body: ApiErrorBody { error: WebError::TooLarge.message().1, fields: Vec::new() },
            })?;
        if domain::validation::has_nul(&String::from_utf8_lossy(&bytes)) {
            let error = format!("De JSON kon niet worden gelezen: {}.", domain::validation::NUL_MESSAGE);
            return Err(ApiError { status: StatusCode::BAD_REQUEST, body: ApiErrorBody { error, fields: Vec::new() } });
        }
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(ApiError {
                status: rejection.status(),
                body: ApiErrorBody {
                    error: format!("De JSON kon niet worden gelezen: {}", rejection.body_text()),
                    fields: Vec::new(),
                },
            }),
        }
    }
}

/// The version an `If-Match: "<n>"` header names.
pub(crate) fn if_match(headers: &axum::http::HeaderMap) -> Result<i64, ApiError> {
    headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().trim_matches('"').parse().ok())
        .ok_or(ApiError {
            status: StatusCode::PRECONDITION_REQUIRED,
            body: ApiErrorBody {
                error: "Geef de versie waarop de wijziging voortbouwt mee in If-Match (de ETag van de laatste GET)."
                    .into(),
                fields: Vec::new(),
            },
        })
}

pub(crate) fn etag(version: i64) -> [(axum::http::HeaderName, String); 1] {
    [(axum::http::header::ETAG, format!("\"{version}\""))]
}

/// The answer to `error` for a request to `path`: the API's JSON error under `/api/`, else the page.
pub fn answer(error: WebError, path: &str) -> Response {
    if path.starts_with("/api/") { ApiError::from(error).into_response() } else { error.page() }
}
