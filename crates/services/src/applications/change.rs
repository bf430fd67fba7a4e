//! The change request in the works on an application (see `change_requests`), as the workspace
//! and the submission read it.

use store::AnyConnection;

use crate::Result;

#[derive(Debug, Clone)]
pub struct ChangeInWork {
    pub id: String,
    pub number: i64,
    pub state: domain::change_request::ChangeState,
}

/// The change request in the works on an application, if any: while the region edits it, the
/// workspace is open for it, and a normal submission waits for it.
pub(super) async fn change_in_work(conn: &mut AnyConnection, application_id: &str) -> Result<Option<ChangeInWork>> {
    let Some(r) = store::change_requests::open_of(conn, application_id).await? else { return Ok(None) };
    let state = domain::change_request::ChangeState::parse(&r.state).ok_or_else(|| crate::corrupt(&r.state))?;
    Ok(Some(ChangeInWork { id: r.id, number: r.number, state }))
}
