//! A region's participating organisations and its lead applicant.

use crate::AppState;
use crate::admin::member_view;
use crate::admin::views::MembersPage;
use crate::form::SearchQuery;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::Action;
use serde::Deserialize;
use services::ServiceError;

async fn members_page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    q: &str,
    message: Option<String>,
    error: Option<String>,
) -> Page {
    let page = services::regions::page(&st.app, &ctx.actor, slug).await?;
    ctx.actor.require(Action::ManageMemberships { region_id: &page.region.id })?;
    let lead = page.region.lead_applicant_id.as_deref();
    let candidates = if q.trim().is_empty() {
        Vec::new()
    } else {
        services::organisations::search(&st.app, &ctx.actor, q)
            .await?
            .iter()
            .filter(|o| !page.members.iter().any(|m| m.id == o.id))
            .map(|o| member_view(o, None))
            .collect()
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = MembersPage {
        l: Layout::new(format!("Deelnemers van {}", page.region.name), ctx, "beheer"),
        members: page.members.iter().map(|o| member_view(o, lead)).collect(),
        slug: page.region.slug,
        name: page.region.name,
        q: q.trim().to_owned(),
        candidates,
        message,
        error,
    };
    Ok((status, html(view)?).into_response())
}

pub async fn members(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Page {
    members_page(&st, &ctx, &slug, &q.q, None, None).await
}

#[derive(Deserialize)]
pub struct OrganisationRef {
    #[serde(default)]
    pub(crate) organisation_id: String,
}

/// Renders a membership change's outcome: a Dutch message, or the field error.
async fn after_member_change(st: &AppState, ctx: &Ctx, slug: &str, outcome: Result<String, ServiceError>) -> Page {
    match outcome {
        Ok(message) => members_page(st, ctx, slug, "", Some(message), None).await,
        Err(ServiceError::Invalid(e)) => {
            let message = e.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
            members_page(st, ctx, slug, "", None, Some(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<OrganisationRef>,
) -> Page {
    let outcome = services::regions::add_member(&st.app, &ctx.actor, &slug, &f.organisation_id)
        .await
        .map(|org| format!("{} is toegevoegd.", org.name));
    after_member_change(&st, &ctx, &slug, outcome).await
}

pub async fn remove_member(State(st): State<AppState>, ctx: Ctx, Path((slug, org)): Path<(String, String)>) -> Page {
    let outcome = services::regions::remove_member(&st.app, &ctx.actor, &slug, &org)
        .await
        .map(|_| "De deelnemer is verwijderd.".to_owned());
    after_member_change(&st, &ctx, &slug, outcome).await
}

pub async fn set_lead_applicant(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<OrganisationRef>,
) -> Page {
    let id = Some(f.organisation_id.as_str()).filter(|s| !s.is_empty());
    let outcome = services::regions::set_lead_applicant(&st.app, &ctx.actor, &slug, id)
        .await
        .map(|_| "De penvoerder is vastgelegd.".to_owned());
    after_member_change(&st, &ctx, &slug, outcome).await
}
