//! Asking for an account at a region, and the region deciding on it.

use crate::AppState;
use crate::form::Pairs;
use crate::form::error_pairs;
use crate::layout::ms;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use services::ServiceError;

pub struct RequestView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub school: String,
    pub message: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "deelplannen/accounts.html")]
pub struct AccountsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub requests: Vec<RequestView>,
    pub notice: Option<String>,
}

pub async fn accounts(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    let (region, open) = services::account_requests::open(&st.app, &ctx.actor, &slug).await?;
    html(AccountsPage {
        l: Layout::new(format!("Accountaanvragen {}", region.name), &ctx, "beheer"),
        slug: region.slug,
        region: region.name,
        requests: open
            .into_iter()
            .map(|r| RequestView {
                id: r.id,
                name: r.name,
                email: r.email,
                school: r.organisation_name,
                message: r.message,
                at: ms(r.created_at),
            })
            .collect(),
        notice: flash.notice,
    })
}

pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let accept = f.get("decision") == "accept";
    services::account_requests::decide(&st.app, &ctx.actor, &slug, &id, accept).await?;
    let notice =
        if accept { "De uitnodiging is verstuurd." } else { "De aanvraag is afgewezen; de aanvrager krijgt bericht." };
    crate::flash::redirect(&st, &format!("/regio/{slug}/deelplannen/accounts"), notice).await
}

#[derive(Template)]
#[template(path = "deelplannen/request.html")]
pub struct RequestPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub schools: Vec<Choice>,
    pub name: String,
    pub email: String,
    pub message: String,
    pub errors: Vec<(String, String)>,
    pub done: bool,
}

async fn request_page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    f: &Pairs,
    errors: Vec<(String, String)>,
    done: bool,
) -> Page {
    let region = services::regions::page(&st.app, &ctx.actor, slug).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RequestPage {
        l: Layout::new(format!("Account aanvragen bij {}", region.region.name), ctx, "regios"),
        slug: region.region.slug.clone(),
        region: region.region.name.clone(),
        schools: Choice::pairs(
            std::iter::once((String::new(), "Kies uw school".into()))
                .chain(region.members.iter().filter(|m| m.kind.is_school()).map(|m| (m.id.clone(), m.name.clone()))),
            &f.get("organisation"),
        ),
        name: f.get("name"),
        email: f.get("email"),
        message: f.get("message"),
        errors,
        done,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The public form; it starts an anonymous session so the form carries a CSRF token.
pub async fn request_form(State(st): State<AppState>, mut ctx: Ctx, Path(slug): Path<String>) -> Page {
    let cookie = ctx.ensure_session(&st).await?;
    let page = request_page(&st, &ctx, &slug, &Pairs::default(), Vec::new(), false).await?;
    Ok(crate::session::with_cookie(page, cookie))
}

pub async fn request_account(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    // Anyone may ask, so a burst from one address is slowed down like failed logins are.
    let key = format!("account-request:{}", ctx.client);
    services::ratelimit::count(&st.app, &key, 5).await?;
    let input = services::account_requests::RequestInput {
        name: f.get("name"),
        email: f.get("email"),
        organisation: f.get("organisation"),
        message: f.get("message"),
    };
    match services::account_requests::request(&st.app, &slug, &input).await {
        Ok(()) => request_page(&st, &ctx, &slug, &Pairs::default(), Vec::new(), true).await,
        Err(ServiceError::Invalid(e)) => request_page(&st, &ctx, &slug, &f, error_pairs(&e), false).await,
        Err(e) => Err(e.into()),
    }
}
