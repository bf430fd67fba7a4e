//! Change requests (wijzigingsverzoek): the region proposes a change to a decided phase by
//! editing that phase's application (its workspace opens for the request); submitting freezes the
//! proposal beside the basis it changes. A minor change is reported and holds at once; a
//! substantial one waits for the funder. What holds becomes the plan execution follows.

use domain::change_request::{self as rules, ChangeState};
use domain::regulation::application::Application;
use domain::regulation::check::{self, Finding};
use domain::regulation::diff::{self, Change};
use domain::{Action, Actor, Region};
use std::collections::{BTreeMap, BTreeSet};

use domain::regulation::summary::{Sums, summarise};
use rust_decimal::Decimal;
use serde_json::json;
use store::change_requests::{self as repo, ChangeRequestRow, Moved, StepRow};
use store::{AnyConnection, StoreError, applications as drafts, audit, users};

use crate::assessments::decisions::DecisionView;
use crate::{App, Result, ServiceError, corrupt, live_region, mail};

/// The longest description a request takes.
const MAX_DESCRIPTION: usize = 10_000;

/// A request as lists show it.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub id: String,
    pub number: i64,
    pub phase: String,
    pub phase_label: String,
    pub state: ChangeState,
    pub description: String,
    /// Why it is substantial: as judged at submission, or now while the region edits it.
    pub reasons: Vec<String>,
    pub revision: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub holds_from: Option<i64>,
    pub sha256: Option<String>,
}

/// The region's requests and the phases a new one may change.
#[derive(Debug, Clone)]
pub struct Overview {
    pub region: Region,
    pub requests: Vec<RequestView>,
    /// (phase id, label) of the decided phases without a request in the works.
    pub startable: Vec<(String, String)>,
    pub can_start: bool,
}

/// One request with the basis beside the proposal.
#[derive(Debug, Clone)]
pub struct Detail {
    pub region: Region,
    pub request: RequestView,
    pub basis: Application,
    pub proposal: Application,
    pub changes: Vec<Change>,
    /// The rules the proposal fails (the submission waits for them).
    pub blocking: Vec<Finding>,
    pub steps: Vec<StepRow>,
    /// Where the actor may move it.
    pub next: Vec<ChangeState>,
    /// The region may change the description and the plan.
    pub can_edit: bool,
    /// The phase's application version the proposal was read at (a submission names it, so a
    /// colleague's edit made meanwhile is not frozen unseen).
    pub draft_version: i64,
    /// The budget side by side: (label, basis, proposal) per year, category and activity.
    pub per_year: Vec<Side>,
    pub per_category: Vec<Side>,
    pub per_activity: Vec<Side>,
}

/// One row of a side-by-side comparison: the label, the basis's amount and the proposal's.
pub type Side = (String, Decimal, Decimal);

/// Rows for every key of either summary, labelled by `label`.
fn sides<K: Ord + Clone>(
    basis: &BTreeMap<K, Sums>,
    proposal: &BTreeMap<K, Sums>,
    label: impl Fn(&K) -> String,
) -> Vec<Side> {
    let keys: BTreeSet<&K> = basis.keys().chain(proposal.keys()).collect();
    let amount = |m: &BTreeMap<K, Sums>, k: &K| m.get(k).map_or(Decimal::ZERO, |s| s.amount);
    keys.into_iter().map(|k| (label(k), amount(basis, k), amount(proposal, k))).collect()
}

/// A phase's decided application and the plan in force for it: the latest change that came to
/// hold after the decision (with its number), else the decided version.
pub(crate) async fn in_force(
    conn: &mut AnyConnection,
    application_id: &str,
    decision: &DecisionView,
    decided: Application,
) -> Result<(Application, Option<i64>)> {
    match repo::holding_of(conn, application_id).await? {
        Some(r) if r.holds_from.is_some_and(|at| at > decision.created_at) => {
            let content = r.content.as_deref().ok_or_else(|| corrupt("change request without content"))?;
            Ok((Application::from_json(content).map_err(corrupt)?, Some(r.number)))
        }
        _ => Ok((decided, None)),
    }
}

fn state_of(code: &str) -> Result<ChangeState> {
    ChangeState::parse(code).ok_or_else(|| corrupt(code))
}

