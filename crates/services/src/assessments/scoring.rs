//! The funder's review of an application: the submitted version with its rule checks, the
//! declarations and scores of two assessors (four eyes), and the advice.

use std::collections::BTreeMap;

use domain::assessment::scoring::{self, Score, Scorecard};
use domain::assessment::{self, AssessmentState, StepInput};
use domain::regulation::Criterion;
use domain::regulation::application::Application;
use domain::regulation::check::{self, Report};
use domain::{Action, Actor};
use rust_decimal::Decimal;
use serde_json::json;
use store::StoreError;
use store::applications as drafts;
use store::assessments::{self as repo, AssessmentRow, Change};

use super::{Found, Status, corrupt, find, load_status, state_of};
use crate::{App, Result, ServiceError, invalid};

/// The advice, once recorded.
#[derive(Debug, Clone)]
pub struct Advice {
    pub text: String,
    pub by: Option<String>,
    pub at: Option<i64>,
}

/// Everything the assessor's page shows.
#[derive(Debug, Clone)]
pub struct Review {
    pub status: Status,
    /// The latest submitted version (its content parsed beside it: what is assessed and decided on).
    pub version: drafts::Version,
    pub application: Application,
    /// The rule checks of that version, as at its submission.
    pub report: Report,
    /// The subsidy asked per year of the phase.
    pub requested: BTreeMap<i16, Decimal>,
    pub criteria: Vec<Criterion>,
    /// The scorecards the actor may see (their own; all once both are in).
    pub cards: Vec<Scorecard>,
    /// How many cards are hidden from the actor until both are in.
    pub hidden: usize,
    pub mine: Option<Scorecard>,
    /// Why the actor may not declare now, or `None` when they may.
    pub declare_refused: Option<&'static str>,
    pub score_refused: Option<&'static str>,
    pub all_in: bool,
    /// Per criterion, the average of the scores handed in.
    pub averages: Vec<(String, Option<f64>)>,
    pub advice: Option<Advice>,
    pub may_assess: bool,
}

fn cards_of(rows: Vec<repo::CardRow>) -> Result<Vec<Scorecard>> {
    rows.into_iter()
        .map(|r| {
            Ok(Scorecard {
                scores: serde_json::from_str(&r.scores).map_err(corrupt)?,
                assessor_id: r.assessor_id,
                assessor_name: r.assessor_name,
                conflict: r.conflict,
                submitted_at: r.submitted_at,
            })
        })
        .collect()
}

/// The funder's whole view of one application.
pub async fn review(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<Review> {
    actor.require(Action::ViewAssessment)?;
    let mut conn = app.db.conn().await?;
    let found = find(app, &mut conn, actor, slug, phase).await?;
    let application_id = found.application_id.clone();
    let row = repo::get(&mut conn, &application_id).await?;
    let (application, version) = super::submitted(&mut conn, &application_id, None).await?;
    let reg = &crate::maximums::in_force(&mut conn, app.current_regulation()?).await?;
    let requested = domain::assessment::decision::requested_per_year(reg, &found.phase, &application)
        .map_err(|e| corrupt(e.to_string()))?;
    let all = match &row {
        Some(r) => cards_of(repo::scorecards(&mut conn, &r.id).await?)?,
        None => Vec::new(),
    };
    let me = actor.user_id.as_deref();
    let cards: Vec<Scorecard> = all.iter().filter(|c| scoring::visible(&all, c, me)).cloned().collect();
    let mine = all.iter().find(|c| Some(c.assessor_id.as_str()) == me).cloned();
    let status = load_status(app, &mut conn, actor, found).await?;
    // Judged as submitted: that content at that moment, within a repair request's term if one was given.
    let last_request = status.steps.iter().rev().find_map(|s| s.request.as_ref());
    let report = match last_request {
        Some(r) => check::check(&super::extended(reg, &status.phase.id, r.due), &application),
        None => check::check(reg, &application),
    }
    .map_err(|e| corrupt(e.to_string()))?;
    let may_assess = actor.permits(Action::Assess);
    let in_review = status.state == AssessmentState::InBehandeling;
    let refuse = |r: std::result::Result<(), &'static str>| match (may_assess, in_review) {
        (false, _) => Some("Alleen beoordelaars van DUS-I scoren aanvragen."),
        (true, false) => Some("Scoren kan terwijl de aanvraag in behandeling is."),
        (true, true) => r.err(),
    };
    let me = me.unwrap_or_default();
    Ok(Review {
        declare_refused: refuse(scoring::may_declare(&all, me)),
        score_refused: refuse(scoring::may_score(&all, me)),
        all_in: scoring::all_in(&all),
        averages: if scoring::all_in(&all) { scoring::averages(&reg.criteria, &all) } else { Vec::new() },
        hidden: all.len() - cards.len(),
        advice: row
            .as_ref()
            .and_then(|r| r.advice.clone().map(|text| Advice { text, by: r.advice_by_name.clone(), at: r.advice_at })),
        criteria: reg.criteria.clone(),
        status,
        version,
        application,
        report,
        requested,
        cards,
        mine,
        may_assess,
    })
}

