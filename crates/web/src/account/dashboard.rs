//! "Mijn Sterk": the signed-in person's roles, regions, and API keys.

use crate::AppState;
use crate::account::views::Dashboard;
use crate::account::views::TokenView;
use crate::layout::grant_views;
use crate::layout::ms_to_timestamp;
use crate::layout::{Layout, by_province};
use crate::page::{Page, html};
use crate::session::Ctx;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::Action;
use serde::Deserialize;
use services::ServiceError;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    /// Narrows the regions one manages by name or province.
    #[serde(default)]
    regio: String,
}

pub async fn dashboard(State(st): State<AppState>, ctx: Ctx, Query(q): Query<DashboardQuery>) -> Page {
    render_dashboard(&st, &ctx, (None, None), &q.regio).await
}

pub async fn render_dashboard(
    st: &AppState,
    ctx: &Ctx,
    (new_token, token_error): (Option<String>, Option<String>),
    filter: &str,
) -> Page {
    ctx.actor.require(Action::UseAccount)?;
    let manageable = services::regions::list_manageable(&st.app, &ctx.actor).await?;
    let region_count = manageable.len();
    let wanted = filter.trim().to_lowercase();
    let matching: Vec<_> = manageable
        .into_iter()
        .filter(|s| wanted.is_empty() || format!("{} {}", s.name, s.province).to_lowercase().contains(&wanted))
        .collect();
    let all = services::regions::all(&st.app).await?;
    let tokens = services::auth::list_api_tokens(&st.app, &ctx.actor).await?;
    let status = if token_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = Dashboard {
        l: Layout::new("Mijn Sterk", ctx, "beheer"),
        tasks: services::todo::for_actor(&st.app, &ctx.actor).await?,
        grants: grant_views(&ctx.actor.grants, &all),
        region_count,
        region_filter: filter.trim().to_owned(),
        regions: by_province(matching),
        is_admin: ctx.actor.is_national_admin(),
        can_invite: !ctx.actor.invitable_roles().is_empty(),
        tokens: tokens.into_iter().map(token_view).collect(),
        has_sso: !st.app.sso.list.is_empty(),
        new_token,
        token_error,
    };
    Ok((status, html(page)?).into_response())
}

/// An API key as the owner sees it.
pub(crate) fn token_view(t: services::auth::ApiToken) -> TokenView {
    TokenView {
        id: t.id,
        name: t.name,
        created: domain::fmt::instant_nl(ms_to_timestamp(t.created_at)),
        expires: domain::fmt::date_nl(domain::fmt::date_in_amsterdam(ms_to_timestamp(t.expires_at))),
        last_used: t.last_used_at.map_or_else(
            || "nog niet gebruikt".to_owned(),
            |at| format!("laatst gebruikt {}", domain::fmt::instant_nl(ms_to_timestamp(at))),
        ),
    }
}

#[derive(Deserialize)]
pub struct TokenInput {
    #[serde(default)]
    pub(crate) name: String,
}

pub async fn create_token(State(st): State<AppState>, ctx: Ctx, Form(input): Form<TokenInput>) -> Page {
    match services::auth::create_api_token(&st.app, &ctx.actor, &input.name).await {
        Ok(token) => render_dashboard(&st, &ctx, (Some(token), None), "").await,
        Err(ServiceError::Invalid(e)) => {
            let message = e.iter().next().map(|e| e.message.clone());
            render_dashboard(&st, &ctx, (None, message), "").await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Page {
    services::auth::revoke_api_token(&st.app, &ctx.actor, &id).await?;
    Ok(Redirect::to("/beheer#sleutels").into_response())
}
