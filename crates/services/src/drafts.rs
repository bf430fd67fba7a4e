//! A region's draft application as stored: found for an actor, parsed, and whether it can still
//! change; and the change request in the works on it (see `change_requests`).

use domain::regulation::application::Application;
use domain::{Action, Actor, Region};
use store::applications as repo;
use store::{AnyConnection, StoreError, regions};

use crate::{App, Result, ServiceError};

#[derive(Debug, Clone)]
pub struct ChangeInWork {
    pub id: String,
    pub number: i64,
    pub state: domain::change_request::ChangeState,
}

/// The change request in the works on an application, if any: while the region edits it, the
/// workspace is open for it, and a normal submission waits for it.
pub(crate) async fn change_in_work(conn: &mut AnyConnection, application_id: &str) -> Result<Option<ChangeInWork>> {
    let Some(r) = store::change_requests::open_of(conn, application_id).await? else { return Ok(None) };
    let state = domain::change_request::ChangeState::parse(&r.state).ok_or_else(|| crate::corrupt(&r.state))?;
    Ok(Some(ChangeInWork { id: r.id, number: r.number, state }))
}

pub(crate) async fn region_for(conn: &mut AnyConnection, actor: &Actor, slug: &str, edit: bool) -> Result<Region> {
    let region = regions::by_slug(conn, slug).await?.filter(|r| !r.archived).ok_or(ServiceError::NotFound)?;
    if edit {
        actor.require(Action::EditApplication { region_id: &region.id })?;
    } else {
        actor.require(Action::ViewApplication { region_id: &region.id })?;
    }
    Ok(region)
}

pub(crate) fn phase_known(app: &App, phase: &str) -> Result<()> {
    app.current_regulation()?.phase(phase).map(|_| ()).ok_or(ServiceError::NotFound)
}

pub(crate) fn parse_stored(content: &str) -> Result<Application> {
    Application::from_json(content).map_err(|e| ServiceError::Store(StoreError::Corrupt(format!("aanvraag: {e}"))))
}

/// The draft while it can still change (its phase is open, or reopened for it), for an actor who
/// may edit it (`edit`) or only see it (who then needs a right of their own to act on it).
pub(crate) async fn open_draft(
    app: &App,
    conn: &mut AnyConnection,
    actor: &Actor,
    (slug, phase): (&str, &str),
    edit: bool,
) -> Result<(Region, repo::Draft)> {
    phase_known(app, phase)?;
    let region = region_for(conn, actor, slug, edit).await?;
    let draft = repo::get(conn, &region.id, phase).await?.ok_or(ServiceError::NotFound)?;
    let editing_change = change_in_work(conn, &draft.id).await?.is_some_and(|c| c.state.editable());
    if !editing_change && crate::assessments::repair_until(app, conn, &draft.id).await?.is_none() {
        crate::phases::require_open(app, actor, phase)?;
    }
    Ok((region, draft))
}