/// The granting decision on a phase's application and the plan in force for it.
async fn decided_phase(
    conn: &mut AnyConnection,
    region: &Region,
    phase: &str,
) -> Result<Option<(drafts::Draft, Application)>> {
    let Some(draft) = drafts::get(conn, &region.id, phase).await? else { return Ok(None) };
    let decisions = store::assessments::current_decisions(conn, &region.id).await?;
    let Some((_, row)) = decisions.into_iter().find(|(a, _)| *a == draft.id) else { return Ok(None) };
    let decision = crate::assessments::decisions::view(row)?;
    if !decision.input.outcome.grants() {
        return Ok(None);
    }
    let version = drafts::versions(conn, &draft.id, true)
        .await?
        .into_iter()
        .find(|v| v.number == decision.version)
        .ok_or_else(|| corrupt("decided version missing"))?;
    let decided = Application::from_json(&version.content).map_err(corrupt)?;
    let (plan, _) = in_force(conn, &draft.id, &decision, decided).await?;
    Ok(Some((draft, plan)))
}

fn view(app: &App, r: &ChangeRequestRow, reasons: Vec<String>) -> Result<RequestView> {
    let reg = app.current_regulation()?;
    Ok(RequestView {
        id: r.id.clone(),
        number: r.number,
        phase: r.phase.clone(),
        phase_label: reg.phase(&r.phase).map_or_else(|| r.phase.clone(), |p| p.label.clone()),
        state: state_of(&r.state)?,
        description: r.description.clone(),
        reasons,
        revision: r.revision,
        created_by: r.created_by_name.clone(),
        created_at: r.created_at,
        holds_from: r.holds_from,
        sha256: r.sha256.clone(),
    })
}

fn stored_reasons(r: &ChangeRequestRow) -> Result<Vec<String>> {
    serde_json::from_str(&r.reasons).map_err(corrupt)
}

pub async fn overview(app: &App, actor: &Actor, slug: &str) -> Result<Overview> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    actor.require(Action::ViewApplication { region_id: &region.id })?;
    let rows = repo::of_region(&mut conn, &region.id).await?;
    let requests = rows.iter().map(|r| view(app, r, stored_reasons(r)?)).collect::<Result<Vec<_>>>()?;
    let mut startable = Vec::new();
    for phase in &app.current_regulation()?.phases {
        let busy = requests.iter().any(|r| r.phase == phase.id && r.state.is_open());
        if !busy && decided_phase(&mut conn, &region, &phase.id).await?.is_some() {
            startable.push((phase.id.clone(), phase.label.clone()));
        }
    }
    let can_start = actor.permits(Action::EditApplication { region_id: &region.id });
    Ok(Overview { region, requests, startable, can_start })
}

/// Starts a request on a decided phase: the phase's application is set to the plan in force,
/// for the region to change in its workspace. Returns the request's id.
pub async fn start(app: &App, actor: &Actor, slug: &str, phase: &str, description: &str) -> Result<String> {
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    actor.require(Action::EditApplication { region_id: &region.id })?;
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(crate::invalid("description", "De toelichting is te lang: hoogstens 10.000 tekens."));
    }
    let (draft, plan) = decided_phase(&mut tx, &region, phase).await?.ok_or_else(|| {
        ServiceError::NotAllowed(
            "Voor deze fase is (nog) geen besluit dat subsidie toekent: er is niets te wijzigen.".into(),
        )
    })?;
    let basis = plan.canonical_json();
    let user = actor.user_id.as_deref();
    let (id, number) = repo::insert(&mut tx, (&draft.id, &region.id), description.trim(), &basis, user).await.map_err(
        |e| match e {
            StoreError::Duplicate => ServiceError::NotAllowed(
                "Voor deze fase loopt al een wijzigingsverzoek: rond dat eerst af of trek het in.".into(),
            ),
            e => e.into(),
        },
    )?;
    crate::applications::change_draft(app, &mut tx, actor, &draft, |a| {
        *a = plan;
        Ok(())
    })
    .await?;
    let detail = json!({ "number": number, "phase": phase });
    audit::append(&mut tx, user, "change_request.start", "change_request", &id, &detail).await?;
    tx.commit().await?;
    Ok(id)
}

