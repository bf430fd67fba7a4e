//! The assessment in the API: where an application stands at the funder, the steps of the
//! domain's table, the declarations and scores, the advice and the decision.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::assessment::decision::{DecisionInput, Outcome};
use domain::assessment::scoring::Score;
use domain::assessment::{AssessmentState, StepInput};
use domain::regulation::application::Amount;
use domain::{Action, FieldErrors};
use serde::{Deserialize, Serialize};
use services::assessments::decisions::DecisionView;
use services::assessments::{self as funder, Status, decisions, scoring};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiCtx, ApiError, ApiJson, Problem, invalid};
use crate::guard::{Assesses, StepsAssessment};

fn instant(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct RepairRequestDto {
    pub(crate) items: Vec<String>,
    /// YYYY-MM-DD: the region resubmits by the end of this day.
    pub(crate) due: String,
}

#[derive(Serialize, ToSchema)]
pub struct StepDto {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) comment: String,
    pub(crate) by: Option<String>,
    pub(crate) at: String,
    pub(crate) request: Option<RepairRequestDto>,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub(crate) reference: String,
    /// YYYY-MM-DD.
    pub(crate) decided_on: String,
    /// toegekend, deels-toegekend or afgewezen.
    pub(crate) outcome: String,
    /// The decided subsidy per year, decimal strings in euros.
    pub(crate) amounts: BTreeMap<String, String>,
    pub(crate) total_eur: String,
    pub(crate) conditions: String,
    /// The submitted version decided on.
    pub(crate) version: i64,
    /// YYYY-MM-DD: the last day to object.
    pub(crate) objection_until: String,
    pub(crate) withdrawn: bool,
}

