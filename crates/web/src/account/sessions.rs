//! One's own sessions and API keys, ending one, and signing out everywhere.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use domain::Action;
use services::ServiceError;

use crate::AppState;
use crate::account::views::TokenView;
use crate::layout::{Layout, ms_to_timestamp};
use crate::page::{Page, html};
use crate::session::{Ctx, session_cookie};

struct SessionRow {
    id: String,
    browser: String,
    address: String,
    started: String,
    last_used: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    l: Layout,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenView>,
    notice: Option<String>,
}

pub async fn page(State(st): State<AppState>, ctx: Ctx, flash: crate::flash::Flash) -> Page {
    ctx.actor.require(Action::UseAccount).map_err(ServiceError::from)?;
    let token = ctx.session_token.clone().unwrap_or_default();
    let sessions = services::sessions::mine(&st.app, &ctx.actor, &token).await?;
    let at = |ms| domain::fmt::instant_nl(ms_to_timestamp(ms));
    let page = SessionsPage {
        l: Layout::new("Sessies en sleutels", &ctx, "beheer"),
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                started: at(s.started_at),
                last_used: at(s.last_used_at),
                id: s.id,
                browser: s.browser,
                address: s.address,
                current: s.current,
            })
            .collect(),
        tokens: services::auth::list_api_tokens(&st.app, &ctx.actor)
            .await?
            .into_iter()
            .map(crate::account::dashboard::token_view)
            .collect(),
        notice: flash.notice,
    };
    html(page)
}

pub async fn end(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Page {
    services::sessions::end(&st.app, &ctx.actor, &id).await?;
    crate::flash::redirect(&st, "/account/sessies", "De sessie is afgemeld.").await
}

#[derive(serde::Deserialize)]
pub struct EverywhereInput {
    /// "ja" when every API key goes too.
    #[serde(default)]
    keys: String,
}

/// Ends every session, this one too, and back to the sign-in page.
pub async fn everywhere(State(st): State<AppState>, ctx: Ctx, axum::Form(input): axum::Form<EverywhereInput>) -> Page {
    let keys = input.keys == "ja";
    services::sessions::end_everywhere(&st.app, &ctx.actor, keys).await?;
    let notice =
        if keys { "U bent overal afgemeld en al uw API-sleutels zijn ingetrokken." } else { "U bent overal afgemeld." };
    let mut response = crate::flash::redirect(&st, "/inloggen", notice).await?;
    response.headers_mut().append(header::SET_COOKIE, session_cookie(None, st.config.secure_cookies));
    Ok(response.into_response())
}
