//! The funder's half of an application's life: the queue of submitted applications, the steps of
//! the domain's table (taking it, a repair request, out of procedure, an objection), the region's
//! view of where it stands, and the resubmission that answers a repair request. Scoring and the
//! decision are in their own files.

pub mod decisions;
pub(crate) mod queue;
pub mod scoring;

pub use queue::{QueueItem, queue};

use domain::assessment::{self, AssessmentState, Facts, Notify, StepInput, Transition, TransitionError, Who};
use domain::regulation::Phase;
use domain::{Action, Actor, Region, Role};
use jiff::civil::Date;
use serde_json::json;
use store::assessments::{self as repo, AssessmentRow, Change};
use store::{AnyConnection, applications as drafts, audit, regions, users};

use crate::mail;
use crate::{App, Result, ServiceError, invalid};

/// What the funder asked the region to supplement, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairRequest {
    pub items: Vec<String>,
    pub due: Date,
}

/// One step in the history.
#[derive(Debug, Clone)]
pub struct Step {
    pub from: AssessmentState,
    pub to: AssessmentState,
    pub comment: String,
    pub by: Option<String>,
    pub at: i64,
    /// A repair request's items and due date, when the step asked for one.
    pub request: Option<RepairRequest>,
}

/// Where a region's application stands at the funder: what the region sees.
#[derive(Debug, Clone)]
pub struct Status {
    pub region: Region,
    pub phase: Phase,
    pub state: AssessmentState,
    /// For `If-Match`-like checks: raised by every step.
    pub revision: i64,
    pub taken_by: Option<String>,
    /// The open repair request (only in `aanvulling-gevraagd`).
    pub request: Option<RepairRequest>,
    pub steps: Vec<Step>,
    pub decision: Option<decisions::DecisionView>,
    /// Earlier decisions withdrawn after a founded objection.
    pub withdrawn: Vec<decisions::DecisionView>,
    /// The steps the actor may take by hand now.
    pub buttons: Vec<&'static Transition>,
    pub today: Date,
}

/// A submitted application of a phase the funder decides on, found for the actor.
pub(crate) struct Found {
    pub region: Region,
    pub phase: Phase,
    pub application_id: String,
}

/// The region, phase and application, when the actor may read the region's applications and
/// the phase has a submission to assess.
pub(crate) async fn find(app: &App, conn: &mut AnyConnection, actor: &Actor, slug: &str, phase: &str) -> Result<Found> {
    let region = regions::by_slug(conn, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)?;
    actor.require(Action::ViewApplication { region_id: &region.id })?;
    let phase = app.current_regulation()?.phase(phase).filter(|p| p.assessed).cloned().ok_or(ServiceError::NotFound)?;
    let draft = drafts::get(conn, &region.id, &phase.id).await?.ok_or(ServiceError::NotFound)?;
    if drafts::versions(conn, &draft.id, false).await?.is_empty() {
        return Err(ServiceError::NotFound);
    }
    Ok(Found { region, phase, application_id: draft.id })
}

/// A submitted version, parsed (its stored text left out of the version): the one numbered
/// `number`, or the latest.
pub(crate) async fn submitted(
    conn: &mut AnyConnection,
    application_id: &str,
    number: Option<i64>,
) -> Result<(domain::regulation::application::Application, drafts::Version)> {
    let versions = drafts::versions(conn, application_id, true).await?;
    let found = match number {
        Some(n) => versions.into_iter().find(|v| v.number == n),
        None => versions.into_iter().next_back(),
    };
    let mut v = found.ok_or_else(|| corrupt(format!("ingediende versie {number:?} ontbreekt")))?;
    let application =
        domain::regulation::application::Application::from_json(&std::mem::take(&mut v.content)).map_err(corrupt)?;
    Ok((application, v))
}

pub(crate) fn state_of(row: &AssessmentRow) -> Result<AssessmentState> {
    AssessmentState::parse(&row.state).ok_or_else(|| corrupt(format!("beoordelingsstatus {}", row.state)))
}

pub(crate) use crate::corrupt;

/// The repair request a step's detail holds (its items and due date), if any.
fn request_in(detail: &serde_json::Value) -> Option<RepairRequest> {
    let items = serde_json::from_value(detail.get("items")?.clone()).ok()?;
    Some(RepairRequest { items, due: detail.get("due")?.as_str()?.parse().ok()? })
}

