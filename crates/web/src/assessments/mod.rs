//! The funder's pages: the queue of submitted applications (`/beoordeling`) and one
//! application's review (`/beoordeling/{slug}/{phase}`): its checks, the scores, the advice and
//! the decision.

pub mod api;
mod review;

use askama::Template;
use axum::extract::{Query, State};
use domain::assessment::AssessmentState;
use domain::fmt::date_nl;
use serde::Deserialize;
use services::assessments as funder;

use crate::AppState;
use crate::layout::{Choice, Layout, ms};
use crate::page::{Page, html};
use crate::session::Ctx;

pub use review::{advise, decide, declare, letter, review, scores, step};

pub struct QueueRow {
    pub region: String,
    pub slug: String,
    pub phase: String,
    pub phase_label: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub outcome: Option<&'static str>,
    pub submitted: String,
    /// Days since the latest submission, while the application is still open.
    pub days: Option<i64>,
    pub due: Option<String>,
    /// The repair request's due date has passed.
    pub overdue: bool,
    pub taken_by: String,
}

#[derive(Template)]
#[template(path = "beoordeling/queue.html")]
pub struct QueuePage {
    pub l: Layout,
    pub rows: Vec<QueueRow>,
    pub total: usize,
    pub states: Vec<Choice>,
    pub phases: Vec<Choice>,
    /// (state label, count) over all applications, for the summary line.
    pub counts: Vec<(&'static str, usize)>,
    /// Change requests waiting for approval: (link, region, number and phase, description, since).
    pub changes: Vec<(String, String, String, String, String)>,
}

#[derive(Deserialize, Default)]
pub struct QueueFilter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    fase: String,
}

pub async fn queue(State(st): State<AppState>, ctx: Ctx, Query(f): Query<QueueFilter>) -> Page {
    let items = funder::queue(&st.app, &ctx.actor).await?;
    let changes = services::change_requests::waiting(&st.app, &ctx.actor)
        .await?
        .into_iter()
        .map(|w| {
            let link = format!("/regio/{}/uitvoering/wijzigingen/{}", w.region_slug, w.id);
            let what = format!("Wijziging {} ({})", w.number, w.phase_label.to_lowercase());
            (link, w.region, what, w.description, ms(w.created_at))
        })
        .collect();
    let today = funder::today(&st.app)?;
    let counts = AssessmentState::ALL
        .into_iter()
        .map(|s| (s.label(), items.iter().filter(|i| i.state == s).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let total = items.len();
    let reg = st.app.current_regulation()?;
    let rows = items
        .into_iter()
        .filter(|i| f.status.is_empty() || i.state.code() == f.status)
        .filter(|i| f.fase.is_empty() || i.phase == f.fase)
        .map(|i| QueueRow {
            state: i.state.label(),
            state_code: i.state.code(),
            outcome: i.outcome.map(|o| o.label()),
            submitted: ms(i.submitted_at),
            days: (!matches!(i.state, AssessmentState::Besloten | AssessmentState::BuitenBehandeling))
                .then_some(i.days),
            overdue: i.request_due.is_some_and(|d| d < today),
            due: i.request_due.map(date_nl),
            taken_by: i.taken_by.unwrap_or_default(),
            region: i.region_name,
            slug: i.region_slug,
            phase: i.phase,
            phase_label: i.phase_label,
        })
        .collect();
    html(QueuePage {
        l: Layout::new("Beoordeling", &ctx, "beheer"),
        changes,
        rows,
        total,
        states: Choice::filter(
            AssessmentState::ALL.into_iter().map(|s| (s.code().into(), s.label().into())),
            &f.status,
        ),
        phases: Choice::filter(
            reg.phases.iter().filter(|p| p.assessed).map(|p| (p.id.clone(), p.label.clone())),
            &f.fase,
        ),
        counts,
    })
}
