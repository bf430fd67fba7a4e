//! A region's application per phase: start it from the registry, edit it with optimistic
//! versioning, check it against the regulation, submit a frozen version with its SHA-256.

use domain::regulation::application::{
    Agreement, Application, ApplicationOrganisation, ApplicationRegion, FORMAT, FormatError,
};
use domain::regulation::check::{self, LineEval, Report};
use domain::regulation::diff;
use domain::regulation::summary::{self, Summary};
use domain::regulation::{Regulation, Window};
use domain::{Action, Actor, FieldErrors, Region, RegionKind};
use jiff::Timestamp;
use rust_decimal::Decimal;
use serde_json::json;
use store::applications as repo;
use store::{AnyConnection, StoreError, audit, regions};

use crate::auth::sha256_hex;
use crate::cosigning::with_confirmations;
use crate::{App, Result, ServiceError};

mod submit;
mod versions;
pub use crate::drafts::ChangeInWork;
use crate::drafts::{change_in_work, open_draft, parse_stored, phase_known, region_for};
pub use submit::submit;
use versions::version_info;
pub use versions::{changes, content, versions};

/// The regulation the workspace builds applications for.
pub const REGULATION: &str = "sto-2025-2028";

/// A submitted version, without its content.
#[derive(Debug, Clone)]
pub struct VersionInfo {
    pub number: i64,
    pub sha256: String,
    pub submitted_at: i64,
    pub submitted_by: String,
}

/// Everything the workspace page shows.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub region: Region,
    pub application: Application,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by: Option<String>,
    /// The checks: of the latest submission when `judged_at` is set, else of the draft.
    pub report: Report,
    /// The draft's totals, as its budget table and summary show them.
    pub totals: check::Totals,
    pub summary: Summary,
    /// Each budget line's eligible amount and whether its rate is above the cap, by index.
    pub lines: Vec<LineStatus>,
    pub versions: Vec<VersionInfo>,
    /// May the actor change it: an editor of the region, while the phase is open.
    pub can_edit: bool,
    pub window: Window,
    /// Where the submitted application stands at the funder.
    pub funder: Option<crate::assessments::Status>,
    /// When the phase is closed and the draft was submitted: the checks are as of the latest
    /// submission (milliseconds since the epoch), not today.
    pub judged_at: Option<i64>,
    /// The change request in the works for this phase: while the region edits it, the workspace
    /// is open for it and submitting goes through the request.
    pub change: Option<ChangeInWork>,
    /// The cooperation agreement: every party's standing, and whether the actor may submit.
    pub agreement: crate::cosigning::AgreementState,
}

#[derive(Debug, Clone, Copy)]
pub struct LineStatus {
    pub eligible: Decimal,
    pub above_cap: bool,
}

/// A phase of the regulation and where the region stands in it.
#[derive(Debug, Clone)]
pub struct PhaseStatus {
    pub id: String,
    pub label: String,
    pub started: bool,
    pub versions: usize,
    pub window: Window,
}

fn format_error(e: FormatError) -> ServiceError {
    let mut errors = FieldErrors::default();
    errors.add(&e.path, e.message);
    ServiceError::Invalid(errors)
}

pub(crate) fn check_error(e: check::CheckError) -> ServiceError {
    match e {
        check::CheckError::Format(f) => format_error(f),
        check::CheckError::Regulation(r) => ServiceError::Store(StoreError::Corrupt(r.to_string())),
    }
}

/// Whether the actor may change the region's applications: asked before an upload is read.
pub async fn authorize_edit(app: &App, actor: &Actor, slug: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    region_for(&mut conn, actor, slug, true).await.map(|_| ())
}

/// The phases of the regulation, with whether the region has a draft and how many versions.
pub async fn overview(app: &App, actor: &Actor, slug: &str) -> Result<(Region, Vec<PhaseStatus>)> {
    let mut conn = app.db.conn().await?;
    let region = region_for(&mut conn, actor, slug, false).await?;
    let drafts = repo::for_region(&mut conn, &region.id).await?;
    let mut phases = Vec::new();
    for p in &app.current_regulation()?.phases {
        let draft = drafts.iter().find(|d| d.phase == p.id);
        let versions = match draft {
            Some(d) => repo::versions(&mut conn, &d.id, false).await?.len(),
            None => 0,
        };
        let window = crate::phases::window(app, &p.id)?;
        phases.push(PhaseStatus {
            id: p.id.clone(),
            label: p.label.clone(),
            started: draft.is_some(),
            versions,
            window,
        });
    }
    Ok((region, phases))
}

