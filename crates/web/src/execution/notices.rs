//! Change notices (meldplicht) and their letters.

use crate::AppState;
use crate::execution::Outcome;
use crate::execution::Tab;
use crate::execution::tabs;
use crate::form::Pairs;
use crate::form::error_pairs;
use crate::layout::{Choice, Layout};
use crate::page::Page;
use crate::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::Action;
use domain::execution::{BudgetMove, ChangeNotice};
use domain::fmt::{date_nl, parse_decimal_nl};
use services::ServiceError;
use services::execution::{self as exec};

pub struct NoticeView {
    pub id: String,
    pub date: String,
    pub description: String,
    pub substantial: Vec<String>,
    pub by: String,
}

#[derive(Template)]
#[template(path = "uitvoering/notices.html")]
pub struct NoticesPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub notices: Vec<NoticeView>,
    pub activities: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub can_edit: bool,
    pub notice: Option<String>,
    pub warning: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: crate::form::Typed,
}

async fn render_notices(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let (ledger, list) = exec::notices(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.current_regulation()?;
    let page = NoticesPage {
        l: Layout::new(format!("Wijzigingen {}", ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, "wijzigingen"),
        can_edit: ctx.actor.permits(Action::EditApplication { region_id: &ledger.region.id }),
        notices: list
            .into_iter()
            .map(|n| NoticeView {
                id: n.id,
                date: n.notice.date.map(date_nl).unwrap_or_default(),
                description: n.notice.description,
                substantial: n.substantial,
                by: n.created_by.unwrap_or_default(),
            })
            .collect(),
        activities: Choice::activities(&ledger.approved.activities),
        categories: Choice::categories(reg, |c| !c.forbidden),
        notice: outcome.notice,
        warning: outcome.warning,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn notices(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    render_notices(&st, &ctx, &slug, Outcome { notice: flash.notice, warning: flash.warning, ..Outcome::default() })
        .await
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

pub async fn add_notice(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let mut moves = Vec::new();
    if let Some(amount) = parse_decimal_nl(&f.get("move_amount")).filter(|a| !a.is_zero()) {
        moves.push(BudgetMove { from_category: f.get("move_from"), to_category: f.get("move_to"), amount_eur: amount });
    }
    let notice = ChangeNotice {
        date: None,
        description: f.get("description"),
        goals_dropped: lines(&f.get("goals_dropped")),
        goals_added: lines(&f.get("goals_added")),
        activities_dropped: f.all("activities_dropped"),
        activities_late: f.all("activities_late"),
        moves,
    };
    match exec::add_notice(&st.app, &ctx.actor, &slug, notice).await {
        Ok((_, why)) => {
            let warning = (!why.is_empty())
                .then(|| format!("Deze wijziging is wezenlijk en moet worden gemeld: {}", why.join(" ")));
            let to = format!("/regio/{slug}/uitvoering/wijzigingen");
            crate::flash::with_warning(&st, &to, "De wijziging is vastgelegd.", warning.as_deref()).await
        }
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            };
            render_notices(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn notice_pdf(State(st): State<AppState>, ctx: Ctx, Path((slug, id)): Path<(String, String)>) -> Page {
    let (name, bytes) = exec::notice_pdf(&st.app, &ctx.actor, &slug, &id).await?;
    Ok(crate::download::file("application/pdf", &name, bytes))
}
