//! Signing in through an OpenID Connect provider (Entree, SURFconext, an eHerkenning broker), and
//! the providers linked to one's account.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use services::ServiceError;
use services::sso::Finished;

use crate::AppState;
use crate::layout::{Layout, ms_to_timestamp};
use crate::page::{Page, html};
use crate::session::{Ctx, raw_cookie, set_cookie};

/// The cookie that binds a provider's answer to the browser that went there: `__Host-` where
/// cookies are `Secure`, so no other site under the same domain can set it.
pub(crate) fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-sterk_sso" } else { "sterk_sso" }
}

/// Off to the provider, with the cookie that binds its answer to this browser.
async fn to_provider(st: &AppState, ctx: &Ctx, provider: &str, actor: &domain::Actor) -> Page {
    let (url, browser) = services::sso::start(&st.app, actor, provider, &ctx.client).await?;
    let ttl = services::sso::WAITING_TTL_MS;
    let mut response = Redirect::to(&url).into_response();
    let secure = st.config.secure_cookies;
    response.headers_mut().append(header::SET_COOKIE, set_cookie(cookie_name(secure), Some(&browser), ttl, secure));
    Ok(response)
}

pub async fn start(State(st): State<AppState>, ctx: Ctx, Path(provider): Path<String>) -> Page {
    to_provider(&st, &ctx, &provider, &domain::Actor::anonymous()).await
}

#[derive(Deserialize)]
pub struct Answer {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    /// The provider's refusal (the person cancelled, or it refused the client).
    #[serde(default)]
    error: String,
}

pub async fn back(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(provider): Path<String>,
    headers: axum::http::HeaderMap,
    Query(answer): Query<Answer>,
) -> Page {
    let browser = raw_cookie(&headers, cookie_name(st.config.secure_cookies)).unwrap_or_default();
    let result = if answer.error.is_empty() {
        services::sso::finish(&st.app, (&ctx.actor, &provider), (&answer.code, &answer.state), &browser, ctx.origin())
            .await
    } else {
        Err(ServiceError::NotAllowed(
            "Inloggen bij de provider is afgebroken of geweigerd. U kunt het opnieuw proberen.".into(),
        ))
    };
    let clear = set_cookie(cookie_name(st.config.secure_cookies), None, 0, st.config.secure_cookies);
    let mut response = match result {
        Ok(Finished::SignedIn(sign_in)) => crate::account::signed_in(&st, &ctx, &sign_in).await?,
        Ok(Finished::Linked) => crate::flash::redirect(&st, "/account/inlogdiensten", "Gekoppeld.").await?,
        Err(ServiceError::NotAllowed(message)) => {
            let page = crate::account::login_page(&st, &ctx, String::new(), Some(message))?;
            (StatusCode::FORBIDDEN, page).into_response()
        }
        Err(e) => return Err(e.into()),
    };
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

struct ProviderRow {
    id: String,
    name: String,
    /// Linked: with which address, since when, last used.
    linked: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "account/sso.html")]
struct LinkedPage {
    l: Layout,
    providers: Vec<ProviderRow>,
    notice: Option<String>,
}

pub async fn linked(State(st): State<AppState>, ctx: Ctx, flash: crate::flash::Flash) -> Page {
    let linked = services::sso::linked(&st.app, &ctx.actor).await?;
    let at = |ms| domain::fmt::instant_nl(ms_to_timestamp(ms));
    let providers = st
        .app
        .sso
        .list
        .iter()
        .map(|p| ProviderRow {
            id: p.id.clone(),
            name: p.name.clone(),
            linked: linked
                .iter()
                .find(|l| l.provider == p.id)
                .map(|l| (l.email.clone(), at(l.created_at), at(l.last_used_at))),
        })
        .collect();
    html(LinkedPage { l: Layout::new("Inlogdiensten", &ctx, "beheer"), providers, notice: flash.notice })
}

/// A signed-in person links a provider to their account (a link, not a form: the content security
/// policy lets forms lead only to Sterk itself).
pub async fn link(State(st): State<AppState>, ctx: Ctx, Path(provider): Path<String>) -> Page {
    ctx.actor.require(domain::Action::UseAccount).map_err(ServiceError::from)?;
    to_provider(&st, &ctx, &provider, &ctx.actor).await
}

pub async fn unlink(State(st): State<AppState>, ctx: Ctx, Path(provider): Path<String>) -> Page {
    services::sso::unlink(&st.app, &ctx.actor, &provider).await?;
    crate::flash::redirect(
        &st,
        "/account/inlogdiensten",
        "Losgekoppeld: inloggen via die dienst komt niet meer bij dit account.",
    )
    .await
}

#[derive(Template)]
#[template(path = "account/logged_out.html")]
struct LoggedOutPage {
    l: Layout,
    /// The provider's own logout address (with the ID token as hint).
    to: String,
    provider: String,
}

/// After signing out of a session that came through a provider: on to its own logout, by a
/// refresh (a form's answer may not lead elsewhere under the content security policy) and a link.
pub(crate) fn logged_out_at(st: &AppState, to: String, provider: &str) -> Page {
    let name =
        st.app.sso.list.iter().find(|p| p.id == provider).map_or_else(|| provider.to_owned(), |p| p.name.clone());
    let l = Layout::bare("Uitgelogd");
    html(LoggedOutPage { l, to, provider: name })
}
