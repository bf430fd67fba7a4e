//! School plans (deelplannen): a school writes a plan for its region, the region's manager
//! reviews it through the workflow of `domain::school_plan`, and an approved plan's activities
//! and budget lines go into the region's current draft application, marked with the plan's id.

use domain::school_plan::{self, Gap, Notify, PlanScope, PlanState, SchoolPlan, Transition, TransitionError};
use domain::{Action, Actor, FieldErrors, Region, Role};
use serde_json::json;
use store::school_plans::{self as repo, NewPlan};
pub use store::school_plans::{Attachment, HistoryEntry, PlanRow};
use store::{AnyConnection, StoreError, audit, regions, users};

use crate::mail;
use crate::{App, Result, ServiceError, invalid, live_region};

mod board;
mod endorsement;
pub use board::{Board, BoardFilter, PlanSummary, board, plans};
pub use endorsement::{Leader, LinkView, awaiting, by_link, endorsers, link};

/// A plan as stored, with what the actor may do with it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub row: PlanRow,
    pub region: Region,
    pub plan: SchoolPlan,
    pub state: PlanState,
    pub history: Vec<HistoryEntry>,
    pub attachments: Vec<Attachment>,
    /// The steps the actor may take now.
    pub transitions: Vec<&'static Transition>,
    pub can_edit: bool,
    /// What the plan still lacks before it can be submitted (blocking) or should have (advice).
    pub gaps: Vec<Gap>,
}

fn parse(row: &PlanRow) -> Result<(SchoolPlan, PlanState)> {
    let plan: SchoolPlan = serde_json::from_str(&row.content)
        .map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("deelplan {}: {e}", row.id))))?;
    let state = PlanState::parse(&row.state)
        .ok_or_else(|| ServiceError::Store(StoreError::Corrupt(format!("status {}", row.state))))?;
    Ok((plan, state))
}

/// The region's reviewers see every plan; a school contact the plans of the own school and
/// the own; an author the own.
fn may_view(actor: &Actor, row: &PlanRow) -> bool {
    actor.permits(Action::ViewAllSchoolPlans { region_id: &row.region_id })
        || actor.user_id.as_deref() == Some(row.author_id.as_str())
        || actor.acts_for(Role::SchoolContact, &row.region_id, &row.organisation_id)
        || actor.signs_for(&row.region_id, &row.organisation_id)
}

/// The author's own plans and those of the schools they act for (as contact or management).
fn of_own_school(actor: &Actor, row: &PlanRow) -> bool {
    actor.user_id.as_deref() == Some(row.author_id.as_str())
        || actor.acts_for(Role::SchoolContact, &row.region_id, &row.organisation_id)
        || actor.signs_for(&row.region_id, &row.organisation_id)
}

/// The plan, when the actor may see it (others get `NotFound`, so ids reveal nothing).
async fn load(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<PlanRow> {
    actor.require(Action::UseAccount)?;
    let row = repo::get(conn, id).await?.ok_or(ServiceError::NotFound)?;
    if !may_view(actor, &row) {
        return Err(ServiceError::NotFound);
    }
    Ok(row)
}

fn scope(row: &PlanRow) -> PlanScope<'_> {
    PlanScope { region_id: &row.region_id, author_id: &row.author_id, organisation_id: &row.organisation_id }
}

async fn member_ids(conn: &mut AnyConnection, region_id: &str) -> Result<(Vec<String>, Vec<domain::Organisation>)> {
    let members = regions::members(conn, region_id).await?;
    Ok((members.iter().map(|m| m.id.clone()).collect(), members))
}

fn checked(app: &App, plan: &SchoolPlan, member_ids: &[String], schools: &[domain::Organisation]) -> Result<()> {
    let mut e = plan.validate(app.current_regulation()?, member_ids);
    if !plan.organisation.is_empty() && !schools.iter().any(|s| s.id == plan.organisation && s.kind.is_school()) {
        e.add("organisation", "Een deelplan is van een school: kies een school uit de regio.");
    }
    e.into_result(()).map_err(ServiceError::Invalid)
}

/// A school contact files plans for the own school only (the form offers no other; only a
/// forged request names another school, and is refused as such).
fn for_own_school(actor: &Actor, region_id: &str, author_id: Option<&str>, plan: &SchoolPlan) -> Result<()> {
    let organisation_id = Some(plan.organisation.as_str());
    Ok(actor.require(Action::WriteSchoolPlan { region_id, author_id, organisation_id })?)
}

