//! The municipalities a region covers, as the national team corrects them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use services::ServiceError;

use crate::AppState;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;

pub struct CoverageRow {
    pub code: String,
    pub name: String,
    pub derived: bool,
    pub covered: bool,
}

#[derive(Template)]
#[template(path = "beheer/coverage.html")]
pub struct CoveragePage {
    pub l: Layout,
    pub slug: String,
    pub name: String,
    pub rows: Vec<CoverageRow>,
    pub gemeente: String,
    pub message: Option<String>,
    pub error: Option<String>,
}

async fn page(st: &AppState, ctx: &Ctx, slug: &str, gemeente: &str, outcome: Result<Option<String>, String>) -> Page {
    let rows = services::coverage::of_region(&st.app, &ctx.actor, slug).await?;
    let region = services::regions::page(&st.app, &ctx.actor, slug).await?.region;
    let status = if outcome.is_err() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (message, error) = match outcome {
        Ok(m) => (m, None),
        Err(e) => (None, Some(e)),
    };
    let view = CoveragePage {
        l: Layout::new(format!("Gemeenten van {}", region.name), ctx, "beheer"),
        slug: region.slug,
        name: region.name,
        rows: rows
            .into_iter()
            .map(|(a, derived, covered)| CoverageRow { code: a.code.clone(), name: a.name.clone(), derived, covered })
            .collect(),
        gemeente: gemeente.to_owned(),
        message,
        error,
    };
    Ok((status, html(view)?).into_response())
}

pub async fn coverage(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    page(&st, &ctx, &slug, "", Ok(None)).await
}

#[derive(Deserialize)]
pub struct CoverageForm {
    #[serde(default)]
    gemeente: String,
    /// `toevoegen`, `weghalen` or `terugzetten` (back to what the members' locations say).
    #[serde(default)]
    actie: String,
}

pub async fn set_coverage(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(f): Form<CoverageForm>,
) -> Page {
    ctx.actor.require(domain::Action::ManageRegionIdentity)?;
    let covered = match f.actie.as_str() {
        "toevoegen" => Some(true),
        "weghalen" => Some(false),
        "terugzetten" => None,
        _ => return page(&st, &ctx, &slug, &f.gemeente, Err("Kies toevoegen, weghalen of terugzetten.".into())).await,
    };
    match services::coverage::set(&st.app, &ctx.actor, &slug, &f.gemeente, covered).await {
        Ok(()) => {
            let done = match covered {
                Some(true) => "toegevoegd",
                Some(false) => "weggehaald",
                None => "teruggezet naar wat de scholen zeggen",
            };
            page(&st, &ctx, &slug, "", Ok(Some(format!("Gemeente {} is {done}.", f.gemeente.trim())))).await
        }
        Err(ServiceError::Invalid(e)) => {
            let message = e.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
            page(&st, &ctx, &slug, &f.gemeente, Err(message)).await
        }
        Err(e) => Err(e.into()),
    }
}
