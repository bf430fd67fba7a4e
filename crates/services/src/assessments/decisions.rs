//! The decision (beschikking): recorded by an assessor after the advice, checked by the rules
//! engine, sent as a letter to the lead applicant and the region's managers; from then on the
//! decided version and amounts are what execution holds the region to.

use domain::assessment::decision::{self, Decision, DecisionInput, Outcome};
use domain::assessment::{self, AssessmentState, StepInput};
use domain::regulation::application::{Amount, Application};
use domain::regulation::check::TraceItem;
use domain::{Action, Actor};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::json;
use store::assessments::{self as repo, Change, DecisionRow, NewDecision};
use store::{AnyConnection, StoreError};

use super::{corrupt, find, region_recipients, state_of, today};
use crate::mail;
use crate::{App, Result, ServiceError, invalid};

/// A decision as pages and the API show it.
#[derive(Debug, Clone)]
pub struct DecisionView {
    pub decision: Decision,
    pub decided_by: String,
    pub created_at: i64,
    pub withdrawn_at: Option<i64>,
}

impl std::ops::Deref for DecisionView {
    type Target = Decision;
    fn deref(&self) -> &Decision {
        &self.decision
    }
}

pub(crate) fn view(row: DecisionRow) -> Result<DecisionView> {
    let date = |d: &str| d.parse::<Date>().map_err(corrupt);
    let input = DecisionInput {
        reference: row.reference,
        decided_on: date(&row.decided_on)?,
        outcome: Outcome::parse(&row.outcome).ok_or_else(|| corrupt(&row.outcome))?,
        amounts: row.amounts.iter().map(|(y, c)| (*y, Amount(Decimal::new(*c, 2)))).collect(),
        conditions: row.conditions,
    };
    let maximum: Option<TraceItem> = row.maximum.as_deref().map(serde_json::from_str).transpose().map_err(corrupt)?;
    Ok(DecisionView {
        decision: Decision {
            input,
            version: row.version_number,
            objection_until: date(&row.objection_until)?,
            maximum,
        },
        decided_by: row.decided_by_name,
        created_at: row.created_at,
        withdrawn_at: row.withdrawn_at,
    })
}

/// The current decision and the withdrawn ones.
pub(crate) async fn of(
    conn: &mut AnyConnection,
    assessment_id: &str,
) -> Result<(Option<DecisionView>, Vec<DecisionView>)> {
    let mut current = None;
    let mut withdrawn = Vec::new();
    for row in repo::decisions(conn, assessment_id).await? {
        let v = view(row)?;
        if v.withdrawn_at.is_some() { withdrawn.push(v) } else { current = Some(v) }
    }
    Ok((current, withdrawn))
}

/// A reference no decision has: `STO-{year}-{region}-{phase}` (a number added when taken).
/// The region's latest current decision that grants subsidy (its id), if any: a region owes
/// reports from then on, and its settlement's payment belongs to that grant.
pub(crate) async fn latest_grant(conn: &mut AnyConnection, region_id: &str) -> Result<Option<String>> {
    let mut latest = None;
    for (_, row) in repo::current_decisions(conn, region_id).await? {
        let id = row.id.clone();
        if view(row)?.input.outcome.grants() {
            latest = Some(id);
        }
    }
    Ok(latest)
}

pub fn suggested_reference(slug: &str, phase: &str, year: i16) -> String {
    format!("STO-{year}-{}-{}", slug.to_uppercase(), phase.to_uppercase())
}

