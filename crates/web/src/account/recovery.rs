//! A forgotten password (a link by mail), and a new e-mail address confirmed from that address.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::FieldErrors;
use serde::Deserialize;
use services::ServiceError;

use crate::AppState;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::{Ctx, with_cookie};

#[derive(Template)]
#[template(path = "account/forgot.html")]
struct ForgotPage {
    l: Layout,
    email: String,
    errors: FieldErrors,
    /// The address a link went to, when one may have.
    sent_to: Option<String>,
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage {
    l: Layout,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "account/link_gone.html")]
struct LinkGonePage {
    l: Layout,
    /// Where to ask for a new link.
    again: &'static str,
    again_label: &'static str,
}

#[derive(Template)]
#[template(path = "account/email.html")]
struct EmailPage {
    l: Layout,
    current: String,
    email: String,
    errors: FieldErrors,
    sent_to: Option<String>,
}

#[derive(Template)]
#[template(path = "account/email_confirm.html")]
struct EmailConfirmPage {
    l: Layout,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct EmailInput {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn forgot_form(State(st): State<AppState>, mut ctx: Ctx) -> Page {
    let cookie = ctx.ensure_session(&st).await?;
    let page = ForgotPage {
        l: Layout::new("Wachtwoord vergeten", &ctx, "inloggen"),
        email: String::new(),
        errors: FieldErrors::default(),
        sent_to: None,
    };
    Ok(with_cookie(html(page)?, cookie))
}

pub async fn forgot(State(st): State<AppState>, ctx: Ctx, Form(input): Form<EmailInput>) -> Page {
    let l = Layout::new("Wachtwoord vergeten", &ctx, "inloggen");
    match services::recovery::request_reset(&st.app, &input.email, &ctx.client).await {
        Ok(()) => {
            let sent_to = Some(input.email.trim().to_lowercase());
            html(ForgotPage { l, email: String::new(), errors: FieldErrors::default(), sent_to })
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = ForgotPage { l, email: input.email, errors, sent_to: None };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The page for a link that is unknown, used or expired: what to do instead.
fn link_gone(ctx: &Ctx, again: &'static str, again_label: &'static str) -> Page {
    let page = LinkGonePage { l: Layout::new("Deze link werkt niet meer", ctx, ""), again, again_label };
    Ok((StatusCode::NOT_FOUND, html(page)?).into_response())
}

pub async fn reset_form(State(st): State<AppState>, mut ctx: Ctx, Path(token): Path<String>) -> Page {
    match services::recovery::reset_link(&st.app, &token).await {
        Ok(()) => {
            let cookie = ctx.ensure_session(&st).await?;
            let page =
                ResetPage { l: Layout::new("Nieuw wachtwoord kiezen", &ctx, ""), errors: FieldErrors::default() };
            Ok(with_cookie(html(page)?, cookie))
        }
        Err(ServiceError::NotFound) => link_gone(&ctx, "/wachtwoord-vergeten", "Vraag een nieuwe link aan"),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

pub async fn reset(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(input): Form<ResetInput>,
) -> Page {
    match services::recovery::reset_password(&st.app, &token, &input.password, &input.password_repeat).await {
        Ok(()) => {
            let notice = "Uw wachtwoord is gewijzigd. U bent overal afgemeld en uw API-sleutels zijn ingetrokken; log in met uw nieuwe wachtwoord.";
            crate::flash::redirect(&st, "/inloggen", notice).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = ResetPage { l: Layout::new("Nieuw wachtwoord kiezen", &ctx, ""), errors };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(page)?).into_response())
        }
        Err(ServiceError::NotFound) => link_gone(&ctx, "/wachtwoord-vergeten", "Vraag een nieuwe link aan"),
        Err(e) => Err(e.into()),
    }
}

async fn email_page(st: &AppState, ctx: &Ctx, (email, errors): (String, FieldErrors), sent_to: Option<String>) -> Page {
    ctx.actor.require(domain::Action::UseAccount).map_err(ServiceError::from)?;
    let current = services::users::me(&st.app, &ctx.actor).await?.email;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = EmailPage { l: Layout::new("E-mailadres wijzigen", ctx, "beheer"), current, email, errors, sent_to };
    Ok((status, html(page)?).into_response())
}

pub async fn email_form(State(st): State<AppState>, ctx: Ctx) -> Page {
    email_page(&st, &ctx, (String::new(), FieldErrors::default()), None).await
}

pub async fn change_email(State(st): State<AppState>, ctx: Ctx, Form(input): Form<EmailInput>) -> Page {
    match services::recovery::request_email_change(&st.app, &ctx.actor, &input.email, &input.password).await {
        Ok(sent_to) => email_page(&st, &ctx, (String::new(), FieldErrors::default()), Some(sent_to)).await,
        Err(ServiceError::Invalid(errors)) => email_page(&st, &ctx, (input.email, errors), None).await,
        Err(e) => Err(e.into()),
    }
}

/// The link in the mail opens a page with a button: a mail scanner that follows links changes nothing.
pub async fn confirm_email_form(State(st): State<AppState>, mut ctx: Ctx, Path(token): Path<String>) -> Page {
    match services::recovery::email_link(&st.app, &token).await {
        Ok(()) => {
            let cookie = ctx.ensure_session(&st).await?;
            let page = EmailConfirmPage {
                l: Layout::new("Nieuw e-mailadres bevestigen", &ctx, ""),
                errors: FieldErrors::default(),
            };
            Ok(with_cookie(html(page)?, cookie))
        }
        Err(ServiceError::NotFound) => link_gone(&ctx, "/account/e-mailadres", "Vraag opnieuw een wijziging aan"),
        Err(e) => Err(e.into()),
    }
}

pub async fn confirm_email(State(st): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Page {
    match services::recovery::confirm_email_change(&st.app, &token).await {
        Ok(email) => {
            let to = if ctx.actor.is_signed_in() { "/beheer" } else { "/inloggen" };
            crate::flash::redirect(&st, to, &format!("Uw e-mailadres is nu {email}. Log voortaan daarmee in.")).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let page = EmailConfirmPage { l: Layout::new("Nieuw e-mailadres bevestigen", &ctx, ""), errors };
            Ok((StatusCode::CONFLICT, html(page)?).into_response())
        }
        Err(ServiceError::NotFound) => link_gone(&ctx, "/account/e-mailadres", "Vraag opnieuw een wijziging aan"),
        Err(e) => Err(e.into()),
    }
}