/// Whether the actor may change plan `id` now: asked before an attachment is read.
pub async fn authorize_write(app: &App, actor: &Actor, id: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    let row = load(&mut conn, actor, id).await?;
    actor.require(Action::WriteSchoolPlan {
        region_id: &row.region_id,
        author_id: Some(&row.author_id),
        organisation_id: Some(&row.organisation_id),
    })?;
    Ok(())
}

/// A new plan in `concept`, written by the actor.
pub async fn create(app: &App, actor: &Actor, slug: &str, plan: SchoolPlan) -> Result<String> {
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    actor.require(Action::WriteSchoolPlan { region_id: &region.id, author_id: None, organisation_id: None })?;
    let author = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let (ids, members) = member_ids(&mut tx, &region.id).await?;
    checked(app, &plan, &ids, &members)?;
    for_own_school(actor, &region.id, None, &plan)?;
    let content = serde_json::to_string(&plan).expect("a plan serialises");
    let new = NewPlan {
        region_id: &region.id,
        organisation_id: &plan.organisation,
        author_id: author,
        state: PlanState::Concept.code(),
        content: &content,
    };
    let id = repo::insert(&mut tx, &new).await?;
    audit::append(&mut tx, Some(author), "school_plan.create", "school_plan", &id, &json!({ "title": plan.title }))
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<PlanView> {
    let mut conn = app.db.conn().await?;
    let row = load(&mut conn, actor, id).await?;
    let (plan, state) = parse(&row)?;
    let region = regions::by_id(&mut conn, &row.region_id).await?.ok_or(ServiceError::NotFound)?;
    let history = repo::history(&mut conn, &row.id).await?;
    let attachments = repo::attachments(&mut conn, &row.id).await?;
    let transitions = school_plan::available(actor, scope(&row), state);
    let can_edit = state.editable()
        && actor.permits(Action::WriteSchoolPlan {
            region_id: &row.region_id,
            author_id: Some(&row.author_id),
            organisation_id: Some(&row.organisation_id),
        });
    let gaps = plan.gaps(app.current_regulation()?);
    Ok(PlanView { row, region, plan, state, history, attachments, transitions, can_edit, gaps })
}

/// Who a submitted plan goes to: the names of the region's managers, who get the message.
pub async fn reviewers(app: &App, actor: &Actor, id: &str) -> Result<Vec<String>> {
    let mut conn = app.db.conn().await?;
    let row = load(&mut conn, actor, id).await?;
    let managers = users::holding(&mut conn, &row.region_id, Role::RegionManager).await?;
    Ok(managers.into_iter().map(|(_, _, name)| name).collect())
}

/// The plan the actor may change now, at `expected_version` (else `Conflict`).
async fn editable(conn: &mut AnyConnection, actor: &Actor, id: &str, expected_version: i64) -> Result<PlanRow> {
    let row = load(conn, actor, id).await?;
    actor.require(Action::WriteSchoolPlan {
        region_id: &row.region_id,
        author_id: Some(&row.author_id),
        organisation_id: Some(&row.organisation_id),
    })?;
    let (_, state) = parse(&row)?;
    if !state.editable() {
        return Err(invalid(
            "state",
            format!("Een deelplan met status {} kan niet worden gewijzigd.", state.label().to_lowercase()),
        ));
    }
    if row.version != expected_version {
        return Err(ServiceError::Conflict);
    }
    Ok(row)
}

/// Applies `change` to an editable plan; returns the new version.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: &str,
    expected_version: i64,
    change: impl FnOnce(&mut SchoolPlan) -> Result<(), FieldErrors>,
) -> Result<i64> {
    let mut tx = app.db.begin().await?;
    let row = editable(&mut tx, actor, id, expected_version).await?;
    let (mut plan, state) = parse(&row)?;
    change(&mut plan)?;
    let (ids, members) = member_ids(&mut tx, &row.region_id).await?;
    checked(app, &plan, &ids, &members)?;
    for_own_school(actor, &row.region_id, Some(&row.author_id), &plan)?;
    let content = serde_json::to_string(&plan).expect("a plan serialises");
    let version = repo::update(&mut tx, id, expected_version, (&plan.organisation, state.code(), &content)).await?;
    audit::append(&mut tx, actor.user_id.as_deref(), "school_plan.update", "school_plan", id, &json!({})).await?;
    tx.commit().await?;
    Ok(version)
}