fn request_of(row: &AssessmentRow) -> Option<RepairRequest> {
    let items: Vec<String> = serde_json::from_str(row.request_items.as_deref()?).ok()?;
    Some(RepairRequest { items, due: row.request_due.as_deref()?.parse().ok()? })
}

pub fn today(app: &App) -> Result<Date> {
    app.today()
}

/// Where the application stands; `None` when nothing was submitted (or the phase is not decided on).
pub async fn status(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<Option<Status>> {
    let mut conn = app.db.conn().await?;
    let found = match find(app, &mut conn, actor, slug, phase).await {
        Err(ServiceError::NotFound) => return Ok(None),
        other => other?,
    };
    Ok(Some(load_status(app, &mut conn, actor, found).await?))
}

pub(crate) async fn load_status(app: &App, conn: &mut AnyConnection, actor: &Actor, found: Found) -> Result<Status> {
    let row = repo::get(conn, &found.application_id).await?;
    status_with(app, conn, actor, found, row).await
}

/// The status, the assessment's row (`None`: not yet touched) read already.
pub(crate) async fn status_with(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    found: Found,
    row: Option<AssessmentRow>,
) -> Result<Status> {
    let state = row.as_ref().map_or(Ok(AssessmentState::Ingediend), state_of)?;
    let mut steps = Vec::new();
    if let Some(row) = &row {
        for s in repo::steps(conn, &row.id).await? {
            let request = request_in(&serde_json::from_str(&s.detail).unwrap_or_default());
            steps.push(Step {
                from: AssessmentState::parse(&s.from_state).ok_or_else(|| corrupt(&s.from_state))?,
                to: AssessmentState::parse(&s.to_state).ok_or_else(|| corrupt(&s.to_state))?,
                comment: s.comment,
                by: s.by_name,
                at: s.at,
                request,
            });
        }
    }
    let (decision, withdrawn) = match &row {
        Some(row) => decisions::of(conn, &row.id).await?,
        None => (None, Vec::new()),
    };
    let facts = Facts {
        today: today(app)?,
        due: row.as_ref().and_then(request_of).map(|r| r.due),
        objection_until: decision.as_ref().map(|d| d.objection_until),
        objected: objected(decision.as_ref(), steps.iter().map(|s| (s.to.code(), s.at))),
    };
    Ok(Status {
        buttons: assessment::available(actor, &found.region.id, state, facts),
        request: row.as_ref().filter(|_| state == AssessmentState::AanvullingGevraagd).and_then(request_of),
        taken_by: row.as_ref().and_then(|r| r.taken_by_name.clone()),
        // A row not yet made starts at revision 1 (`ensure`).
        revision: row.as_ref().map_or(1, |r| r.revision),
        region: found.region,
        phase: found.phase,
        state,
        steps,
        decision,
        withdrawn,
        today: today(app)?,
    })
}

fn step_error(e: TransitionError) -> ServiceError {
    match e.field() {
        Some(field) => invalid(field, e.to_string()),
        None if matches!(e, TransitionError::Forbidden { .. }) => ServiceError::Denied(domain::Denied::Forbidden),
        None => ServiceError::NotAllowed(e.to_string()),
    }
}

/// The facts a step's condition reads: today, the repair request's due date, the objection period.
async fn facts(app: &App, conn: &mut AnyConnection, row: &AssessmentRow) -> Result<Facts> {
    let (decision, _) = decisions::of(conn, &row.id).await?;
    let steps = repo::steps(conn, &row.id).await?;
    let objected = objected(decision.as_ref(), steps.iter().map(|s| (s.to_state.as_str(), s.at)));
    Ok(Facts {
        today: today(app)?,
        due: request_of(row).map(|r| r.due),
        objection_until: decision.map(|d| d.objection_until),
        objected,
    })
}

/// Whether the region objected to `decision` already: a step to `bezwaar` since it was made.
fn objected<'a>(decision: Option<&decisions::DecisionView>, mut steps: impl Iterator<Item = (&'a str, i64)>) -> bool {
    decision.is_some_and(|d| steps.any(|(to, at)| to == AssessmentState::Bezwaar.code() && at >= d.created_at))
}

