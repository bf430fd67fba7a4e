//! Milestones of the decided activities.

use crate::AppState;
use crate::execution::Outcome;
use crate::execution::Tab;
use crate::execution::tabs;
use crate::form::Pairs;
use crate::form::error_pairs;
use crate::layout::Layout;
use crate::page::Page;
use crate::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::fmt::date_nl;
use domain::{Action, FieldErrors};
use services::ServiceError;
use services::execution::{self as exec};

pub struct MilestoneRowView {
    pub activity: String,
    pub activity_title: String,
    pub title: String,
    pub due: String,
    pub state: &'static str,
    pub class: &'static str,
    pub achieved_on: String,
    pub achieved_raw: String,
    pub evidence: String,
    pub can_update: bool,
}

#[derive(Template)]
#[template(path = "uitvoering/milestones.html")]
pub struct MilestonesPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub rows: Vec<MilestoneRowView>,
    pub overdue: usize,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: crate::form::Typed,
}

async fn render_milestones(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let (ledger, list) = exec::milestones(&st.app, &ctx.actor, slug).await?;
    let region_id = ledger.region.id.clone();
    let rows: Vec<MilestoneRowView> = list
        .into_iter()
        .map(|m| {
            use domain::execution::MilestoneState as S;
            MilestoneRowView {
                can_update: ctx.actor.permits(Action::EditApplication { region_id: &region_id })
                    || m.lead.as_deref().is_some_and(|o| {
                        ctx.actor.permits(Action::RecordWork { region_id: &region_id, organisation_id: o })
                    }),
                class: match m.state {
                    S::Achieved => "success",
                    S::AchievedLate => "warning",
                    S::Overdue => "danger",
                    S::Planned => "neutral",
                },
                state: m.state.label(),
                activity: m.activity,
                activity_title: m.activity_title,
                title: m.title,
                due: date_nl(m.due),
                achieved_on: m.achieved_on.map(date_nl).unwrap_or_default(),
                achieved_raw: m.achieved_on.map(|d| d.to_string()).unwrap_or_default(),
                evidence: m.evidence,
            }
        })
        .collect();
    let page = MilestonesPage {
        l: Layout::new(format!("Mijlpalen {}", ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, "mijlpalen"),
        overdue: rows.iter().filter(|r| r.state == "Te laat").count(),
        rows,
        notice: outcome.notice,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn milestones(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    render_milestones(&st, &ctx, &slug, Outcome { notice: flash.notice, ..Outcome::default() }).await
}

pub async fn set_milestone(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let achieved = match f.get("achieved_on").as_str() {
        "" => Ok(None),
        raw => domain::fmt::parse_date_nl(raw).map(Some).ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("achieved_on", "Geef de datum waarop de mijlpaal is behaald.");
            ServiceError::Invalid(e)
        }),
    };
    let result = match achieved {
        Ok(on) => {
            exec::set_milestone(
                &st.app,
                &ctx.actor,
                &slug,
                (&f.get("activity"), &f.get("title")),
                on,
                &f.get("evidence"),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            crate::flash::redirect(&st, &format!("/regio/{slug}/uitvoering/mijlpalen"), "De mijlpaal is bijgewerkt.")
                .await
        }
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            };
            render_milestones(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}