/// Records the decision on the latest submitted version, once the advice is in: checked by the
/// rules engine (never above the region's maximum), the letter mailed to the lead applicant
/// and the region's managers.
pub async fn decide(
    app: &App,
    actor: &Actor,
    (slug, phase): (&str, &str),
    input: DecisionInput,
) -> Result<DecisionView> {
    actor.require(Action::Assess)?;
    let mut tx = app.db.begin().await?;
    let found = find(app, &mut tx, actor, slug, phase).await?;
    let row = repo::get(&mut tx, &found.application_id).await?.ok_or_else(not_assessed)?;
    let state = state_of(&row)?;
    if state != AssessmentState::Beoordeeld {
        return Err(ServiceError::NotAllowed(format!(
            "Een besluit volgt op het advies: de aanvraag is nu {}.",
            state.label().to_lowercase()
        )));
    }
    super::require_no_conflict(&mut tx, &row, actor).await?;
    // A change request started on the decision being replaced would hold against the new one.
    if let Some(open) = store::change_requests::open_of(&mut tx, &found.application_id).await? {
        return Err(ServiceError::NotAllowed(format!(
            "Wijzigingsverzoek {} op deze fase loopt nog: rond het af of laat de regio het intrekken vóór een nieuw besluit.",
            open.number
        )));
    }
    // Decided on the version the advice is about, whatever came in since.
    let advised = row.advice_version.ok_or_else(|| corrupt("beoordeeld zonder advies"))?;
    let (application, version) = super::submitted(&mut tx, &found.application_id, Some(advised)).await?;
    let submitted_on = jiff::Timestamp::from_millisecond(version.submitted_at)
        .map_err(corrupt)?
        .to_zoned_datetime(app.current_regulation()?.time_zone())
        .date();
    // Checked against the region maximum table in force.
    let reg = crate::maximums::in_force(&mut tx, app.current_regulation()?).await?;
    let input = DecisionInput {
        reference: input.reference.trim().to_owned(),
        conditions: input.conditions.trim().to_owned(),
        ..input
    };
    let d = decision::decide(&reg, &found.phase, (&application, version.number, submitted_on), input, today(app)?)
        .map_err(|e| corrupt(e.to_string()))?
        .map_err(ServiceError::Invalid)?;
    let amounts: Vec<(i16, i64)> = d
        .input
        .amounts
        .iter()
        .map(|(y, a)| Ok((*y, i64::try_from((a.0 * Decimal::ONE_HUNDRED).trunc().mantissa()).map_err(corrupt)?)))
        .collect::<Result<_>>()?;
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let maximum = d.maximum.as_ref().map(serde_json::to_string).transpose().map_err(corrupt)?;
    let new = NewDecision {
        assessment_id: &row.id,
        reference: &d.input.reference,
        decided_on: &d.input.decided_on.to_string(),
        outcome: d.input.outcome.code(),
        conditions: &d.input.conditions,
        version_number: d.version,
        objection_until: &d.objection_until.to_string(),
        maximum: maximum.as_deref(),
        decided_by: user,
        amounts: &amounts,
    };
    let decision_id = repo::insert_decision(&mut tx, &new).await.map_err(|e| match e {
        StoreError::Duplicate => invalid("reference", "Dit kenmerk is al gebruikt voor een ander besluit."),
        e => e.into(),
    })?;
    let amounts = d.input.amounts.iter().map(|(y, a)| (*y, a.0)).collect();
    crate::payments::plan_advances(
        &mut tx,
        &reg,
        (&found.region.id, &decision_id),
        &amounts,
        (d.input.decided_on, Some(user)),
    )
    .await?;
    let facts = assessment::Facts { today: today(app)?, due: None, objection_until: None, objected: false };
    let t = assessment::transition(
        actor,
        &found.region.id,
        (state, AssessmentState::Besloten),
        false,
        &StepInput::default(),
        facts,
    )
    .map_err(|e| ServiceError::NotAllowed(e.to_string()))?;
    let detail =
        json!({ "reference": d.input.reference, "outcome": d.input.outcome.code(), "total": d.total().to_string() });
    super::record(app, &mut tx, actor, (&found, &row), t, ("", &detail), &Change::default()).await?;
    mail_decision(app, &mut tx, &found, &d).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(DecisionView {
        decision: d,
        decided_by: String::new(),
        created_at: app.now().as_millisecond(),
        withdrawn_at: None,
    })
}

fn not_assessed() -> ServiceError {
    ServiceError::NotAllowed("Neem de aanvraag eerst in behandeling.".into())
}

async fn mail_decision(app: &App, conn: &mut AnyConnection, found: &super::Found, d: &Decision) -> Result<()> {
    let (region, phase) = (&found.region.name, found.phase.label.to_lowercase());
    let path = format!("/regio/{}/aanvragen/{}", found.region.slug, found.phase.id);
    let what = match d.input.outcome {
        Outcome::Afgewezen => "afgewezen".to_owned(),
        o => format!("{}: {} in totaal", o.label().to_lowercase(), domain::fmt::euro_nl(d.total())),
    };
    let body = format!(
        "DUS-I heeft besloten op de {phase} van {region} (kenmerk {}): {what}.\n\nDe besluitbrief staat in Sterk: {}{path}/besluit.pdf\n\nBezwaar maken kan tot en met {}.",
        d.input.reference,
        app.base_url.trim_end_matches('/'),
        domain::fmt::date_nl(d.objection_until)
    );
    let recipients = region_recipients(conn, &found.region.id).await?;
    let subject = format!("Besluit op de aanvraag van {region}");
    mail::queue_to(app, conn, &recipients, &mail::Letter { kind: "assessment.decided", subject, body, path }).await
}

/// The current decision's letter: (file name, PDF).
pub async fn letter(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<(String, Vec<u8>)> {
    let mut conn = app.db.conn().await?;
    let found = find(app, &mut conn, actor, slug, phase).await?;
    let row = repo::get(&mut conn, &found.application_id).await?.ok_or(ServiceError::NotFound)?;
    let (current, _) = of(&mut conn, &row.id).await?;
    let d = current.ok_or(ServiceError::NotFound)?;
    let decided = version_content(&mut conn, &found.application_id, d.version).await?;
    let lead = decided.organisation(&decided.lead_applicant).map_or(found.region.name.clone(), |o| o.name.clone());
    let to = docs::letter::Addressee { region: &found.region.name, phase: &found.phase.label, lead_applicant: &lead };
    let pdf = docs::letter::decision_pdf(app.current_regulation()?, &to, &decided, &d)
        .map_err(|e| ServiceError::File(e.to_string()))?;
    Ok((format!("besluit-{}-{}.pdf", found.region.slug, found.phase.id), pdf))
}

async fn version_content(conn: &mut AnyConnection, application_id: &str, number: i64) -> Result<Application> {
    Ok(super::submitted(conn, application_id, Some(number)).await?.0)
}
