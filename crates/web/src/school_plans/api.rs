//! The school plan API: list and create a region's plans, read and replace one, move it along
//! the workflow. Statuses and rules are those of `domain::school_plan`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::school_plan::{PlanState, SchoolPlan};
use serde::{Deserialize, Serialize};
use services::school_plans as plans;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::Problem;
use crate::api::{ApiCtx, ApiError, ApiJson, etag, if_match};
use crate::error::WebError;

fn instant(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct PlanSummaryDto {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) school: String,
    pub(crate) school_id: String,
    pub(crate) theme: String,
    /// concept, ingediend, in-behandeling, teruggestuurd, goedgekeurd or afgewezen.
    pub(crate) state: String,
    pub(crate) author: String,
    /// Subsidy asked for (price × quantity of the subsidy lines), a decimal string.
    pub(crate) requested_eur: String,
    pub(crate) cofinancing_eur: String,
    pub(crate) updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryDto {
    pub(crate) at: String,
    pub(crate) by: Option<String>,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentDto {
    pub(crate) id: String,
    pub(crate) filename: String,
    pub(crate) content_type: String,
    pub(crate) size: i64,
    pub(crate) sha256: String,
    pub(crate) url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    pub(crate) id: String,
    pub(crate) region: String,
    pub(crate) state: String,
    pub(crate) version: i64,
    pub(crate) author: String,
    pub(crate) school: String,
    /// The plan: title, organisation, theme, vision_fit, goals, cooperation, activities, budget
    /// (activities and lines as in `sterk.application/1`).
    #[schema(value_type = Object)]
    pub(crate) plan: SchoolPlan,
    pub(crate) requested_eur: String,
    pub(crate) cofinancing_eur: String,
    /// The statuses the caller may move the plan to now.
    pub(crate) transitions: Vec<String>,
    pub(crate) history: Vec<HistoryDto>,
    pub(crate) attachments: Vec<AttachmentDto>,
}

fn dto(v: plans::PlanView) -> PlanDto {
    let slug = v.region.slug.clone();
    PlanDto {
        requested_eur: v.plan.requested().to_string(),
        cofinancing_eur: v.plan.cofinancing().to_string(),
        transitions: v.transitions.iter().map(|t| t.to.code().to_owned()).collect(),
        history: v
            .history
            .into_iter()
            .map(|h| HistoryDto {
                at: instant(h.at),
                by: h.actor_name,
                from: h.from_state,
                to: h.to_state,
                comment: h.comment,
            })
            .collect(),
        attachments: v
            .attachments
            .into_iter()
            .map(|a| AttachmentDto {
                url: format!("/regio/{slug}/deelplannen/{}/bijlagen/{}", v.row.id, a.id),
                id: a.id,
                filename: a.filename,
                content_type: a.content_type,
                size: a.size,
                sha256: a.sha256,
            })
            .collect(),
        id: v.row.id,
        region: slug,
        state: v.state.code().to_owned(),
        version: v.row.version,
        author: v.row.author_name,
        school: v.row.organisation_name,
        plan: v.plan,
    }
}

fn signed_in(ctx: &crate::session::Ctx) -> Result<(), ApiError> {
    if ctx.actor.is_signed_in() { Ok(()) } else { Err(WebError::NotSignedIn.into()) }
}

/// The region's school plans the caller may see (all for the region's manager and lead applicant, own plans for a school contact).
#[utoipa::path(get, operation_id = "list_school_plans", path = "/api/v1/regions/{slug}/school-plans", tag = "deelplannen", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = [PlanSummaryDto]), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<PlanSummaryDto>>, ApiError> {
    signed_in(&ctx)?;
    let board = plans::board(&st.app, &ctx.actor, &slug, &plans::BoardFilter::default()).await?;
    Ok(Json(
        board
            .plans
            .into_iter()
            // The API lists the plans the caller may open (the board also shows others' approved titles).
            .filter(|p| p.readable)
            .map(|p| PlanSummaryDto {
                id: p.id,
                title: p.title,
                school: p.school,
                school_id: p.school_id,
                theme: p.theme,
                state: p.state.code().to_owned(),
                author: p.author,
                requested_eur: p.requested.to_string(),
                cofinancing_eur: p.cofinancing.to_string(),
                updated_at: instant(p.updated_at),
            })
            .collect(),
    ))
}

/// Creates a plan in status `concept`, written by the caller.
#[utoipa::path(post, operation_id = "create_school_plan", path = "/api/v1/regions/{slug}/school-plans", tag = "deelplannen", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body(content = domain::school_plan::SchoolPlan, content_type = "application/json", description = "Het deelplan"),
    responses((status = 201, body = PlanDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(slug): Path<String>,
    ApiJson(plan): ApiJson<SchoolPlan>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let id = plans::create(&st.app, &ctx.actor, &slug, plan).await?;
    let view = plans::get(&st.app, &ctx.actor, &id).await?;
    let location = format!("/api/v1/school-plans/{id}");
    Ok((StatusCode::CREATED, etag(view.row.version), [(header::LOCATION, location)], Json(dto(view))).into_response())
}

/// A plan with its history, attachments and the statuses the caller may move it to; the ETag is its version.
#[utoipa::path(get, operation_id = "get_school_plan", path = "/api/v1/school-plans/{id}", tag = "deelplannen", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PlanDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let view = plans::get(&st.app, &ctx.actor, &id).await?;
    Ok((etag(view.row.version), Json(dto(view))).into_response())
}

/// Replaces the plan while it is `concept` or `teruggestuurd`; `If-Match` names the version it builds on.
#[utoipa::path(put, operation_id = "put_school_plan", path = "/api/v1/school-plans/{id}", tag = "deelplannen", security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = String, Header)),
    request_body(content = domain::school_plan::SchoolPlan, content_type = "application/json", description = "Het deelplan"),
    responses((status = 200, body = PlanDto), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 428, body = Problem, content_type = "application/problem+json")))]
pub async fn put(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(plan): ApiJson<SchoolPlan>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let expected = if_match(&headers)?;
    plans::update(&st.app, &ctx.actor, &id, expected, move |p| {
        *p = plan;
        Ok(())
    })
    .await?;
    let view = plans::get(&st.app, &ctx.actor, &id).await?;
    Ok((etag(view.row.version), Json(dto(view))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionInput {
    /// The status to move to.
    pub(crate) to: String,
    /// Required when returning or rejecting.
    #[serde(default)]
    pub(crate) comment: String,
}

/// Moves the plan along the workflow: 409 for a step the workflow does not have from the current status, 403 for a role that may not take it, 422 when a required comment is missing. Approving puts the plan's activities and lines into the region's current draft application.
#[utoipa::path(post, operation_id = "transition_school_plan", path = "/api/v1/school-plans/{id}/transitions", tag = "deelplannen", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TransitionInput,
    responses((status = 200, body = PlanDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn transition(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> Result<Response, ApiError> {
    signed_in(&ctx)?;
    let Some(to) = PlanState::parse(input.to.trim()) else {
        let mut e = domain::FieldErrors::default();
        let known: Vec<&str> = PlanState::ALL.into_iter().map(PlanState::code).collect();
        e.add("to", format!("Onbekende status \"{}\"; kies uit {}.", input.to, known.join(", ")));
        return Err(services::ServiceError::Invalid(e).into());
    };
    plans::transition(&st.app, &ctx.actor, &id, to, &input.comment).await?;
    let view = plans::get(&st.app, &ctx.actor, &id).await?;
    Ok((etag(view.row.version), Json(dto(view))).into_response())
}
