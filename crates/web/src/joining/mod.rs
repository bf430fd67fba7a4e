//! Asking to join a region (a school, `/regios/{slug}/aansluiten`; a company,
//! `/regios/{slug}/partner-worden`) and the region manager's decisions (`/regio/{slug}/aanmeldingen`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::FieldErrors;
use domain::joining::{JoinInput, JoinKind};
use serde::Deserialize;
use services::ServiceError;
use services::joining::Decision;

use crate::AppState;
use crate::form::Pairs;
use crate::layout::{Choice, Layout, ms};
use crate::page::{Page, html};
use crate::session::Ctx;
use crate::spam::{self, Verdict};

/// The spam guard's name for these forms.
const FORM: &str = "join-request";

#[derive(Template)]
#[template(path = "aansluiten/form.html")]
pub struct JoinPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub school: bool,
    pub schools: Vec<Choice>,
    pub typed: JoinInput,
    pub errors: FieldErrors,
    pub again: Option<&'static str>,
    pub stamp: String,
    pub done: bool,
}

struct Shown<'a> {
    kind: JoinKind,
    typed: JoinInput,
    errors: FieldErrors,
    again: Option<&'static str>,
    done: bool,
    ctx: &'a Ctx,
}

async fn join_page(st: &AppState, slug: &str, shown: Shown<'_>) -> Page {
    let (region, locations) = services::joining::locations(&st.app, slug).await?;
    let status = if shown.errors.is_empty() && shown.again.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = match shown.kind {
        JoinKind::School => format!("Uw school aanmelden bij {}", region.name),
        JoinKind::Company => format!("Partner worden van {}", region.name),
    };
    let schools = Choice::pairs(
        std::iter::once((String::new(), "Kies uw school".into())).chain(
            locations.into_iter().map(|l| (l.code.clone(), format!("{} ({}, {})", l.name, l.municipality, l.code))),
        ),
        &shown.typed.school,
    );
    let page = JoinPage {
        l: Layout::new(title, shown.ctx, "regios"),
        slug: region.slug,
        region: region.name,
        school: shown.kind == JoinKind::School,
        schools,
        typed: shown.typed,
        errors: shown.errors,
        again: shown.again,
        stamp: spam::stamp(st, FORM).await?,
        done: shown.done,
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct SchoolQuery {
    #[serde(default)]
    school: String,
}

async fn form(st: AppState, mut ctx: Ctx, slug: &str, kind: JoinKind, school: String) -> Page {
    let cookie = ctx.ensure_session(&st).await?;
    let typed = JoinInput { school, ..JoinInput::default() };
    let shown = Shown { kind, typed, errors: FieldErrors::default(), again: None, done: false, ctx: &ctx };
    let page = join_page(&st, slug, shown).await?;
    Ok(crate::session::with_cookie(page, cookie))
}

pub async fn school_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<SchoolQuery>,
) -> Page {
    form(st, ctx, &slug, JoinKind::School, q.school).await
}

pub async fn partner_form(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    form(st, ctx, &slug, JoinKind::Company, String::new()).await
}

async fn post(st: AppState, ctx: Ctx, slug: &str, kind: JoinKind, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let typed = JoinInput {
        school: f.get("school"),
        company: f.get("company"),
        kvk: f.get("kvk"),
        name: f.get("name"),
        email: f.get("email"),
        message: f.get("message"),
    };
    let shown = |typed, errors, again, done| Shown { kind, typed, errors, again, done, ctx: &ctx };
    match spam::judge(&st, &ctx, FORM, &f).await? {
        Verdict::Robot => {
            return join_page(&st, slug, shown(JoinInput::default(), FieldErrors::default(), None, true)).await;
        }
        Verdict::Again(why) => {
            return join_page(&st, slug, shown(typed, FieldErrors::default(), Some(why), false)).await;
        }
        Verdict::Person => {}
    }
    match services::joining::request(&st.app, slug, kind, &typed).await {
        Ok(()) => join_page(&st, slug, shown(JoinInput::default(), FieldErrors::default(), None, true)).await,
        Err(ServiceError::Invalid(e)) => join_page(&st, slug, shown(typed, e, None, false)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn school_request(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    post(st, ctx, &slug, JoinKind::School, body).await
}

pub async fn partner_request(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    post(st, ctx, &slug, JoinKind::Company, body).await
}

pub struct RequestView {
    pub id: String,
    pub school: bool,
    pub organisation: String,
    pub duo_code: String,
    pub kvk: String,
    pub name: String,
    pub email: String,
    pub message: String,
    pub at: String,
    /// The reason typed when declining it was refused (none given).
    pub refused: Option<String>,
}

#[derive(Template)]
#[template(path = "aansluiten/requests.html")]
pub struct RequestsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub requests: Vec<RequestView>,
    pub notice: Option<String>,
}

async fn requests_page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    notice: Option<String>,
    refused: Option<(String, String)>,
) -> Page {
    let (region, open) = services::joining::open(&st.app, &ctx.actor, slug).await?;
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = RequestsPage {
        l: Layout::new(format!("Aanmeldingen voor {}", region.name), ctx, "beheer"),
        slug: region.slug,
        region: region.name,
        requests: open
            .into_iter()
            .map(|r| RequestView {
                refused: refused.as_ref().filter(|(id, _)| *id == r.id).map(|(_, reason)| reason.clone()),
                school: r.kind == JoinKind::School.code(),
                id: r.id,
                organisation: r.organisation_name,
                duo_code: r.duo_code.unwrap_or_default(),
                kvk: r.kvk.unwrap_or_default(),
                name: r.contact_name,
                email: r.contact_email,
                message: r.message,
                at: ms(r.created_at),
            })
            .collect(),
        notice,
    };
    Ok((status, html(page)?).into_response())
}

pub async fn requests(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    requests_page(&st, &ctx, &slug, flash.notice, None).await
}

pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let reason = f.get("reason");
    let (decision, notice) = match f.get("decision").as_str() {
        "accept" => (Decision::Accept, "Aangenomen: de organisatie doet mee en de contactpersoon is uitgenodigd."),
        "decline" => {
            (Decision::Decline { reason: &reason }, "Afgewezen; de aanvrager krijgt uw toelichting per e-mail.")
        }
        _ => {
            let mut e = FieldErrors::default();
            e.add("decision", "Kies aannemen of afwijzen.");
            return Err(crate::error::WebError::Invalid(e));
        }
    };
    match services::joining::decide(&st.app, &ctx.actor, &slug, &id, decision).await {
        Ok(()) => crate::flash::redirect(&st, &format!("/regio/{slug}/aanmeldingen"), notice).await,
        Err(ServiceError::Invalid(_)) => requests_page(&st, &ctx, &slug, None, Some((id, reason))).await,
        Err(e) => Err(e.into()),
    }
}