/// The assessment in `in-behandeling`, for an assessor's work on it.
async fn in_review(
    app: &App,
    conn: &mut store::AnyConnection,
    actor: &Actor,
    slug: &str,
    phase: &str,
) -> Result<(Found, AssessmentRow)> {
    actor.require(Action::Assess)?;
    let found = find(app, conn, actor, slug, phase).await?;
    let row = repo::get(conn, &found.application_id)
        .await?
        .ok_or_else(|| ServiceError::NotAllowed("Neem de aanvraag eerst in behandeling.".into()))?;
    if state_of(&row)? != AssessmentState::InBehandeling {
        return Err(ServiceError::NotAllowed(format!(
            "Scoren en adviseren kan terwijl de aanvraag in behandeling is; zij is nu {}.",
            state_of(&row)?.label().to_lowercase()
        )));
    }
    Ok((found, row))
}

/// The assessor's declaration about a conflict of interest with the region: with none they
/// score; with one they step aside and another assessor takes their place.
pub async fn declare(app: &App, actor: &Actor, (slug, phase): (&str, &str), conflict: bool) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (found, row) = in_review(app, &mut tx, actor, slug, phase).await?;
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let cards = cards_of(repo::scorecards(&mut tx, &row.id).await?)?;
    scoring::may_declare(&cards, user).map_err(|m| ServiceError::NotAllowed(m.into()))?;
    repo::declare(&mut tx, &row.id, user, conflict).await.map_err(|e| match e {
        StoreError::Duplicate => {
            ServiceError::NotAllowed("U hebt voor deze aanvraag al een verklaring gegeven.".into())
        }
        e => e.into(),
    })?;
    let detail = json!({ "phase": found.phase.id, "conflict": conflict });
    store::audit::append(&mut tx, Some(user), "assessment.declare", "application", &found.application_id, &detail)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves the assessor's scores; `submit` hands them in (then every criterion needs a score and
/// a motivation, and nothing changes afterwards).
pub async fn save_scores(
    app: &App,
    actor: &Actor,
    (slug, phase): (&str, &str),
    scores: Vec<Score>,
    submit: bool,
) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (found, row) = in_review(app, &mut tx, actor, slug, phase).await?;
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let cards = cards_of(repo::scorecards(&mut tx, &row.id).await?)?;
    scoring::may_score(&cards, user).map_err(|m| ServiceError::NotAllowed(m.into()))?;
    let scores: Vec<Score> =
        scores.into_iter().map(|s| Score { motivation: s.motivation.trim().to_owned(), ..s }).collect();
    scoring::validate(&app.current_regulation()?.criteria, &scores, submit)
        .into_result(())
        .map_err(ServiceError::Invalid)?;
    let text = serde_json::to_string(&scores).map_err(corrupt)?;
    repo::save_scores(&mut tx, &row.id, user, &text, submit).await?;
    if submit {
        let detail = json!({ "phase": found.phase.id, "scores": scores });
        store::audit::append(&mut tx, Some(user), "assessment.scores", "application", &found.application_id, &detail)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Records the advice once two assessors' scores are in; the application is then beoordeeld.
pub async fn advise(app: &App, actor: &Actor, (slug, phase): (&str, &str), text: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (found, row) = in_review(app, &mut tx, actor, slug, phase).await?;
    let cards = cards_of(repo::scorecards(&mut tx, &row.id).await?)?;
    if !scoring::all_in(&cards) {
        return Err(ServiceError::NotAllowed(format!(
            "Het advies volgt op de scores van {} beoordelaars; er zijn er {} binnen.",
            scoring::SCORERS,
            cards.iter().filter(|c| c.is_in()).count()
        )));
    }
    scoring::validate_advice(text).into_result(()).map_err(ServiceError::Invalid)?;
    super::require_no_conflict(&mut tx, &row, actor).await?;
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let (_, version) = super::submitted(&mut tx, &found.application_id, None).await?;
    let facts =
        domain::assessment::Facts { today: super::today(app)?, due: None, objection_until: None, objected: false };
    let t = assessment::transition(
        actor,
        &found.region.id,
        (AssessmentState::InBehandeling, AssessmentState::Beoordeeld),
        false,
        &StepInput::default(),
        facts,
    )
    .map_err(|e| invalid("advice", e.to_string()))?;
    let change = Change { advice: Some((text.trim(), user, version.number)), ..Change::default() };
    super::record(app, &mut tx, actor, (&found, &row), t, ("", &json!({ "advice": text.trim() })), &change).await?;
    tx.commit().await?;
    Ok(())
}
