//! Signing in and out, the password, API tokens and accepting an invitation.

pub mod dashboard;
pub mod recovery;
pub mod sessions;
pub mod sso;
pub mod two_factor;
mod views;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect};
use domain::FieldErrors;
use serde::Deserialize;
use services::ServiceError;
use services::auth::{PasswordChange, SignIn};
use services::users::AcceptInput;

use crate::AppState;
use crate::account::views::InvitationPage;
use crate::account::views::LoginPage;
use crate::account::views::PasswordPage;
use crate::error::WebError;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::with_cookie;
use crate::session::{Ctx, session_cookie};

pub async fn login_form(State(st): State<AppState>, mut ctx: Ctx, flash: crate::flash::Flash) -> Page {
    if ctx.actor.is_signed_in() {
        return Ok(Redirect::to("/beheer").into_response());
    }
    let cookie = ctx.ensure_session(&st).await?;
    let page = LoginPage { notice: flash.notice, ..login_view(&st, &ctx, String::new(), None) };
    Ok(with_cookie(html(page)?, cookie))
}

fn login_view(st: &AppState, ctx: &Ctx, email: String, error: Option<String>) -> LoginPage {
    LoginPage {
        l: Layout::new("Inloggen", ctx, "inloggen"),
        email,
        error,
        notice: None,
        providers: st.app.sso.list.iter().map(|p| (p.id.clone(), p.name.clone())).collect(),
    }
}

/// The sign-in page with what was typed and what went wrong.
pub(crate) fn login_page(st: &AppState, ctx: &Ctx, email: String, error: Option<String>) -> Page {
    html(login_view(st, ctx, email, error))
}

#[derive(Deserialize)]
pub struct LoginInput {
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) password: String,
}

/// On with a new session: signed in to `/beheer`, or to the second step the sign-in waits for.
/// Any earlier session ends and the anonymous cookie is cleared, so no token from before
/// signing in (session fixation) lives on.
pub(crate) async fn signed_in(st: &AppState, ctx: &Ctx, sign_in: &SignIn) -> Page {
    if let Some(old) = &ctx.session_token {
        services::auth::logout(&st.app, old).await?;
    }
    let next = match sign_in {
        SignIn::Full(_) => "/beheer",
        SignIn::Code(_) => "/inloggen/code",
        SignIn::Enrol(_) => "/account/tweestapsverificatie",
    };
    let secure = st.config.secure_cookies;
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(header::SET_COOKIE, session_cookie(Some(sign_in.token()), secure));
    response.headers_mut().append(header::SET_COOKIE, crate::session::anonymous_set_cookie(None, secure));
    Ok(response)
}

pub async fn login(State(st): State<AppState>, ctx: Ctx, Form(input): Form<LoginInput>) -> Page {
    match services::auth::login(&st.app, &input.email, &input.password, ctx.origin()).await {
        Ok(sign_in) => signed_in(&st, &ctx, &sign_in).await,
        Err(e @ (ServiceError::BadCredentials | ServiceError::RateLimited(_))) => {
            let status = if matches!(e, ServiceError::RateLimited(_)) {
                axum::http::StatusCode::TOO_MANY_REQUESTS
            } else {
                axum::http::StatusCode::UNAUTHORIZED
            };
            let message = match e {
                ServiceError::RateLimited(m) => {
                    format!("Er is te vaak geprobeerd in te loggen. Probeer het over {m} minuten opnieuw.")
                }
                _ => "Het e-mailadres of het wachtwoord klopt niet.".to_owned(),
            };
            let page = login_page(&st, &ctx, input.email.trim().to_owned(), Some(message))?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(st): State<AppState>, ctx: Ctx) -> Page {
    let sso = match &ctx.session_token {
        Some(token) => services::auth::logout(&st.app, token).await?,
        None => None,
    };
    // Signed in through a provider that offers its own logout: on to it, and back home from there.
    let onward = match &sso {
        Some(sso) => services::sso::logout_url(&st.app, sso).await.map(|to| (to, sso.provider.clone())),
        None => None,
    };
    let mut response = match onward {
        Some((to, provider)) => sso::logged_out_at(&st, to, &provider)?,
        None => Redirect::to("/").into_response(),
    };
    let secure = st.config.secure_cookies;
    response.headers_mut().append(header::SET_COOKIE, session_cookie(None, secure));
    response
        .headers_mut()
        .append(header::SET_COOKIE, crate::session::set_cookie(sso::cookie_name(secure), None, 0, secure));
    Ok(response)
}

pub async fn password_form(ctx: Ctx) -> Page {
    ctx.actor.require(domain::Action::UseAccount).map_err(ServiceError::from)?;
    html(PasswordPage {
        l: Layout::new("Wachtwoord wijzigen", &ctx, "beheer"),
        errors: FieldErrors::default(),
        done: false,
    })
}

#[derive(Deserialize)]
pub struct PasswordInput {
    #[serde(default)]
    pub(crate) current: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) password_repeat: String,
}

pub async fn change_password(State(st): State<AppState>, ctx: Ctx, Form(input): Form<PasswordInput>) -> Page {
    let change = PasswordChange { current: &input.current, new: &input.password, repeat: &input.password_repeat };
    let token = ctx.session_token.clone().unwrap_or_default();
    let (errors, done) = match services::auth::change_password(&st.app, &ctx.actor, &token, &change).await {
        Ok(()) => (FieldErrors::default(), true),
        Err(ServiceError::Invalid(e)) => (e, false),
        Err(e) => return Err(e.into()),
    };
    let status = if done { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, html(PasswordPage { l: Layout::new("Wachtwoord wijzigen", &ctx, "beheer"), errors, done })?)
        .into_response())
}

async fn invitation_page(st: &AppState, ctx: &Ctx, token: &str, name: String, errors: FieldErrors) -> Page {
    let inv = services::users::open_invitation(&st.app, token).await?;
    html(InvitationPage {
        l: Layout::new("Uitnodiging", ctx, ""),
        email: inv.email,
        role: inv.role.label(),
        region: inv.region_name.unwrap_or_default(),
        name,
        errors,
    })
}

pub async fn invitation_form(State(st): State<AppState>, mut ctx: Ctx, Path(token): Path<String>) -> Page {
    let cookie = ctx.ensure_session(&st).await?;
    let page = invitation_page(&st, &ctx, &token, String::new(), FieldErrors::default()).await?;
    Ok(with_cookie(page, cookie))
}

pub async fn accept_invitation(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(input): Form<AcceptInput>,
) -> Page {
    match services::users::accept_invitation(&st.app, &token, &input).await {
        Ok(user_id) => {
            // Sign the new user in straight away (or on to set up two-factor sign-in).
            let sign_in = services::auth::start_user_session(&st.app, &user_id, ctx.origin()).await?;
            signed_in(&st, &ctx, &sign_in).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = invitation_page(&st, &ctx, &token, input.name.clone(), errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(WebError::from(e)),
    }
}