/// Refuses the funder's work on an application to an assessor who declared a conflict of interest.
pub(crate) async fn require_no_conflict(conn: &mut AnyConnection, row: &AssessmentRow, actor: &Actor) -> Result<()> {
    let me = actor.user_id.as_deref().unwrap_or_default();
    if repo::scorecards(conn, &row.id).await?.iter().any(|c| c.assessor_id == me && c.conflict) {
        return Err(ServiceError::NotAllowed(
            "U hebt een belangenconflict gemeld bij deze regio: een andere beoordelaar behandelt deze aanvraag.".into(),
        ));
    }
    Ok(())
}

/// The funder's later steps on a region (changes, reports, settlement) are not taken by an
/// assessor who declared a conflict of interest with it.
pub(crate) async fn require_no_conflict_in_region(
    conn: &mut AnyConnection,
    region_id: &str,
    actor: &Actor,
) -> Result<()> {
    let Some(me) = actor.user_id.as_deref() else { return Ok(()) };
    if actor.is_assessor() && repo::conflict_in_region(conn, region_id, me).await? {
        return Err(ServiceError::NotAllowed(
            "U hebt een belangenconflict gemeld bij deze regio: een andere beoordelaar behandelt dit.".into(),
        ));
    }
    Ok(())
}

/// Whether the region may submit (again) now: before the funder takes the application, within a
/// repair request's term, or after the decision (which keeps its own version); not while the
/// funder assesses it, nor after it went out of procedure.
pub(crate) async fn submission_allowed(app: &App, conn: &mut AnyConnection, application_id: &str) -> Result<()> {
    let Some(row) = repo::get(conn, application_id).await? else { return Ok(()) };
    let state = state_of(&row)?;
    match state {
        AssessmentState::Ingediend | AssessmentState::Besloten => Ok(()),
        AssessmentState::AanvullingGevraagd if repair_due(app, Some(&row))?.is_some() => Ok(()),
        AssessmentState::AanvullingGevraagd => {
            Err(ServiceError::NotAllowed("De termijn voor de aanvulling is voorbij; neem contact op met DUS-I.".into()))
        }
        _ => Err(ServiceError::NotAllowed(format!(
            "DUS-I behandelt deze aanvraag (status: {}): opnieuw indienen kan alleen als DUS-I om een aanvulling vraagt.",
            state.label().to_lowercase()
        ))),
    }
}

/// Takes a step of the table by hand: `to` with its comment, and for a repair request its items
/// and due date. `revision` (when given) must still be the assessment's, else `Conflict`.
pub async fn step(
    app: &App,
    actor: &Actor,
    (slug, phase): (&str, &str),
    to: AssessmentState,
    input: StepInput,
    revision: Option<i64>,
) -> Result<AssessmentState> {
    let mut tx = app.db.begin().await?;
    let found = find(app, &mut tx, actor, slug, phase).await?;
    let row = repo::ensure(&mut tx, &found.application_id).await?;
    if revision.is_some_and(|r| r != row.revision) {
        return Err(ServiceError::Conflict);
    }
    let from = state_of(&row)?;
    let facts = facts(app, &mut tx, &row).await?;
    let t = assessment::transition(actor, &found.region.id, (from, to), true, &input, facts).map_err(step_error)?;
    if t.who == Who::Assessor {
        require_no_conflict(&mut tx, &row, actor).await?;
    }
    let items: Vec<String> = input.items.iter().map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).collect();
    let items_json = serde_json::to_string(&items).map_err(corrupt)?;
    let due = input.due.map(|d| d.to_string()).unwrap_or_default();
    let change = Change {
        taken_by: (from == AssessmentState::Ingediend).then_some(actor.user_id.as_deref()).flatten(),
        request: t.repair_request.then_some((items_json.as_str(), due.as_str())),
        advice: None,
    };
    if from == AssessmentState::Bezwaar
        && to == AssessmentState::Beoordeeld
        && let Some(withdrawn) = repo::withdraw_decision(&mut tx, &row.id).await?
    {
        crate::payments::withdraw_unpaid(&mut tx, &withdrawn).await?;
    }
    let detail = if t.repair_request { json!({ "items": items, "due": due }) } else { json!({}) };
    record(app, &mut tx, actor, (&found, &row), t, (input.comment.trim(), &detail), &change).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(to)
}