/// Moves the plan along the workflow; an approval puts it into the region's application.
pub async fn transition(app: &App, actor: &Actor, id: &str, to: PlanState, comment: &str) -> Result<PlanState> {
    transition_with(app, actor, id, (to, comment), None).await
}

/// [`transition`], naming (for a plan going to the school's management) the school leader who
/// gets a one-use link to endorse it.
pub async fn transition_with(
    app: &App,
    actor: &Actor,
    id: &str,
    (to, comment): (PlanState, &str),
    leader: Option<&Leader>,
) -> Result<PlanState> {
    let mut tx = app.db.begin().await?;
    let row = load(&mut tx, actor, id).await?;
    let done = apply(app, &mut tx, actor, &row, (to, comment), By { label: None, leader }).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(done)
}

/// Who takes a step besides the actor: someone without an account (`label`, for the history),
/// and the school leader to mail a link to.
#[derive(Default)]
struct By<'a> {
    label: Option<&'a str>,
    leader: Option<&'a Leader>,
}

/// Takes one step of the workflow on a loaded plan, in the caller's transaction.
async fn apply(
    app: &App,
    tx: &mut AnyConnection,
    actor: &Actor,
    row: &PlanRow,
    (to, comment): (PlanState, &str),
    by: By<'_>,
) -> Result<PlanState> {
    let (plan, from) = parse(row)?;
    let step = school_plan::transition(actor, scope(row), from, to, comment).map_err(|e| match e {
        TransitionError::Forbidden { .. } => ServiceError::Denied(domain::Denied::Forbidden),
        e @ TransitionError::NotAllowed { .. } => ServiceError::NotAllowed(e.to_string()),
        e @ TransitionError::CommentRequired { .. } => invalid("comment", e.to_string()),
    })?;
    let region = regions::by_id(tx, &row.region_id).await?.ok_or(ServiceError::NotFound)?;
    // Only a complete plan goes to the school's management and the region, and only a complete
    // one into the application.
    if matches!(step.to, PlanState::BijSchoolleiding | PlanState::Ingediend | PlanState::Goedgekeurd) {
        plan.incomplete(app.current_regulation()?).into_result(()).map_err(ServiceError::Invalid)?;
    }
    if step.to == PlanState::Goedgekeurd {
        crate::applications::merge_school_plan(app, tx, actor, &region, &row.id, &plan).await?;
    }
    if step.notify == Notify::EndorsementAsked {
        endorsement::ask(app, tx, (&region, row, &plan), by.leader).await?;
    }
    if from == PlanState::BijSchoolleiding {
        repo::revoke_links(tx, &row.id).await?;
    }
    repo::update(tx, &row.id, row.version, (&row.organisation_id, step.to.code(), &row.content)).await?;
    let user = actor.user_id.as_deref();
    repo::add_history(tx, &row.id, (user, by.label), (from.code(), step.to.code()), comment.trim()).await?;
    let detail = json!({ "from": from.code(), "to": step.to.code(), "comment": comment.trim(), "by": by.label });
    audit::append(tx, user, "school_plan.transition", "school_plan", &row.id, &detail).await?;
    notify(app, tx, step.notify, (&region, row, &plan), comment.trim()).await?;
    Ok(step.to)
}

