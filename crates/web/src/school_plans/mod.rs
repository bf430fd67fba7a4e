//! School plan pages (`/regio/{slug}/deelplannen/…`): the board by state, a plan with its
//! activities, budget, attachments and history, the review buttons the workflow table allows,
//! teachers' account requests, and everyone's own notifications.

pub mod api;
pub mod endorse;
pub mod plan;
pub mod report;
pub mod steps;
pub mod submit;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::fmt::euro_nl;
use domain::school_plan::{PlanState, SchoolPlan};
use services::ServiceError;
use services::school_plans::{self as plans, BoardFilter};

use crate::AppState;
use crate::error::WebError;
use crate::form::Pairs;
use crate::form::error_pairs;
use crate::layout::ms;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;

pub(crate) fn theme_label(st: &AppState, id: &str) -> String {
    st.app
        .current_regulation()
        .ok()
        .and_then(|r| r.themes.iter().find(|t| t.id == id).map(|t| t.label.clone()))
        .unwrap_or_else(|| if id.is_empty() { "Geen thema".into() } else { id.to_owned() })
}

pub(crate) fn themes(st: &AppState) -> Vec<(String, String)> {
    st.app
        .current_regulation()
        .map(|r| r.themes.iter().map(|t| (t.id.clone(), t.label.clone())).collect())
        .unwrap_or_default()
}

pub struct CardView {
    pub id: String,
    pub title: String,
    pub school: String,
    pub theme: String,
    pub author: String,
    pub requested: String,
    /// Whether the card links to the plan and shows its money (another school's approved plan does not).
    pub readable: bool,
    pub cofinancing: String,
    pub updated: String,
}

pub struct ColumnView {
    pub code: &'static str,
    pub label: &'static str,
    pub total: String,
    pub cards: Vec<CardView>,
}

#[derive(Template)]
#[template(path = "deelplannen/board.html")]
pub struct BoardPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub columns: Vec<ColumnView>,
    pub count: usize,
    pub maximum: String,
    pub in_application: String,
    pub requested_open: String,
    pub room: String,
    pub over: bool,
    pub phase_label: String,
    pub schools: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub states: Vec<Choice>,
    pub filtered: bool,
    pub sees_all: bool,
    pub can_create: bool,
    pub can_review_accounts: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    pub(crate) school: String,
    #[serde(default)]
    pub(crate) theme: String,
    #[serde(default)]
    pub(crate) status: String,
}

pub async fn board(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Page {
    let filter = BoardFilter { school: q.school.clone(), theme: q.theme.clone(), state: q.status.clone() };
    let b = plans::board(&st.app, &ctx.actor, &slug, &filter).await?;
    let columns = PlanState::ALL
        .into_iter()
        .map(|state| {
            let cards: Vec<_> = b.plans.iter().filter(|p| p.state == state).collect();
            ColumnView {
                code: state.code(),
                label: state.label(),
                total: euro_nl(cards.iter().map(|p| p.requested).sum()),
                cards: cards
                    .into_iter()
                    .map(|p| CardView {
                        id: p.id.clone(),
                        title: p.title.clone(),
                        school: p.school.clone(),
                        theme: theme_label(&st, &p.theme),
                        author: p.author.clone(),
                        requested: euro_nl(p.requested),
                        cofinancing: euro_nl(p.cofinancing),
                        updated: ms(p.updated_at),
                        readable: p.readable,
                    })
                    .collect(),
            }
        })
        .collect();
    let room = b.room();
    let open = b.requested_open();
    let can_review_accounts = ctx
        .actor
        .permits(domain::Action::InviteUser { role: domain::Role::SchoolContact, region_id: Some(&b.region.id) });
    html(BoardPage {
        l: Layout::new(format!("Deelplannen {}", b.region.name), &ctx, "beheer"),
        slug: b.region.slug.clone(),
        region: b.region.name.clone(),
        columns,
        count: b.plans.len(),
        maximum: b.maximum.map_or("onbekend".into(), euro_nl),
        in_application: euro_nl(b.in_application),
        requested_open: euro_nl(open),
        room: room.map_or("onbekend".into(), euro_nl),
        over: room.is_some_and(|r| open > r),
        phase_label: b.phase_label.clone(),
        schools: Choice::pairs(
            std::iter::once((String::new(), "Alle scholen".into())).chain(b.schools.clone()),
            &q.school,
        ),
        themes: Choice::pairs(std::iter::once((String::new(), "Alle thema's".into())).chain(themes(&st)), &q.theme),
        states: Choice::pairs(
            std::iter::once((String::new(), "Alle statussen".into()))
                .chain(PlanState::ALL.into_iter().map(|s| (s.code().to_owned(), s.label().to_owned()))),
            &q.status,
        ),
        filtered: !(q.school.is_empty() && q.theme.is_empty() && q.status.is_empty()),
        sees_all: b.sees_all,
        can_create: b.can_create,
        can_review_accounts,
    })
}

#[derive(Template)]
#[template(path = "deelplannen/new.html")]
pub struct NewPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub schools: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub title: String,
    pub errors: Vec<(String, String)>,
}

async fn new_page(st: &AppState, ctx: &Ctx, slug: &str, f: &Pairs, errors: Vec<(String, String)>) -> Page {
    let b = plans::board(&st.app, &ctx.actor, slug, &BoardFilter::default()).await?;
    if !b.can_create {
        return Err(WebError::Forbidden);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    // What was typed, else the school the person works for.
    let own = b.schools.iter().find(|(id, _)| ctx.actor.acts_for(domain::Role::SchoolContact, &b.region.id, id));
    let chosen = match f.get("organisation") {
        typed if !typed.is_empty() => typed,
        _ => own.map(|(id, _)| id.clone()).unwrap_or_default(),
    };
    let page = NewPage {
        l: Layout::new("Nieuw deelplan", ctx, "beheer"),
        slug: b.region.slug.clone(),
        region: b.region.name.clone(),
        schools: Choice::pairs(b.schools.clone(), &chosen),
        themes: Choice::pairs(themes(st), &f.get("theme")),
        title: f.get("title"),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn new_form(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    new_page(&st, &ctx, &slug, &Pairs::default(), Vec::new()).await
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let plan = SchoolPlan {
        title: f.get("title"),
        organisation: f.get("organisation"),
        theme: f.get("theme"),
        ..SchoolPlan::default()
    };
    match plans::create(&st.app, &ctx.actor, &slug, plan).await {
        Ok(id) => Ok(Redirect::to(&format!("/regio/{slug}/deelplannen/{id}")).into_response()),
        Err(ServiceError::Invalid(e)) => new_page(&st, &ctx, &slug, &f, error_pairs(&e)).await,
        Err(e) => Err(e.into()),
    }
}