/// Stores a step taken any way: the state, the history, the audit line and the message.
pub(crate) async fn record(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    (found, row): (&Found, &AssessmentRow),
    t: &Transition,
    (comment, detail): (&str, &serde_json::Value),
    change: &Change<'_>,
) -> Result<()> {
    repo::set_state(conn, &row.id, row.revision, t.to.code(), change).await?;
    let user = actor.user_id.as_deref();
    let detail_text = detail.to_string();
    repo::add_step(conn, &row.id, (t.from.code(), t.to.code()), (comment, &detail_text), user).await?;
    let audit_detail = json!({
        "phase": found.phase.id, "from": t.from.code(), "to": t.to.code(), "comment": comment, "detail": detail,
    });
    audit::append(conn, user, "assessment.step", "application", &found.application_id, &audit_detail).await?;
    notify(app, conn, t.notify, (found, row), (comment, detail)).await
}

/// The region's answer to a repair request: its resubmission puts the application back in
/// behandeling. Called in the submission's transaction; does nothing in any other state.
pub(crate) async fn resubmitted(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    found: Found,
    number: i64,
) -> Result<()> {
    let Some(row) = repo::get(conn, &found.application_id).await? else { return Ok(()) };
    if state_of(&row)? != AssessmentState::AanvullingGevraagd {
        return Ok(());
    }
    let facts = facts(app, conn, &row).await?;
    let (from, to) = (AssessmentState::AanvullingGevraagd, AssessmentState::InBehandeling);
    let t = assessment::transition(actor, &found.region.id, (from, to), false, &StepInput::default(), facts)
        .map_err(step_error)?;
    debug_assert_eq!(t.who, Who::Resubmission);
    let comment = format!("Aangevuld en opnieuw ingediend als versie {number}.");
    record(app, conn, actor, (&found, &row), t, (&comment, &json!({ "version": number })), &Change::default()).await?;
    // Scores handed in were about the earlier version: the assessors hand them in again.
    repo::reopen_scorecards(conn, &row.id).await?;
    Ok(())
}

/// After a submission (in its transaction): a resubmission that answers a repair request.
pub(crate) async fn after_submit(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    draft: &drafts::Draft,
    number: i64,
) -> Result<()> {
    let Some(phase) = app.current_regulation()?.phase(&draft.phase).filter(|p| p.assessed).cloned() else {
        return Ok(());
    };
    let region = regions::by_id(conn, &draft.region_id).await?.ok_or(ServiceError::NotFound)?;
    resubmitted(app, conn, actor, Found { region, phase, application_id: draft.id.clone() }, number).await
}

/// The end of the open repair request when it still runs today: the region may then change and
/// resubmit the application although the phase is closed.
pub(crate) async fn repair_until(app: &App, conn: &mut AnyConnection, application_id: &str) -> Result<Option<Date>> {
    let row = repo::get(conn, application_id).await?;
    repair_due(app, row.as_ref())
}

/// The end of the repair request `row` holds, when it still runs today.
pub(crate) fn repair_due(app: &App, row: Option<&AssessmentRow>) -> Result<Option<Date>> {
    let Some(row) = row else { return Ok(None) };
    let due = request_of(row).map(|r| r.due);
    let (state, today) = (state_of(row)?, today(app)?);
    Ok(due.filter(|_| assessment::repair_open(state, due, today)))
}

/// The regulation with the phase open until a repair request's due date (its deadline rule then
/// cites the request).
pub(crate) fn extended(reg: &domain::regulation::Regulation, phase: &str, due: Date) -> domain::regulation::Regulation {
    let why = format!("Verzoek om aanvulling van DUS-I: aanvullen tot en met {}", domain::fmt::date_nl(due));
    reg.extended(phase, due, &why)
}

/// The region's people who hear from the funder: its managers and lead applicants.
pub(crate) async fn region_recipients(
    conn: &mut AnyConnection,
    region_id: &str,
) -> Result<Vec<(String, String, String)>> {
    let mut people = users::holding(conn, region_id, Role::LeadApplicant).await?;
    for p in users::holding(conn, region_id, Role::RegionManager).await? {
        if !people.iter().any(|(id, _, _)| *id == p.0) {
            people.push(p);
        }
    }
    Ok(people)
}