/// Queues the message a transition sends: to the region's managers for a submission, to the
/// plan's author for a decision.
async fn notify(
    app: &App,
    conn: &mut AnyConnection,
    what: Notify,
    (region, row, plan): (&Region, &PlanRow, &SchoolPlan),
    comment: &str,
) -> Result<()> {
    let path = format!("/regio/{}/deelplannen/{}", region.slug, row.id);
    let title = &plan.title;
    let why = if comment.is_empty() { String::new() } else { format!("\n\nToelichting:\n{comment}") };
    let (recipients, subject, body) = match what {
        Notify::None | Notify::EndorsementAsked => return Ok(()),
        Notify::NotEndorsed => (
            author(conn, row).await?,
            format!("Deelplan niet doorgestuurd door de schoolleiding: {title}"),
            format!(
                "De schoolleiding heeft uw deelplan \"{title}\" niet doorgestuurd naar de regio. Pas het aan en stuur het opnieuw.{why}"
            ),
        ),
        Notify::Submitted => (
            users::holding(conn, &region.id, Role::RegionManager).await?,
            format!("Deelplan ingediend: {title}"),
            format!(
                "{} heeft het deelplan \"{title}\" van {} ingediend voor {}.",
                row.author_name, row.organisation_name, region.name
            ),
        ),
        Notify::Returned => (
            author(conn, row).await?,
            format!("Deelplan teruggestuurd: {title}"),
            format!("Uw deelplan \"{title}\" is teruggestuurd. Pas het aan en dien het opnieuw in.{why}"),
        ),
        Notify::Approved => (
            author(conn, row).await?,
            format!("Deelplan goedgekeurd: {title}"),
            format!(
                "Uw deelplan \"{title}\" is goedgekeurd. De activiteiten en begroting staan nu in de aanvraag van {}.{why}",
                region.name
            ),
        ),
        Notify::Rejected => (
            author(conn, row).await?,
            format!("Deelplan afgewezen: {title}"),
            format!("Uw deelplan \"{title}\" is afgewezen.{why}"),
        ),
    };
    let kind = format!(
        "school_plan.{}",
        serde_json::to_value(what).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    );
    mail::queue_to(app, conn, &recipients, &mail::Letter { kind: &kind, subject, body, path }).await
}

async fn author(conn: &mut AnyConnection, row: &PlanRow) -> Result<Vec<(String, String, String)>> {
    let user = users::by_id(conn, &row.author_id).await?.ok_or(ServiceError::NotFound)?;
    Ok(vec![(user.id, user.email, user.name)])
}

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = crate::files::MAX_BYTES;

/// Adds an attachment to an editable plan; the type is read from the content, not the name.
pub async fn attach(
    app: &App,
    actor: &Actor,
    id: &str,
    expected_version: i64,
    (filename, bytes): (&str, &[u8]),
) -> Result<i64> {
    let checked = crate::files::check("attachment", filename, bytes, &crate::files::DOCUMENTS)?;
    let mut tx = app.db.begin().await?;
    let row = editable(&mut tx, actor, id, expected_version).await?;
    let sha256 = crate::files::put(&mut tx, bytes).await?;
    let attachment = Attachment {
        id: store::new_id(),
        plan_id: row.id.clone(),
        filename: checked.filename,
        content_type: checked.content_type.to_owned(),
        size: bytes.len() as i64,
        sha256,
        created_at: store::now_ms(),
    };
    repo::add_attachment(&mut tx, &attachment, actor.user_id.as_deref()).await?;
    let (_, state) = parse(&row)?;
    let version = repo::update(&mut tx, id, row.version, (&row.organisation_id, state.code(), &row.content)).await?;
    let detail = json!({ "attachment": attachment.filename, "sha256": attachment.sha256 });
    audit::append(&mut tx, actor.user_id.as_deref(), "school_plan.attach", "school_plan", id, &detail).await?;
    tx.commit().await?;
    Ok(version)
}

pub async fn remove_attachment(
    app: &App,
    actor: &Actor,
    id: &str,
    expected_version: i64,
    attachment: &str,
) -> Result<i64> {
    let mut tx = app.db.begin().await?;
    let row = editable(&mut tx, actor, id, expected_version).await?;
    if !repo::remove_attachment(&mut tx, id, attachment).await? {
        return Err(ServiceError::NotFound);
    }
    let (_, state) = parse(&row)?;
    let version = repo::update(&mut tx, id, row.version, (&row.organisation_id, state.code(), &row.content)).await?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "school_plan.detach",
        "school_plan",
        id,
        &json!({ "attachment": attachment }),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// An attachment's record and bytes, for whoever may see the plan.
pub async fn attachment(app: &App, actor: &Actor, id: &str, attachment: &str) -> Result<(Attachment, Vec<u8>)> {
    let mut conn = app.db.conn().await?;
    let row = load(&mut conn, actor, id).await?;
    let a = repo::attachments(&mut conn, &row.id)
        .await?
        .into_iter()
        .find(|a| a.id == attachment)
        .ok_or(ServiceError::NotFound)?;
    let bytes = crate::files::get(&mut conn, &a.sha256).await?;
    Ok((a, bytes))
}