/// A new application for a phase, filled from the registry: the region's organisations and lead applicant.
pub(crate) fn from_registry(
    region: &Region,
    members: &[domain::Organisation],
    phase: &str,
    now: Timestamp,
) -> Application {
    let lead = region
        .lead_applicant_id
        .clone()
        .or_else(|| members.iter().find(|m| m.kind.may_lead()).map(|m| m.id.clone()))
        .unwrap_or_default();
    Application {
        format: FORMAT.into(),
        regulation: REGULATION.into(),
        phase: phase.into(),
        submitted_at: now,
        region: ApplicationRegion {
            name: region.name.clone(),
            kind: region.kind.unwrap_or(RegionKind::Technical),
            maximum_eur: None,
        },
        lead_applicant: lead,
        organisations: members
            .iter()
            .map(|m| ApplicationOrganisation {
                id: m.id.clone(),
                name: m.name.clone(),
                kind: m.kind,
                duo_code: m.duo_code.clone(),
            })
            .collect(),
        agreement: Some(Agreement::default()),
        vision: None,
        activities: Vec::new(),
        budget: Vec::new(),
    }
}

pub async fn start(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<()> {
    phase_known(app, phase)?;
    let mut tx = app.db.begin().await?;
    let region = region_for(&mut tx, actor, slug, true).await?;
    if repo::get(&mut tx, &region.id, phase).await?.is_some() {
        return Ok(());
    }
    crate::phases::require_open(app, actor, phase)?;
    let members = regions::members(&mut tx, &region.id).await?;
    let mut application = from_registry(&region, &members, phase, app.now());
    let from = continue_from(&mut tx, &region.id, &mut application).await?;
    let user = actor.user_id.as_deref();
    let id = repo::insert(&mut tx, &region.id, phase, &application.canonical_json(), user).await?;
    let detail = json!({ "phase": phase, "continued_from": from });
    audit::append(&mut tx, user, "application.start", "application", &id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// A new phase goes on from the region's latest submitted version of another phase: its vision,
/// activities and cooperation agreement (its budget belongs to that phase's years and stays behind). Returns which
/// phase and version it came from.
async fn continue_from(
    conn: &mut AnyConnection,
    region_id: &str,
    application: &mut Application,
) -> Result<Option<(String, i64)>> {
    let mut latest: Option<(repo::Version, String)> = None;
    for draft in repo::for_region(conn, region_id).await? {
        for v in repo::versions(conn, &draft.id, true).await? {
            if latest.as_ref().is_none_or(|(l, _)| v.submitted_at > l.submitted_at) {
                latest = Some((v, draft.phase.clone()));
            }
        }
    }
    let Some((version, phase)) = latest else { return Ok(None) };
    let earlier = parse_stored(&version.content)?;
    // The cooperation agreement runs for the whole programme: its text, document and paper
    // signatures go on (the signatures only while the agreement is the same, with today's
    // parties); the confirmations count again where it is the same.
    let mut carried = earlier.clone();
    carried.organisations = application.organisations.clone();
    carried.lead_applicant = application.lead_applicant.clone();
    carried.clear_ticks_if_changed(&earlier);
    carried.clear_confirmations();
    application.agreement = carried.agreement;
    application.vision = earlier.vision;
    application.activities = earlier.activities;
    // The partners are the region's members now (from the registry): one who left stays out.
    Ok(Some((phase, version.number)))
}

/// The regulation the application is judged by: the phase's own window, or until the end of a
/// repair request's due date.
async fn rules_for(
    app: &App,
    conn: &mut AnyConnection,
    phase: &str,
    repair: Option<jiff::civil::Date>,
) -> Result<Regulation> {
    let reg = crate::maximums::in_force(conn, app.current_regulation()?).await?;
    Ok(match repair {
        Some(due) => crate::assessments::extended(&reg, phase, due),
        None => reg,
    })
}

/// The checks as if `application` were submitted at `at`.
fn evaluate(
    reg: &Regulation,
    application: &Application,
    at: jiff::Timestamp,
) -> Result<(Report, Summary, Vec<LineStatus>)> {
    let mut as_then = application.clone();
    as_then.submitted_at = at;
    let (report, lines) = check::check_with_lines(reg, &as_then).map_err(check_error)?;
    let per_line =
        lines.iter().map(|l: &LineEval| LineStatus { eligible: l.eligible, above_cap: l.above_cap() }).collect();
    Ok((report, summary::summarise(&lines), per_line))
}

pub async fn workspace(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<Option<Workspace>> {
    phase_known(app, phase)?;
    let mut conn = app.db.conn().await?;
    let region = region_for(&mut conn, actor, slug, false).await?;
    let Some(draft) = repo::get(&mut conn, &region.id, phase).await? else { return Ok(None) };
    let (application, mut agreement) = crate::cosigning::draft_with_state(&mut conn, actor, &region, &draft).await?;
    let window = crate::phases::window(app, phase)?;
    // A repair request from the funder opens a closed phase for this region until its due date.
    let assessment = store::assessments::get(&mut conn, &draft.id).await?;
    let repair = crate::assessments::repair_due(app, assessment.as_ref())?;
    let reg = rules_for(app, &mut conn, phase, repair).await?;
    let change = change_in_work(&mut conn, &draft.id).await?;
    let editing_change = change.as_ref().is_some_and(|c| c.state.editable());
    let open = window.is_open() || repair.is_some() || editing_change;
    agreement.may_submit &= open;
    let stored = repo::versions(&mut conn, &draft.id, !open).await?;
    // The budget's figures are those of the application the page shows, line by line.
    let (report, summary, lines) = evaluate(&reg, &application, app.now())?;
    let totals = report.totals.clone();
    // A closed phase is judged as it was last submitted (that content, at that moment), not as a
    // submission of the draft today, which would be too late. The draft may have moved on since
    // (an approved change request), so only the checks come from the submission.
    let (judged_at, report) = match stored.last().filter(|_| !open) {
        Some(v) => {
            let at = jiff::Timestamp::from_millisecond(v.submitted_at).unwrap_or_else(|_| app.now());
            (Some(v.submitted_at), evaluate(&reg, &parse_stored(&v.content)?, at)?.0)
        }
        None => (None, report),
    };
    let reg_phase = app.current_regulation()?.phase(phase).filter(|p| p.assessed && !stored.is_empty()).cloned();
    let funder = match reg_phase {
        Some(phase) => {
            let found = crate::assessments::Found { region: region.clone(), phase, application_id: draft.id.clone() };
            Some(crate::assessments::status_with(app, &mut conn, actor, found, assessment).await?)
        }
        None => None,
    };
    let versions: Vec<VersionInfo> = stored.into_iter().map(version_info).collect();
    let can_edit = actor.permits(Action::EditApplication { region_id: &region.id }) && open;
    Ok(Some(Workspace {
        region,
        application,
        version: draft.version,
        updated_at: draft.updated_at,
        updated_by: draft.updated_by_name,
        report,
        totals,
        summary,
        lines,
        versions,
        can_edit,
        window,
        funder,
        judged_at,
        change,
        agreement,
    }))
}

/// The draft as the exchange format, with its version (for `If-Match`).
pub async fn get(app: &App, actor: &Actor, slug: &str, phase: &str) -> Result<(Application, i64)> {
    phase_known(app, phase)?;
    let mut conn = app.db.conn().await?;
    let region = region_for(&mut conn, actor, slug, false).await?;
    let draft = repo::get(&mut conn, &region.id, phase).await?.ok_or(ServiceError::NotFound)?;
    Ok((with_confirmations(&mut conn, &draft.region_id, parse_stored(&draft.content)?).await?, draft.version))
}

/// Replaces the draft with `new` when `expected_version` still holds; returns the new version.
/// Region, phase and regulation come from where it is stored, not from the document.
pub async fn save(
    app: &App,
    actor: &Actor,
    slug: &str,
    phase: &str,
    expected_version: i64,
    new: Application,
) -> Result<i64> {
    update(app, actor, slug, phase, expected_version, |current| {
        let mut new = new;
        new.region = current.region.clone();
        new.phase = current.phase.clone();
        new.regulation = current.regulation.clone();
        *current = new;
        Ok(())
    })
    .await
}

/// The draft an editor may change, when it is still at `expected_version` (else `Conflict`).
pub(crate) async fn draft_to_change(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    (slug, phase): (&str, &str),
    expected_version: i64,
) -> Result<repo::Draft> {
    let (_, draft) = open_draft(app, conn, actor, (slug, phase), true).await?;
    if draft.version != expected_version {
        return Err(ServiceError::Conflict);
    }
    Ok(draft)
}

/// Applies `change` to the draft and stores it, all or nothing, with the diff in the audit log.
pub async fn update(
    app: &App,
    actor: &Actor,
    slug: &str,
    phase: &str,
    expected_version: i64,
    change: impl FnOnce(&mut Application) -> Result<(), FieldErrors>,
) -> Result<i64> {
    let mut tx = app.db.begin().await?;
    let draft = draft_to_change(app, &mut tx, actor, (slug, phase), expected_version).await?;
    let version = change_draft(app, &mut tx, actor, &draft, |a| change(a).map_err(ServiceError::Invalid)).await?;
    tx.commit().await?;
    crate::mail::deliver(app).await?;
    Ok(version)
}

/// Applies `change` to `draft` in the caller's transaction: structure and regulation checked,
/// stored at the next version, the diff in the audit log.
pub(crate) async fn change_draft(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    draft: &repo::Draft,
    change: impl FnOnce(&mut Application) -> Result<()>,
) -> Result<i64> {
    let before = parse_stored(&draft.content)?;
    let mut after = before.clone();
    change(&mut after)?;
    // Confirmations are Sterk's own records, never what a change or a file says; paper
    // signatures were for the agreement as it was.
    after.clear_confirmations();
    after.clear_ticks_if_changed(&before);
    crate::files::own_agreement_only(conn, &draft.region_id, &before, &after).await?;
    after.validate_structure().map_err(format_error)?;
    let reg = app.current_regulation()?;
    check::check(reg, &after).map_err(check_error)?; // unknown categories and themes are refused here
    let content = after.canonical_json();
    let user = actor.user_id.as_deref();
    let version = repo::update(conn, &draft.id, draft.version, &content, user).await?;
    let changes: Vec<String> = diff::diff(&before, &after).into_iter().map(|c| c.text).collect();
    let detail = json!({
        "phase": draft.phase,
        "before": sha256_hex(&draft.content),
        "after": sha256_hex(&content),
        "changes": changes,
    });
    audit::append(conn, user, "application.update", "application", &draft.id, &detail).await?;
    crate::cosigning::after_change(app, conn, draft, (&before, &after)).await?;
    Ok(version)
}

/// Puts an approved school plan into the region's current draft (started when there is none), in
/// the caller's transaction; returns the phase. Earlier lines of the same plan are replaced.
pub(crate) async fn merge_school_plan(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    region: &Region,
    plan_id: &str,
    plan: &domain::school_plan::SchoolPlan,
) -> Result<String> {
    let phase = crate::phases::current_phase(app)?.id.clone();
    // An approval changes the application: only while that phase is open.
    crate::phases::require_open(app, actor, &phase)?;
    let members = regions::members(conn, &region.id).await?;
    let draft = match repo::get(conn, &region.id, &phase).await? {
        Some(d) => d,
        None => {
            let application = from_registry(region, &members, &phase, app.now());
            let user = actor.user_id.as_deref();
            let id = repo::insert(conn, &region.id, &phase, &application.canonical_json(), user).await?;
            audit::append(conn, user, "application.start", "application", &id, &json!({ "phase": phase })).await?;
            repo::get(conn, &region.id, &phase).await?.ok_or(ServiceError::NotFound)?
        }
    };
    let listed = from_registry(region, &members, &phase, app.now()).organisations;
    change_draft(app, conn, actor, &draft, |a| {
        domain::school_plan::merge_into(a, plan_id, plan, &listed);
        Ok(())
    })
    .await?;
    Ok(phase)
}

/// Imports an application file (from the command line or an upload): starts the draft when
/// needed and replaces it. `expected_version` `None` overwrites whatever is there (the operator's choice).
pub async fn import(
    app: &App,
    actor: &Actor,
    slug: &str,
    text: &str,
    expected_version: Option<i64>,
) -> Result<(String, i64)> {
    let application = Application::from_json(text).map_err(format_error)?;
    let phase = application.phase.clone();
    start(app, actor, slug, &phase).await?;
    let current = match expected_version {
        Some(v) => v,
        None => get(app, actor, slug, &phase).await?.1,
    };
    let version = save(app, actor, slug, &phase, current, application).await?;
    Ok((phase, version))
}