/// The funder's people who hear from a region: the assessor who took it, else every assessor.
async fn funder_recipients(conn: &mut AnyConnection, row: &AssessmentRow) -> Result<Vec<(String, String, String)>> {
    let all = users::holding_nationally(conn, Role::Assessor).await?;
    let taker: Vec<_> = all.iter().filter(|(id, _, _)| Some(id) == row.taken_by.as_ref()).cloned().collect();
    Ok(if taker.is_empty() { all } else { taker })
}

/// Queues the message a step sends (the decision's own message, with its letter, is sent by
/// the decision).
async fn notify(
    app: &App,
    conn: &mut AnyConnection,
    what: Notify,
    (found, row): (&Found, &AssessmentRow),
    (comment, detail): (&str, &serde_json::Value),
) -> Result<()> {
    let (region, phase) = (&found.region.name, found.phase.label.to_lowercase());
    let why = if comment.is_empty() { String::new() } else { format!("\n\nToelichting van DUS-I:\n{comment}") };
    let region_path = format!("/regio/{}/aanvragen/{}", found.region.slug, found.phase.id);
    let funder_path = format!("/beoordeling/{}/{}", found.region.slug, found.phase.id);
    let (to_region, subject, body) = match what {
        Notify::None | Notify::Decided => return Ok(()),
        Notify::Taken => (
            true,
            format!("Aanvraag in behandeling: {region}"),
            format!("DUS-I heeft de {phase} van {region} in behandeling genomen."),
        ),
        Notify::RepairRequested => {
            let request = request_in(detail).unwrap_or(RepairRequest { items: Vec::new(), due: Date::default() });
            let due = domain::fmt::date_nl(request.due);
            let list: String = request.items.iter().map(|i| format!("- {i}\n")).collect();
            (
                true,
                format!("Aanvulling gevraagd: {region}"),
                format!(
                    "DUS-I vraagt {region} de {phase} aan te vullen, uiterlijk op {due}:\n\n{list}\nVul de aanvraag aan en dien haar opnieuw in. Komt de aanvulling niet op tijd, dan kan DUS-I de aanvraag buiten behandeling stellen.{why}"
                ),
            )
        }
        Notify::Resubmitted => (
            false,
            format!("Aanvulling ontvangen: {region}"),
            format!("{region} heeft de {phase} aangevuld. {comment}"),
        ),
        Notify::OutOfProcedure => (
            true,
            format!("Aanvraag buiten behandeling: {region}"),
            format!(
                "DUS-I heeft de {phase} van {region} buiten behandeling gesteld: de aanvulling kwam niet binnen de termijn.{why}"
            ),
        ),
        Notify::ObjectionLodged => (
            false,
            format!("Bezwaar tegen het besluit: {region}"),
            format!("{region} maakt bezwaar tegen het besluit op de {phase}.\n\nHet bezwaar:\n{comment}"),
        ),
        Notify::ObjectionDecided => (
            true,
            format!("Beslissing op bezwaar: {region}"),
            format!("DUS-I heeft beslist op het bezwaar van {region} tegen het besluit op de {phase}.{why}"),
        ),
    };
    let (recipients, path) = if to_region {
        (region_recipients(conn, &found.region.id).await?, region_path)
    } else {
        (funder_recipients(conn, row).await?, funder_path)
    };
    let kind = format!(
        "assessment.{}",
        serde_json::to_value(what).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    );
    mail::queue_to(app, conn, &recipients, &mail::Letter { kind: &kind, subject, body, path }).await
}

/// Whether the actor may score, advise, decide or pay in the region: asked before a body is read.
pub async fn authorize_assess(app: &App, actor: &Actor, slug: &str) -> Result<()> {
    actor.require(Action::Assess)?;
    let mut conn = app.db.conn().await?;
    regions::by_slug(&mut conn, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)?;
    Ok(())
}

/// Whether the actor takes any step in the region's assessment (the funder's staff, or the
/// region's own managers and lead applicant): asked before a body is read.
pub async fn authorize_step(app: &App, actor: &Actor, slug: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    let region = regions::by_slug(&mut conn, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)?;
    actor.require(Action::ViewApplication { region_id: &region.id })?;
    if actor.permits(Action::Assess) || actor.permits(Action::EditApplication { region_id: &region.id }) {
        Ok(())
    } else {
        Err(ServiceError::Denied(domain::Denied::Forbidden))
    }
}
