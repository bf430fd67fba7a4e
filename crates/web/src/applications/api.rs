//! Applications in the API: the draft, submission, versions and exports.

use crate::AppState;
use crate::api::ApiCtx;
use crate::api::ApiError;
use crate::api::Problem;
use crate::api::etag;
use crate::api::if_match;
use crate::api::invalid;
use crate::error::WebError;
use crate::session::Ctx;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::FieldErrors;
use serde::{Deserialize, Serialize};
use services::documents::Format;
use utoipa::ToSchema;

/// The region's draft application for a phase, in the `sterk.application/1` format.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path, description = "vooraanmelding, hoofdlijnen, uitwerking-2025-2026 of uitwerking-2027-2028")),
    responses((status = 200, description = "De aanvraag in het formaat sterk.application/1 (docs/application-format.md); de ETag is de versie", body = domain::regulation::application::Application), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn get_application(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (application, version) = services::applications::get(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok((etag(version), Json(application)).into_response())
}

/// Replaces the draft (starting it when there is none). `If-Match` names the version it builds on; a stale one answers 409.
#[utoipa::path(put, path = "/api/v1/regions/{slug}/applications/{phase}", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path), ("If-Match" = String, Header)),
    request_body(content = domain::regulation::application::Application, content_type = "application/json", description = "De aanvraag in het formaat sterk.application/1"),
    responses((status = 200, description = "Opgeslagen; de ETag is de nieuwe versie", body = SavedDto), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"), (status = 428, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn put_application(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    _may: crate::guard::EditsApplication,
    body: String,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let application = domain::regulation::application::Application::from_json(&body).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.add(&e.path, e.message);
        invalid(errors)
    })?;
    services::applications::start(&st.app, &ctx.actor, &slug, &phase).await?;
    let version = services::applications::save(&st.app, &ctx.actor, &slug, &phase, expected, application).await?;
    Ok((etag(version), Json(SavedDto { version })).into_response())
}

/// The version a save made.
#[derive(Serialize, ToSchema)]
pub struct SavedDto {
    version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    pub(crate) number: i64,
    pub(crate) sha256: String,
    pub(crate) submitted_at: String,
    pub(crate) submitted_by: String,
}

impl From<services::applications::VersionInfo> for VersionDto {
    fn from(v: services::applications::VersionInfo) -> Self {
        VersionDto {
            number: v.number,
            sha256: v.sha256,
            submitted_at: jiff::Timestamp::from_millisecond(v.submitted_at).map(|t| t.to_string()).unwrap_or_default(),
            submitted_by: v.submitted_by,
        }
    }
}

/// Submits the draft: refused (422, with the failing rules) while a blocking rule fails; else a frozen version with its SHA-256.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/submit", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path), ("If-Match" = String, Header)),
    responses((status = 201, body = VersionDto), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn submit_application(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<(StatusCode, Json<VersionDto>), ApiError> {
    if !ctx.actor.is_signed_in() {
        return Err(WebError::NotSignedIn.into());
    }
    let expected = if_match(&headers)?;
    let v = services::applications::submit(&st.app, &ctx.actor, &slug, &phase, expected).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// The submitted versions of a region's application, oldest first.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/versions", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)),
    responses((status = 200, body = [VersionDto]), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub(crate) async fn application_versions(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Json<Vec<VersionDto>>, ApiError> {
    let list = services::applications::versions(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(Json(list.into_iter().map(VersionDto::from).collect()))
}

/// The budget workbook (XLSX): one sheet per year, a summary and a co-financing sheet.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/export.xlsx", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "De werkmap")))]
pub(crate) async fn export_xlsx(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    file(&st, &ctx, (&slug, &phase), 0, Format::Xlsx).await
}

/// The whole application as a PDF (cover with region, phase and version hash; vision; activities; budget; checks).
/// `?versie=N` gives a submitted version; without it the current draft.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/export.pdf", tag = "aanvragen", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path), ("versie" = Option<i64>, Query)),
    responses((status = 200, content_type = "application/pdf", description = "Het PDF-document")))]
pub(crate) async fn export_pdf(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, ApiError> {
    file(&st, &ctx, (&slug, &phase), q.versie.unwrap_or(0), Format::Pdf).await
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    pub(crate) versie: Option<i64>,
}

/// The application as a file, from the one use case every surface calls.
async fn file(st: &AppState, ctx: &Ctx, of: (&str, &str), number: i64, format: Format) -> Result<Response, ApiError> {
    let d = services::documents::application(&st.app, &ctx.actor, of, number, format).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, d.content_type)], d.bytes).into_response())
}