/// The request `id` of the region, for an actor who may see the region's application.
async fn find(conn: &mut AnyConnection, actor: &Actor, slug: &str, id: &str) -> Result<(Region, ChangeRequestRow)> {
    let region = live_region(conn, slug).await?;
    actor.require(Action::ViewApplication { region_id: &region.id })?;
    let row = repo::get(conn, id).await?.filter(|r| r.region_id == region.id).ok_or(ServiceError::NotFound)?;
    Ok((region, row))
}

/// The proposal as it stands, with the application version it was read at: the workspace's
/// draft while the region edits, else as submitted.
async fn proposal(conn: &mut AnyConnection, row: &ChangeRequestRow, state: ChangeState) -> Result<(Application, i64)> {
    let draft = drafts::get(conn, &row.region_id, &row.phase).await?.ok_or(ServiceError::NotFound)?;
    match (&row.content, state.editable()) {
        (Some(c), false) => Ok((Application::from_json(c).map_err(corrupt)?, draft.version)),
        _ => {
            let current = Application::from_json(&draft.content).map_err(corrupt)?;
            Ok((crate::cosigning::with_confirmations(conn, &draft.region_id, current).await?, draft.version))
        }
    }
}

/// Why the proposal is substantial and which rules it fails, by the regulation in force (the
/// deadline rule is the application's, not the change's).
async fn judge(
    app: &App,
    conn: &mut AnyConnection,
    basis: &Application,
    proposal: &Application,
) -> Result<(Vec<String>, Vec<Finding>)> {
    let reg = crate::maximums::in_force(conn, app.current_regulation()?).await?;
    let reasons = rules::substantial(&reg, basis, proposal).map_err(crate::applications::check_error)?;
    let report = check::check(&reg, proposal).map_err(crate::applications::check_error)?;
    let blocking = report.findings.into_iter().filter(|f| f.blocks() && f.rule != "deadline").collect();
    Ok((reasons, blocking))
}

pub async fn detail(app: &App, actor: &Actor, slug: &str, id: &str) -> Result<Detail> {
    let mut conn = app.db.conn().await?;
    let (region, row) = find(&mut conn, actor, slug, id).await?;
    let state = state_of(&row.state)?;
    let basis = Application::from_json(&row.basis).map_err(corrupt)?;
    let (proposal, draft_version) = proposal(&mut conn, &row, state).await?;
    let (live, blocking) = judge(app, &mut conn, &basis, &proposal).await?;
    let reasons = if state.editable() { live } else { stored_reasons(&row)? };
    let substantial = !reasons.is_empty();
    let next = rules::available(actor, &region.id, state, substantial).into_iter().map(|t| t.to).collect();
    let can_edit = state.editable() && actor.permits(Action::EditApplication { region_id: &region.id });
    let reg = app.current_regulation()?;
    let sum = |a: &Application| {
        check::evaluate_lines(reg, a).map(|l| summarise(&l)).map_err(crate::applications::check_error)
    };
    let (before, after) = (sum(&basis)?, sum(&proposal)?);
    let category = |id: &String| reg.category(id).map_or_else(|| id.clone(), |c| c.label.clone());
    let activity = |id: &String| {
        let of = |a: &Application| a.activities.iter().find(|x| x.id == *id).map(|x| x.title.clone());
        of(&proposal).or_else(|| of(&basis)).unwrap_or_else(|| id.clone())
    };
    Ok(Detail {
        per_year: sides(&before.per_year, &after.per_year, |y| y.to_string()),
        per_category: sides(&before.per_category, &after.per_category, category),
        per_activity: sides(&before.per_activity, &after.per_activity, activity),
        changes: diff::diff(&basis, &proposal),
        request: view(app, &row, reasons)?,
        steps: repo::steps(&mut conn, &row.id).await?,
        region,
        basis,
        proposal,
        blocking,
        next,
        can_edit,
        draft_version,
    })
}

/// Changes the description while the region edits the request.
pub async fn describe(app: &App, actor: &Actor, slug: &str, (id, revision): (&str, i64), text: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let (region, row) = find(&mut tx, actor, slug, id).await?;
    actor.require(Action::EditApplication { region_id: &region.id })?;
    if !state_of(&row.state)?.editable() {
        return Err(ServiceError::NotAllowed("Deze wijziging is ingediend: de toelichting ligt vast.".into()));
    }
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(crate::invalid("description", "De toelichting is te lang: hoogstens 10.000 tekens."));
    }
    repo::describe(&mut tx, (id, revision), text.trim()).await?;
    audit::append(&mut tx, actor.user_id.as_deref(), "change_request.describe", "change_request", id, &json!({}))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a step: `to` `None` is the region's submission (to the funder when substantial, else
