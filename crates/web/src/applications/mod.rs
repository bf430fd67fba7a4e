//! The region's application workspace: vision, activities, budget and agreement with the
//! regulation's checks beside them, submission of frozen versions and what changed between them.

pub mod agreement;
pub mod api;
pub mod edit;
pub mod files;
mod views;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use domain::fmt::datetime_nl;
use domain::regulation::Window;
use services::applications::{self as apps};

use crate::AppState;
use crate::applications::views::Outcome;
use crate::applications::views::render;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;

pub struct PhaseRow {
    pub id: String,
    pub label: String,
    pub started: bool,
    pub versions: usize,
    pub open: bool,
    /// Where its window stands, in words.
    pub window: String,
}

/// A phase's window in words: until when it is open and how many days are left, or since when
/// it is closed, or from when it opens.
pub(crate) fn window_text(w: Window) -> String {
    match w {
        Window::Open { closes, days_left: 0 } => format!("Open tot vandaag, {}.", datetime_nl(closes)),
        Window::Open { closes, days_left: 1 } => format!("Open tot {}: nog 1 dag.", datetime_nl(closes)),
        Window::Open { closes, days_left } => format!("Open tot {}: nog {days_left} dagen.", datetime_nl(closes)),
        Window::Closed { closed } => format!("Gesloten sinds {}.", datetime_nl(closed)),
        Window::NotYetOpen { opens } => format!("Opent op {}.", datetime_nl(opens)),
    }
}

#[derive(Template)]
#[template(path = "aanvraag/overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub phases: Vec<PhaseRow>,
    pub can_edit: bool,
}

pub async fn overview(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let (region, phases) = apps::overview(&st.app, &ctx.actor, &slug).await?;
    let can_edit = ctx.actor.permits(domain::Action::EditApplication { region_id: &region.id });
    html(OverviewPage {
        l: Layout::new(format!("Aanvragen {}", region.name), &ctx, "beheer"),
        slug: region.slug,
        region: region.name,
        phases: phases
            .into_iter()
            .map(|p| PhaseRow {
                id: p.id,
                label: p.label,
                started: p.started,
                versions: p.versions,
                open: p.window.is_open(),
                window: window_text(p.window),
            })
            .collect(),
        can_edit,
    })
}

pub async fn start(State(st): State<AppState>, ctx: Ctx, Path((slug, phase)): Path<(String, String)>) -> Page {
    apps::start(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(Redirect::to(&format!("/regio/{slug}/aanvragen/{phase}")).into_response())
}

#[derive(serde::Deserialize)]
pub struct EditQuery {
    /// A budget line to edit.
    #[serde(default)]
    pub(crate) regel: Option<usize>,
}

pub async fn workspace(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<EditQuery>,
    flash: crate::flash::Flash,
) -> Page {
    let notice = flash.notice;
    render(&st, &ctx, &slug, &phase, Outcome { notice, editing: q.regel, ..Outcome::ok() }).await
}

#[derive(Template)]
#[template(path = "aanvraag/diff.html")]
pub struct DiffPage {
    pub l: Layout,
    pub slug: String,
    pub phase: String,
    pub from: String,
    pub to: String,
    pub changes: Vec<(String, String)>,
}

fn version_label(n: i64) -> String {
    if n == 0 { "het huidige concept".into() } else { format!("versie {n}") }
}

pub async fn changes(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, from, to)): Path<(String, String, i64, i64)>,
) -> Page {
    let changes = apps::changes(&st.app, &ctx.actor, &slug, &phase, from, to).await?;
    html(DiffPage {
        l: Layout::new("Wijzigingen", &ctx, "beheer"),
        slug,
        phase,
        from: version_label(from),
        to: version_label(to),
        changes: changes.into_iter().map(|c| (c.kind.to_owned(), c.text)).collect(),
    })
}
