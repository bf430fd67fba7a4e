//! The execution API under `/api/v1/regions/{slug}/`: hours, costs, assets and contributions
//! (read, add one or many at once, remove), milestones, the realisation, the settlement and the
//! reports. Amounts are decimal strings; dates `YYYY-MM-DD`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::execution::RecordKind;
use serde::{Deserialize, Serialize};
use services::execution::{self as exec, Record, ReportFormat};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::Problem;
use crate::api::{ApiCtx, ApiError, ApiJson};
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct RecordDto {
    pub(crate) id: String,
    /// The record: for hours `person, organisation, activity, date, hours, rate_eur, external, note`; for costs
    /// `invoice_number, invoice_date, supplier, description, category, activity, organisation, amount_eur, vat_eur,
    /// vat_recoverable`; for assets `description, activity, organisation, purchase_date, purchase_price_eur,
    /// life_months, project_share`; for contributions `company, activity, date, kind (cash|in-kind), amount_eur,
    /// basis, evidence`.
    #[schema(value_type = Object)]
    pub(crate) record: serde_json::Value,
    pub(crate) created_by: Option<String>,
}

fn signed_in(ctx: &crate::session::Ctx) -> Result<(), ApiError> {
    if ctx.actor.is_signed_in() { Ok(()) } else { Err(WebError::NotSignedIn.into()) }
}

fn inner(r: &Record) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("record");
    }
    v
}

/// The region's records of one kind that the caller may see.
#[utoipa::path(get, operation_id = "list_records", path = "/api/v1/regions/{slug}/{kind}", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path), ("kind" = String, Path, description = "hours, costs, assets of contributions")),
    responses((status = 200, body = [RecordDto]), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, kind)): Path<(String, String)>,
) -> Result<Json<Vec<RecordDto>>, ApiError> {
    signed_in(&ctx)?;
    let want = RecordKind::from_api_path(&kind).ok_or(WebError::NotFound)?;
    let ledger = exec::ledger(&st.app, &ctx.actor, &slug).await?;
    Ok(Json(
        ledger
            .entries
            .into_iter()
            .filter(|e| e.record.kind() == want)
            .map(|e| RecordDto { id: e.id, record: inner(&e.record), created_by: e.created_by })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AddedDto {
    pub(crate) ids: Vec<String>,
    pub(crate) count: usize,
}

/// Adds one record (an object) or many (an array), all or nothing: 422 names every item that is wrong.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/{kind}", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path), ("kind" = String, Path)),
    request_body(content = serde_json::Value, content_type = "application/json", description = "Eén record of een lijst (velden zoals bij RecordDto.record)"),
    responses((status = 201, body = AddedDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, kind)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let want = RecordKind::from_api_path(&kind).ok_or(WebError::NotFound)?;
    let items = match body {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let mut labelled = Vec::with_capacity(items.len());
    let mut errors = domain::FieldErrors::default();
    for (i, mut item) in items.into_iter().enumerate() {
        if let Some(o) = item.as_object_mut() {
            o.insert("record".into(), want.api_name().into());
        }
        match serde_json::from_value::<Record>(item) {
            Ok(r) => labelled.push((format!("regel {}", i + 1), r)),
            Err(e) => errors.add(&format!("regel {}", i + 1), format!("regel {}: {e}", i + 1)),
        }
    }
    if !errors.is_empty() {
        return Err(services::ServiceError::Invalid(errors).into());
    }
    let ids = exec::add_all(&st.app, &ctx.actor, &slug, labelled, None).await?;
    Ok((StatusCode::CREATED, Json(AddedDto { count: ids.len(), ids })).into_response())
}

/// Removes one record.
#[utoipa::path(delete, path = "/api/v1/regions/{slug}/records/{id}", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    signed_in(&ctx)?;
    exec::remove(&st.app, &ctx.actor, &slug, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneDto {
    pub(crate) activity: String,
    pub(crate) title: String,
    pub(crate) due: String,
    /// planned, achieved, achieved-late or overdue.
    #[schema(value_type = String)]
    pub(crate) state: domain::execution::MilestoneState,
    pub(crate) achieved_on: Option<String>,
    pub(crate) evidence: String,
}

/// The milestones of the approved plan with their progress.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/milestones", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = [MilestoneDto])))]
pub async fn milestones(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<MilestoneDto>>, ApiError> {
    signed_in(&ctx)?;
    let (_, list) = exec::milestones(&st.app, &ctx.actor, &slug).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| MilestoneDto {
                activity: m.activity,
                title: m.title,
                due: m.due.to_string(),
                state: m.state,
                achieved_on: m.achieved_on.map(|d| d.to_string()),
                evidence: m.evidence,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct MilestoneUpdate {
    pub(crate) activity: String,
    pub(crate) title: String,
    /// `YYYY-MM-DD`, or null for not (yet) achieved.
    #[serde(default)]
    pub(crate) achieved_on: Option<String>,
    #[serde(default)]
    pub(crate) evidence: String,
}

/// Marks a milestone achieved (or not).
#[utoipa::path(put, path = "/api/v1/regions/{slug}/milestones", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = MilestoneUpdate,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_milestone(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
    ApiJson(m): ApiJson<MilestoneUpdate>,
) -> Result<StatusCode, ApiError> {
    signed_in(&ctx)?;
    let on = match m.achieved_on.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => Some(d.parse::<jiff::civil::Date>().map_err(|_| {
            let mut e = domain::FieldErrors::default();
            e.add("achieved_on", format!("\"{d}\" is geen datum (JJJJ-MM-DD)."));
            ApiError::from(services::ServiceError::Invalid(e))
        })?),
        None => None,
    };
    exec::set_milestone(&st.app, &ctx.actor, &slug, (&m.activity, &m.title), on, &m.evidence).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Realisation against the approved budget to date (eligible amounts per activity, year, category and funder).
#[utoipa::path(get, path = "/api/v1/regions/{slug}/realisation", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, description = "De realisatie", body = domain::execution::Realisation),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn realisation(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let (_, r) = exec::realisation(&st.app, &ctx.actor, &slug).await?;
    Ok(Json(r).into_response())
}

/// The settlement the rules engine arrives at on everything recorded.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/settlement", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, description = "De vaststelling", body = domain::execution::Settlement), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn settlement(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let (_, s) = exec::settlement(&st.app, &ctx.actor, &slug).await?;
    Ok(Json(s).into_response())
}

/// A report: `final.pdf`, `final.xlsx`, `progress-2025.pdf`, `progress-2025.xlsx`.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/reports/{file}", tag = "uitvoering", security(("bearer" = [])),
    params(("slug" = String, Path), ("file" = String, Path)),
    responses((status = 200, description = "De rapportage", content((String = "application/pdf"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let (stem, ext) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let (format, content_type) = match ext {
        "pdf" => (ReportFormat::Pdf, "application/pdf"),
        "xlsx" => (ReportFormat::Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _ => return Err(WebError::NotFound.into()),
    };
    let kind = match stem {
        "final" => docs::report::ReportKind::Final,
        s => docs::report::ReportKind::Progress(
            s.strip_prefix("progress-").and_then(|y| y.parse().ok()).ok_or(WebError::NotFound)?,
        ),
    };
    let (name, bytes) = exec::report(&st.app, &ctx.actor, &slug, kind, format).await?;
    Ok(crate::download::file(content_type, &name, bytes))
}
