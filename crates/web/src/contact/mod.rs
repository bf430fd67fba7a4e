//! `/contact`: a question to the national team or a region; `/beheer/berichten`: the answers.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::FieldErrors;
use serde::Deserialize;
use services::ServiceError;
use services::contact::ContactInput;

use crate::AppState;
use crate::form::Pairs;
use crate::layout::{Choice, Layout, ms};
use crate::page::{Page, html};
use crate::session::Ctx;
use crate::spam::{self, Verdict};

/// The spam guard's name for this form.
const FORM: &str = "contact";

#[derive(Template)]
#[template(path = "contact/form.html")]
pub struct ContactPage {
    pub l: Layout,
    pub regions: Vec<Choice>,
    pub typed: ContactInput,
    pub errors: FieldErrors,
    pub again: Option<&'static str>,
    pub stamp: String,
    pub done: bool,
}

async fn contact_page(
    st: &AppState,
    ctx: &Ctx,
    typed: ContactInput,
    (errors, again, done): (FieldErrors, Option<&'static str>, bool),
) -> Page {
    let regions = services::regions::list_public(&st.app).await?;
    let status = if errors.is_empty() && again.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ContactPage {
        l: Layout::new("Contact", ctx, "contact"),
        regions: Choice::pairs(
            std::iter::once((String::new(), "Het landelijk team".to_owned()))
                .chain(regions.into_iter().map(|r| (r.slug, format!("Regio {} ({})", r.name, r.province)))),
            &typed.region,
        ),
        typed,
        errors,
        again,
        stamp: spam::stamp(st, FORM).await?,
        done,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct RegionQuery {
    #[serde(default)]
    regio: String,
}

pub async fn form(State(st): State<AppState>, mut ctx: Ctx, Query(q): Query<RegionQuery>) -> Page {
    let cookie = ctx.ensure_session(&st).await?;
    let typed = ContactInput { region: q.regio, ..ContactInput::default() };
    let page = contact_page(&st, &ctx, typed, (FieldErrors::default(), None, false)).await?;
    Ok(crate::session::with_cookie(page, cookie))
}

pub async fn send(State(st): State<AppState>, ctx: Ctx, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let typed = ContactInput {
        region: f.get("region"),
        name: f.get("name"),
        email: f.get("email"),
        subject: f.get("subject"),
        message: f.get("message"),
    };
    let outcome = match spam::judge(&st, &ctx, FORM, &f).await? {
        Verdict::Robot => Ok(()),
        Verdict::Again(why) => return contact_page(&st, &ctx, typed, (FieldErrors::default(), Some(why), false)).await,
        Verdict::Person => services::contact::send(&st.app, &typed).await,
    };
    match outcome {
        Ok(()) => contact_page(&st, &ctx, ContactInput::default(), (FieldErrors::default(), None, true)).await,
        Err(ServiceError::Invalid(e)) => contact_page(&st, &ctx, typed, (e, None, false)).await,
        Err(e) => Err(e.into()),
    }
}

pub struct MessageView {
    pub id: String,
    pub to: String,
    pub name: String,
    pub email: String,
    pub subject: String,
    pub body: String,
    pub at: String,
    pub answer: Option<String>,
    pub answered_at: String,
    /// What was typed when the answer was refused.
    pub refused: Option<String>,
}

#[derive(Template)]
#[template(path = "contact/inbox.html")]
pub struct InboxPage {
    pub l: Layout,
    pub messages: Vec<MessageView>,
    pub notice: Option<String>,
}

async fn inbox_page(st: &AppState, ctx: &Ctx, notice: Option<String>, refused: Option<(String, String)>) -> Page {
    let list = services::contact::inbox(&st.app, &ctx.actor).await?;
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let messages = list
        .into_iter()
        .map(|item| {
            let m = item.message;
            MessageView {
                refused: refused.as_ref().filter(|(id, _)| *id == m.id).map(|(_, t)| t.clone()),
                to: item.region.map_or("Landelijk team".to_owned(), |r| format!("Regio {r}")),
                at: ms(m.created_at),
                answered_at: m.answered_at.map(ms).unwrap_or_default(),
                id: m.id,
                name: m.name,
                email: m.email,
                subject: m.subject,
                body: m.body,
                answer: m.answer,
            }
        })
        .collect();
    let page = InboxPage { l: Layout::new("Berichten", ctx, "beheer"), messages, notice };
    Ok((status, html(page)?).into_response())
}

pub async fn inbox(State(st): State<AppState>, ctx: Ctx, flash: crate::flash::Flash) -> Page {
    inbox_page(&st, &ctx, flash.notice, None).await
}

pub async fn answer(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let text = f.get("answer");
    match services::contact::answer(&st.app, &ctx.actor, &id, &text).await {
        Ok(()) => crate::flash::redirect(&st, "/beheer/berichten", "Het antwoord is per e-mail verstuurd.").await,
        Err(ServiceError::Invalid(_)) => inbox_page(&st, &ctx, None, Some((id, text))).await,
        Err(e) => Err(e.into()),
    }
}