/// reported). The request must still be at `revision`, else `Conflict`.
/// The region's submission names the application version it saw (`draft_version`); a
/// different one is a `Conflict`.
pub async fn step(
    app: &App,
    actor: &Actor,
    slug: &str,
    (id, revision, draft_version): (&str, i64, Option<i64>),
    to: Option<ChangeState>,
    comment: &str,
) -> Result<ChangeState> {
    let mut tx = app.db.begin().await?;
    let (region, row) = find(&mut tx, actor, slug, id).await?;
    let from = state_of(&row.state)?;
    let basis = Application::from_json(&row.basis).map_err(corrupt)?;
    let (proposal, seen) = proposal(&mut tx, &row, from).await?;
    if from.editable() && draft_version.is_some_and(|v| v != seen) {
        return Err(ServiceError::Conflict);
    }
    let (reasons, blocking) = if from.editable() {
        judge(app, &mut tx, &basis, &proposal).await?
    } else {
        (stored_reasons(&row)?, Vec::new())
    };
    let to = to.unwrap_or(rules::submitted_state(!reasons.is_empty()));
    let t = rules::transition(actor, &region.id, (from, to), !reasons.is_empty(), comment).map_err(transition_error)?;
    if t.who == rules::Who::Assessor {
        crate::assessments::require_no_conflict_in_region(&mut tx, &region.id, actor).await?;
    }
    if to == ChangeState::Goedgekeurd {
        let reg = crate::maximums::in_force(&mut tx, app.current_regulation()?).await?;
        if rules::raises_subsidy(&reg, &basis, &proposal).map_err(crate::applications::check_error)? {
            return Err(ServiceError::NotAllowed(
                "Deze wijziging vraagt meer subsidie dan besloten: dat kan alleen met een nieuw besluit. Wijs haar af of stuur haar terug.".into(),
            ));
        }
    }
    let submits = matches!(to, ChangeState::Ingediend | ChangeState::Gemeld);
    if submits {
        if description_missing(&row) {
            return Err(crate::invalid("description", "Beschrijf de wijziging en waarom ze nodig is."));
        }
        if !blocking.is_empty() {
            return Err(ServiceError::SubmitRefused(blocking));
        }
        if proposal.says_the_same_as(&basis) {
            return Err(ServiceError::NotAllowed(
                "Het plan is nog gelijk aan het besloten plan: er is niets gewijzigd.".into(),
            ));
        }
    }
    let content = submits.then(|| proposal.canonical_json());
    let sha256 = content.as_deref().map(crate::auth::sha256_hex);
    let reasons_json = serde_json::to_string(&reasons).map_err(corrupt)?;
    let moved = Moved {
        frozen: content.as_deref().zip(sha256.as_deref()).map(|(c, s)| (c, s, reasons_json.as_str())),
        holds: to.holds(),
    };
    let user = actor.user_id.as_deref();
    repo::step(&mut tx, (id, revision), (from.code(), to.code()), moved, (comment.trim(), user)).await?;
    if matches!(to, ChangeState::Afgewezen | ChangeState::Ingetrokken) {
        restore_basis(app, &mut tx, actor, &row, basis).await?;
    }
    let detail = json!({ "number": row.number, "from": from.code(), "to": to.code(), "sha256": sha256 });
    audit::append(&mut tx, user, "change_request.step", "change_request", id, &detail).await?;
    notify(app, &mut tx, t.notify, (&region, &row), comment.trim()).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(to)
}

fn description_missing(row: &ChangeRequestRow) -> bool {
    row.description.trim().is_empty()
}

/// A refused or withdrawn change leaves the phase's application as the plan in force again.
async fn restore_basis(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ChangeRequestRow,
    basis: Application,
) -> Result<()> {
    let draft = drafts::get(conn, &row.region_id, &row.phase).await?.ok_or(ServiceError::NotFound)?;
    // The funder's refusal is taken by someone who cannot edit the region's application.
    let system = Actor { system: true, ..actor.clone() };
    crate::applications::change_draft(app, conn, &system, &draft, |a| {
        *a = basis;
        Ok(())
    })
    .await
    .map(|_| ())
}

