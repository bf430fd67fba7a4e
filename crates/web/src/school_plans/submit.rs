//! The step before a school plan goes to the region: what will be sent and to whom, or what it
//! still lacks. Submitting is final until the region returns the plan, so it is confirmed here.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::FieldErrors;
use domain::fmt::euro_nl;
use domain::school_plan::PlanState;
use services::ServiceError;
use services::school_plans as plans;

use crate::AppState;
use crate::error::WebError;
use crate::form::Pairs;
use crate::layout::Layout;
use crate::page::Page;
use crate::school_plans::steps::{GapView, is_submission};
use crate::school_plans::theme_label;
use crate::session::Ctx;

#[derive(Template)]
#[template(path = "deelplannen/submit.html")]
pub struct SubmitPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub id: String,
    pub title: String,
    pub school: String,
    pub theme: String,
    pub requested: String,
    pub cofinancing: String,
    pub activities: usize,
    pub lines: usize,
    pub attachments: usize,
    pub reviewers: Vec<String>,
    pub gaps: Vec<GapView>,
    pub complete: bool,
    /// Where the plan goes: to the school's management first, or (its author signs for the
    /// school) straight to the region.
    pub to_management: bool,
    /// The school's signatories in Sterk, who are asked to endorse it.
    pub endorsers: Vec<String>,
    pub leader: plans::Leader,
    pub errors: FieldErrors,
}

pub async fn confirm(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Page {
    render(&st, &ctx, (&slug, &id), plans::Leader::default(), FieldErrors::default()).await
}

/// Sends the plan on from the confirmation page: to the school's management (with the school
/// leader named, who gets a link) or, for a signatory, to the region. A refusal shows this page
/// again with what was typed.
pub async fn send(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let Some(to) =
        PlanState::parse(&f.get("to")).filter(|s| matches!(s, PlanState::BijSchoolleiding | PlanState::Ingediend))
    else {
        return Err(WebError::NotFound);
    };
    let leader = plans::Leader { name: f.get("leader_name"), email: f.get("leader_email") };
    match plans::transition_with(&st.app, &ctx.actor, &id, (to, &f.get("comment")), Some(&leader)).await {
        Ok(state) => {
            let notice = format!("De status is nu: {}.", state.label().to_lowercase());
            crate::flash::redirect(&st, &format!("/regio/{slug}/deelplannen/{id}"), &notice).await
        }
        Err(ServiceError::Invalid(e)) => render(&st, &ctx, (&slug, &id), leader, e).await,
        Err(e) => Err(e.into()),
    }
}

/// The confirmation page, again with what was typed and why it was refused.
pub(crate) async fn render(
    st: &AppState,
    ctx: &Ctx,
    (slug, id): (&str, &str),
    leader: plans::Leader,
    errors: FieldErrors,
) -> Page {
    let v = plans::get(&st.app, &ctx.actor, id).await?;
    if v.region.slug != slug {
        return Err(WebError::NotFound);
    }
    let Some(step) = v.transitions.iter().find(|t| is_submission(t)) else {
        let state = v.state.label().to_lowercase();
        return Err(WebError::NotAllowed(format!("Dit deelplan kan nu niet worden ingediend: de status is {state}.")));
    };
    let to_management = step.to == PlanState::BijSchoolleiding;
    let reviewers = plans::reviewers(&st.app, &ctx.actor, id).await?;
    let endorsers = plans::endorsers(&st.app, &ctx.actor, id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = &v.plan;
    let page = SubmitPage {
        l: Layout::new(format!("Deelplan {} indienen", p.title), ctx, "beheer"),
        slug: v.region.slug.clone(),
        region: v.region.name.clone(),
        id: v.row.id.clone(),
        title: p.title.clone(),
        school: v.row.organisation_name.clone(),
        theme: theme_label(st, &p.theme),
        requested: euro_nl(p.requested()),
        cofinancing: euro_nl(p.cofinancing()),
        activities: p.activities.len(),
        lines: p.budget.len(),
        attachments: v.attachments.len(),
        reviewers,
        complete: !v.gaps.iter().any(|g| g.blocking),
        gaps: GapView::of(&v.gaps),
        to_management,
        endorsers,
        leader,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}
