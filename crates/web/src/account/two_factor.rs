//! Two-factor sign-in: the code after the password, setting it up (with a QR code drawn on the
//! server as SVG), new recovery codes, and turning it off where the role allows.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use domain::FieldErrors;
use serde::Deserialize;
use services::ServiceError;
use services::auth::{SignIn, Stage};

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;

#[derive(Template)]
#[template(path = "account/code.html")]
struct CodePage {
    l: Layout,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct TwoFactorPage {
    l: Layout,
    /// Set up and confirmed.
    enabled: bool,
    /// The role requires it (it cannot be turned off; a pending sign-in must set it up).
    required: bool,
    /// A sign-in that may go on only once it is set up.
    enrolling: bool,
    codes_left: i64,
    /// The key to type when the QR code cannot be scanned.
    secret: String,
    /// Recovery codes just made: shown once.
    recovery_codes: Vec<String>,
    errors: FieldErrors,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct CodeInput {
    #[serde(default)]
    code: String,
}

fn code_page(ctx: &Ctx, errors: FieldErrors) -> Page {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, html(CodePage { l: Layout::new("Inloggen: code", ctx, "inloggen"), errors })?).into_response())
}

/// Whether the request is a sign-in waiting at `stage`.
fn waits_at(ctx: &Ctx, stage: Stage) -> bool {
    ctx.pending.as_ref().is_some_and(|p| p.stage == stage)
}

pub async fn code_form(ctx: Ctx) -> Page {
    if !waits_at(&ctx, Stage::Code) {
        return Ok(Redirect::to("/inloggen").into_response());
    }
    code_page(&ctx, FieldErrors::default())
}

pub async fn code(State(st): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> Page {
    let token = ctx.session_token.clone().unwrap_or_default();
    match services::two_factor::complete_sign_in(&st.app, (&token, ctx.pending.as_ref()), &input.code, ctx.origin())
        .await
    {
        Ok(session) => crate::account::signed_in(&st, &ctx, &SignIn::Full(session)).await,
        Err(ServiceError::Invalid(errors)) => code_page(&ctx, errors),
        Err(ServiceError::Denied(_)) => Ok(Redirect::to("/inloggen").into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The set-up page, or where two-factor sign-in stands.
async fn page(
    st: &AppState,
    ctx: &Ctx,
    errors: FieldErrors,
    (recovery_codes, notice): (Vec<String>, Option<String>),
) -> Page {
    let enrolling = waits_at(ctx, Stage::Enrol);
    if !enrolling {
        ctx.actor.require(domain::Action::UseAccount).map_err(ServiceError::from)?;
    }
    let status = match enrolling {
        true => services::two_factor::Status { enabled: false, required: true, recovery_codes_left: 0 },
        false => services::two_factor::status(&st.app, &ctx.actor).await?,
    };
    let secret = match status.enabled {
        true => String::new(),
        false => services::two_factor::enrolment(&st.app, &ctx.actor, ctx.pending.as_ref()).await?.secret,
    };
    let code = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = TwoFactorPage {
        l: Layout::new("Inloggen in twee stappen", ctx, "beheer"),
        enabled: status.enabled,
        required: status.required,
        enrolling,
        codes_left: status.recovery_codes_left,
        secret,
        recovery_codes,
        errors,
        notice,
    };
    Ok((code, html(page)?).into_response())
}

pub async fn settings(State(st): State<AppState>, ctx: Ctx, flash: crate::flash::Flash) -> Page {
    page(&st, &ctx, FieldErrors::default(), (Vec::new(), flash.notice)).await
}

/// The QR code of the set-up, as SVG: the `otpauth://` address for the authenticator app.
pub async fn qr(State(st): State<AppState>, ctx: Ctx) -> Page {
    let enrolment = services::two_factor::enrolment(&st.app, &ctx.actor, ctx.pending.as_ref()).await?;
    let code = qrcode::QrCode::new(enrolment.uri.as_bytes()).map_err(|e| WebError::Internal(e.to_string()))?;
    let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(220, 220).quiet_zone(true).build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "no-store")], svg).into_response())
}

pub async fn turn_on(State(st): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> Page {
    let token = ctx.session_token.clone().unwrap_or_default();
    let result =
        services::two_factor::turn_on(&st.app, &ctx.actor, (&token, ctx.pending.as_ref()), &input.code, ctx.origin())
            .await;
    match result {
        Ok((codes, None)) => {
            page(&st, &ctx, FieldErrors::default(), (codes, Some("Inloggen in twee stappen staat aan.".into()))).await
        }
        Ok((codes, Some(session))) => {
            // The sign-in that had to set it up is signed in now: the codes show on the new session's page.
            let signed = crate::account::signed_in(&st, &ctx, &SignIn::Full(session.clone())).await?;
            let ctx = services::auth::session(&st.app, &session)
                .await?
                .map(|view| ctx.clone().in_session(view, Some(session)));
            let Some(ctx) = ctx else { return Ok(signed) };
            let shown = page(
                &st,
                &ctx,
                FieldErrors::default(),
                (codes, Some("Inloggen in twee stappen staat aan. U bent ingelogd.".into())),
            )
            .await?;
            Ok(with_cookies_of(signed, shown))
        }
        Err(ServiceError::Invalid(errors)) => page(&st, &ctx, errors, (Vec::new(), None)).await,
        Err(e) => Err(e.into()),
    }
}

/// `shown` with the cookies `from` sets (a new session's, the anonymous one cleared).
fn with_cookies_of(from: axum::response::Response, mut shown: axum::response::Response) -> axum::response::Response {
    for cookie in from.headers().get_all(header::SET_COOKIE) {
        shown.headers_mut().append(header::SET_COOKIE, cookie.clone());
    }
    shown
}

pub async fn renew_codes(State(st): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> Page {
    match services::two_factor::renew_recovery_codes(&st.app, &ctx.actor, &input.code).await {
        Ok(codes) => {
            page(
                &st,
                &ctx,
                FieldErrors::default(),
                (codes, Some("Er zijn nieuwe herstelcodes; de oude werken niet meer.".into())),
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => page(&st, &ctx, errors, (Vec::new(), None)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn turn_off(State(st): State<AppState>, ctx: Ctx, Form(input): Form<CodeInput>) -> Page {
    match services::two_factor::turn_off(&st.app, &ctx.actor, &input.code).await {
        Ok(()) => {
            crate::flash::redirect(&st, "/account/tweestapsverificatie", "Inloggen in twee stappen staat uit.").await
        }
        Err(ServiceError::Invalid(errors)) => page(&st, &ctx, errors, (Vec::new(), None)).await,
        Err(e) => Err(e.into()),
    }
}