fn transition_error(e: rules::TransitionError) -> ServiceError {
    use rules::TransitionError as E;
    match e {
        E::Forbidden { .. } => ServiceError::Denied(domain::Denied::Forbidden),
        E::CommentRequired { .. } | E::TooLong => crate::invalid("comment", e.to_string()),
        E::NotAllowed { .. } | E::NeedsApproval | E::OnlyReport => ServiceError::NotAllowed(e.to_string()),
    }
}

async fn notify(
    app: &App,
    conn: &mut AnyConnection,
    what: rules::Notify,
    (region, row): (&Region, &ChangeRequestRow),
    comment: &str,
) -> Result<()> {
    use rules::Notify as N;
    let name = &region.name;
    let path = format!("/regio/{}/uitvoering/wijzigingen/{}", region.slug, row.id);
    let (recipients, subject, body) = match what {
        N::None => return Ok(()),
        N::Submitted => (
            users::holding_nationally(conn, domain::Role::Assessor).await?,
            format!("Wijzigingsverzoek ter goedkeuring: {name}"),
            format!("{name} vraagt goedkeuring voor wijziging {}: {}", row.number, row.description),
        ),
        N::Reported => (
            users::holding_nationally(conn, domain::Role::Assessor).await?,
            format!("Wijziging gemeld: {name}"),
            format!("{name} meldt wijziging {} (niet wezenlijk): {}", row.number, row.description),
        ),
        N::Answered => {
            let state = repo::get(conn, &row.id).await?.map(|r| r.state).unwrap_or_default();
            let label = ChangeState::parse(&state).map_or("beantwoord", |s| s.label());
            let why = if comment.is_empty() { String::new() } else { format!("\n\nToelichting van DUS-I:\n{comment}") };
            (
                crate::assessments::region_recipients(conn, &region.id).await?,
                format!("Wijzigingsverzoek {}: {}", label.to_lowercase(), name),
                format!("DUS-I heeft wijziging {} van {name} {}.{why}", row.number, label.to_lowercase()),
            )
        }
    };
    let kind = format!(
        "change_request.{}",
        serde_json::to_value(what).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    );
    mail::queue_to(app, conn, &recipients, &mail::Letter { kind: &kind, subject, body, path }).await
}

/// A request waiting for the funder, for the funder's work list.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: String,
    pub region_slug: String,
    pub region: String,
    pub number: i64,
    pub phase_label: String,
    pub description: String,
    pub created_at: i64,
}

/// The substantial requests waiting for the funder, oldest first.
pub async fn waiting(app: &App, actor: &Actor) -> Result<Vec<Waiting>> {
    actor.require(Action::ViewAssessment)?;
    let mut conn = app.db.conn().await?;
    let reg = app.current_regulation()?;
    let mut out = Vec::new();
    for r in repo::in_states(&mut conn, &[ChangeState::Ingediend.code()]).await? {
        let Some(region) = store::regions::by_id(&mut conn, &r.region_id).await? else { continue };
        out.push(Waiting {
            id: r.id,
            region_slug: region.slug,
            region: region.name,
            number: r.number,
            phase_label: reg.phase(&r.phase).map_or(r.phase.clone(), |p| p.label.clone()),
            description: r.description,
            created_at: r.created_at,
        });
    }
    Ok(out)
}

/// The request as a letter to the funder: (file name, PDF).
pub async fn letter(app: &App, actor: &Actor, slug: &str, id: &str) -> Result<(String, Vec<u8>)> {
    let d = detail(app, actor, slug, id).await?;
    let reg = app.current_regulation()?;
    let mut notice = rules::notice_between(&d.basis, &d.proposal, &d.request.description);
    let at = d.request.holds_from.unwrap_or(d.request.created_at);
    notice.date = jiff::Timestamp::from_millisecond(at).ok().map(|t| t.to_zoned_datetime(reg.time_zone()).date());
    let (reg, region) = (reg.clone(), d.region.name.clone());
    let (basis, reasons) = (d.basis, d.request.reasons);
    let bytes = crate::cpu::run(move || {
        docs::report::change_notice_pdf(&reg, &region, &basis, &notice, &reasons).map_err(corrupt)
    })
    .await??;
    Ok((format!("wijziging-{}-{}.pdf", d.region.slug, d.request.number), bytes))
}