fn decision_dto(d: &DecisionView) -> DecisionDto {
    DecisionDto {
        reference: d.input.reference.clone(),
        decided_on: d.input.decided_on.to_string(),
        outcome: d.input.outcome.code().into(),
        amounts: d.input.amounts.iter().map(|(y, a)| (y.to_string(), a.0.to_string())).collect(),
        total_eur: d.total().to_string(),
        conditions: d.input.conditions.clone(),
        version: d.version,
        objection_until: d.objection_until.to_string(),
        withdrawn: d.withdrawn_at.is_some(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScorecardDto {
    pub(crate) assessor: String,
    pub(crate) conflict: bool,
    pub(crate) submitted_at: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub(crate) scores: Vec<Score>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentDto {
    pub(crate) region: String,
    pub(crate) phase: String,
    /// ingediend, in-behandeling, aanvulling-gevraagd, buiten-behandeling, beoordeeld, besloten or bezwaar.
    pub(crate) state: String,
    pub(crate) taken_by: Option<String>,
    /// The open repair request.
    pub(crate) request: Option<RepairRequestDto>,
    /// The states the caller may move the application to by hand now.
    pub(crate) transitions: Vec<String>,
    pub(crate) steps: Vec<StepDto>,
    pub(crate) decision: Option<DecisionDto>,
    pub(crate) withdrawn_decisions: Vec<DecisionDto>,
    /// The funder's staff and the ministry only: the scorecards the caller may see (all once two are in).
    pub(crate) scorecards: Option<Vec<ScorecardDto>>,
    /// The funder's staff and the ministry only.
    pub(crate) advice: Option<String>,
}

fn dto(s: &Status) -> AssessmentDto {
    let request = |r: &funder::RepairRequest| RepairRequestDto { items: r.items.clone(), due: r.due.to_string() };
    AssessmentDto {
        region: s.region.slug.clone(),
        phase: s.phase.id.clone(),
        state: s.state.code().into(),
        taken_by: s.taken_by.clone(),
        request: s.request.as_ref().map(request),
        transitions: s.buttons.iter().map(|t| t.to.code().to_owned()).collect(),
        steps: s
            .steps
            .iter()
            .map(|st| StepDto {
                from: st.from.code().into(),
                to: st.to.code().into(),
                comment: st.comment.clone(),
                by: st.by.clone(),
                at: instant(st.at),
                request: st.request.as_ref().map(request),
            })
            .collect(),
        decision: s.decision.as_ref().map(decision_dto),
        withdrawn_decisions: s.withdrawn.iter().map(decision_dto).collect(),
        scorecards: None,
        advice: None,
    }
}

async fn answer(
    st: &AppState,
    ctx: &crate::session::Ctx,
    (slug, phase): (&str, &str),
) -> Result<AssessmentDto, ApiError> {
    if ctx.actor.permits(Action::ViewAssessment) {
        let r = scoring::review(&st.app, &ctx.actor, slug, phase).await?;
        let mut out = dto(&r.status);
        out.scorecards = Some(
            r.cards
                .into_iter()
                .map(|c| ScorecardDto {
                    assessor: c.assessor_name,
                    conflict: c.conflict,
                    submitted_at: c.submitted_at.map(instant),
                    scores: c.scores,
                })
                .collect(),
        );
        out.advice = r.advice.map(|a| a.text);
        return Ok(out);
    }
    let status = funder::status(&st.app, &ctx.actor, slug, phase).await?.ok_or(services::ServiceError::NotFound)?;
    Ok(dto(&status))
}

/// Where the submitted application stands at the funder; the funder's staff and the ministry also see the scores and the advice.
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/assessment", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path, description = "hoofdlijnen, uitwerking-2025-2026 of uitwerking-2027-2028")),
    responses((status = 200, body = AssessmentDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_assessment(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Json<AssessmentDto>, ApiError> {
    Ok(Json(answer(&st, &ctx, (&slug, &phase)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StepWrite {
    /// The state to move to.
    pub(crate) to: String,
    #[serde(default)]
    pub(crate) comment: String,
    /// A repair request's items.
    #[serde(default)]
    pub(crate) items: Vec<String>,
    /// A repair request's due date, YYYY-MM-DD.
    #[serde(default)]
    pub(crate) due: Option<String>,
}

/// Takes a step of the assessment's table: 409 for a step the table lacks (or one taken another way), 403 for a role that may not take it, 422 for a missing comment, items or due date.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/transitions", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)), request_body = StepWrite,
    responses((status = 200, body = AssessmentDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn assessment_transition(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    _may: StepsAssessment,
    ApiJson(input): ApiJson<StepWrite>,
) -> Result<Json<AssessmentDto>, ApiError> {
    let mut e = FieldErrors::default();
    let to = AssessmentState::parse(input.to.trim());
    if to.is_none() {
        let known: Vec<&str> = AssessmentState::ALL.into_iter().map(AssessmentState::code).collect();
        e.add("to", format!("Onbekende status \"{}\"; kies uit {}.", input.to, known.join(", ")));
    }
    let due = input.due.as_deref().map(|d| (d, d.trim().parse::<jiff::civil::Date>().ok()));
    if let Some((raw, None)) = due {
        e.add("due", format!("\"{raw}\" is geen datum; schrijf JJJJ-MM-DD."));
    }
    let Some(to) = to.filter(|_| e.is_empty()) else { return Err(invalid(e)) };
    let step = StepInput { comment: input.comment, items: input.items, due: due.and_then(|(_, d)| d) };
    funder::step(&st.app, &ctx.actor, (&slug, &phase), to, step, None).await?;
    Ok(Json(answer(&st, &ctx, (&slug, &phase)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DeclarationWrite {
    /// Whether the assessor has a conflict of interest with the region (then they do not score).
    pub(crate) conflict: bool,
}

/// The assessor's declaration about a conflict of interest with the region, before scoring.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/declaration", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)), request_body = DeclarationWrite,
    responses((status = 200, body = AssessmentDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn assessment_declaration(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    ApiJson(input): ApiJson<DeclarationWrite>,
) -> Result<Json<AssessmentDto>, ApiError> {
    scoring::declare(&st.app, &ctx.actor, (&slug, &phase), input.conflict).await?;
    Ok(Json(answer(&st, &ctx, (&slug, &phase)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ScoresWrite {
    /// A score and a motivation per criterion of the regulation.
    #[schema(value_type = Vec<Object>)]
    pub(crate) scores: Vec<Score>,
    /// Hand the scores in (every criterion then needs a score and a motivation).
    #[serde(default)]
    pub(crate) submit: bool,
}

/// Saves or hands in the caller's scores; 409 before the declaration or after handing in, 422 for a score outside the scale or a missing motivation.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/scores", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)), request_body = ScoresWrite,
    responses((status = 200, body = AssessmentDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn assessment_scores(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    ApiJson(input): ApiJson<ScoresWrite>,
) -> Result<Json<AssessmentDto>, ApiError> {
    scoring::save_scores(&st.app, &ctx.actor, (&slug, &phase), input.scores, input.submit).await?;
    Ok(Json(answer(&st, &ctx, (&slug, &phase)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AdviceWrite {
    pub(crate) advice: String,
}

/// Records the advice once two assessors' scores are in; the application is then `beoordeeld`.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/advice", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)), request_body = AdviceWrite,
    responses((status = 200, body = AssessmentDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn assessment_advice(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    ApiJson(input): ApiJson<AdviceWrite>,
) -> Result<Json<AssessmentDto>, ApiError> {
    scoring::advise(&st.app, &ctx.actor, (&slug, &phase), &input.advice).await?;
    Ok(Json(answer(&st, &ctx, (&slug, &phase)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionWrite {
    pub(crate) reference: String,
    /// YYYY-MM-DD, not after today.
    pub(crate) decided_on: String,
    /// toegekend, deels-toegekend or afgewezen.
    pub(crate) outcome: String,
    /// The amount per year of the phase, decimal strings in euros (0 for a rejection).
    pub(crate) amounts: BTreeMap<String, String>,
    #[serde(default)]
    pub(crate) conditions: String,
}

fn decision_input(w: DecisionWrite) -> Result<DecisionInput, ApiError> {
    let mut e = FieldErrors::default();
    let decided_on = w.decided_on.trim().parse().ok();
    if decided_on.is_none() {
        e.add("decided_on", format!("\"{}\" is geen datum; schrijf JJJJ-MM-DD.", w.decided_on));
    }
    let outcome = Outcome::parse(w.outcome.trim());
    if outcome.is_none() {
        e.add("outcome", "Kies toegekend, deels-toegekend of afgewezen.");
    }
    let mut amounts = BTreeMap::new();
    for (year, raw) in &w.amounts {
        match (year.parse::<i16>(), raw.trim().parse::<rust_decimal::Decimal>()) {
            (Ok(y), Ok(a)) => {
                amounts.insert(y, Amount(a));
            }
            _ => e.add(
                &format!("amounts.{year}"),
                format!("\"{raw}\" voor \"{year}\" is geen bedrag in euro's bij een jaar."),
            ),
        }
    }
    match (decided_on, outcome) {
        (Some(decided_on), Some(outcome)) if e.is_empty() => {
            Ok(DecisionInput { reference: w.reference, decided_on, outcome, amounts, conditions: w.conditions })
        }
        _ => Err(invalid(e)),
    }
}

/// Records the decision on the latest submitted version after the advice: never above what was asked or the region's maximum (422 with the rule's explanation); the letter is mailed to the lead applicant and the region's managers.
#[utoipa::path(post, path = "/api/v1/regions/{slug}/applications/{phase}/decision", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)), request_body = DecisionWrite,
    responses((status = 201, body = DecisionDto), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_decision(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
    _may: Assesses,
    ApiJson(input): ApiJson<DecisionWrite>,
) -> Result<Response, ApiError> {
    let input = decision_input(input)?;
    let d = decisions::decide(&st.app, &ctx.actor, (&slug, &phase), input).await?;
    Ok((StatusCode::CREATED, Json(decision_dto(&d))).into_response())
}

/// The current decision's letter (PDF).
#[utoipa::path(get, path = "/api/v1/regions/{slug}/applications/{phase}/decision.pdf", tag = "beoordeling", security(("bearer" = [])),
    params(("slug" = String, Path), ("phase" = String, Path)),
    responses((status = 200, content_type = "application/pdf", description = "De besluitbrief"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn decision_pdf(
    State(st): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path((slug, phase)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (name, pdf) = decisions::letter(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(crate::download::file("application/pdf", &name, pdf))
}
