//! The funder's queue: every submitted application of a phase the funder decides on.

use domain::assessment::AssessmentState;
use domain::assessment::decision::Outcome;
use domain::{Action, Actor};
use jiff::civil::Date;
use store::assessments as repo;

use super::corrupt;
use crate::{App, Result};

/// One line of the funder's queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub application_id: String,
    pub region_name: String,
    pub region_slug: String,
    pub phase: String,
    pub phase_label: String,
    pub state: AssessmentState,
    pub outcome: Option<Outcome>,
    pub submitted_at: i64,
    /// Whole days since the latest submission.
    pub days: i64,
    pub versions: i64,
    pub request_due: Option<Date>,
    pub taken_by: Option<String>,
}

/// Every submitted application of a phase the funder decides on, oldest submission first.
pub async fn queue(app: &App, actor: &Actor) -> Result<Vec<QueueItem>> {
    actor.require(Action::ViewAssessment)?;
    items(app, &mut *app.db.conn().await?).await
}

/// The queue's lines, for whoever the caller authorised.
pub(crate) async fn items(app: &App, conn: &mut store::AnyConnection) -> Result<Vec<QueueItem>> {
    let reg = app.current_regulation()?;
    let now = app.now().as_millisecond();
    let mut out = Vec::new();
    for r in repo::queue(conn).await? {
        let Some(phase) = reg.phase(&r.phase).filter(|p| p.assessed) else { continue };
        let state = match r.state.as_deref() {
            None => AssessmentState::Ingediend,
            Some(s) => AssessmentState::parse(s).ok_or_else(|| corrupt(s))?,
        };
        out.push(QueueItem {
            application_id: r.application_id,
            region_name: r.region_name,
            region_slug: r.region_slug,
            phase: phase.id.clone(),
            phase_label: phase.label.clone(),
            state,
            outcome: r.outcome.as_deref().and_then(Outcome::parse),
            submitted_at: r.last_submitted_at,
            days: (now - r.last_submitted_at).max(0) / 86_400_000,
            versions: r.versions,
            request_due: r
                .request_due
                .as_deref()
                .and_then(|d| d.parse().ok())
                .filter(|_| state == AssessmentState::AanvullingGevraagd),
            taken_by: r.taken_by_name,
        });
    }
    Ok(out)
}
