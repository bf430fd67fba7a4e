//! `/regio/{slug}/resultaten`: the results the region reports itself, per year, until that year's
//! progress report locks them.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::FieldErrors;
use services::ServiceError;

use crate::AppState;
use crate::form::Pairs;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;

pub struct FieldView {
    pub id: String,
    pub name: String,
    pub definition: String,
    pub unit: String,
    pub value: String,
    pub error: Option<String>,
}

pub struct YearView {
    pub year: i16,
    pub future: bool,
    pub locked_by: Option<String>,
    pub fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "resultaten/page.html")]
pub struct ResultsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub years: Vec<YearView>,
    pub notice: Option<String>,
    pub has_errors: bool,
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    refused: Option<(i16, &Pairs, FieldErrors)>,
    notice: Option<String>,
) -> Page {
    let r = services::reported::of_region(&st.app, &ctx.actor, slug).await?;
    if !r.can_edit {
        return Err(crate::error::WebError::Forbidden);
    }
    let has_errors = refused.is_some();
    let years = r
        .years
        .iter()
        .map(|y| {
            let typed = refused.as_ref().filter(|(year, ..)| *year == y.year);
            YearView {
                year: y.year,
                future: y.future,
                locked_by: y.locked_by.clone(),
                fields: r
                    .definitions
                    .iter()
                    .map(|d| FieldView {
                        value: match typed {
                            Some((_, f, _)) => f.get(&d.id),
                            None => y.values.get(&d.id).map(|v| v.to_string()).unwrap_or_default(),
                        },
                        error: typed.and_then(|(_, _, e)| e.get(&d.id).map(str::to_owned)),
                        id: d.id.clone(),
                        name: d.name.clone(),
                        definition: d.definition.clone(),
                        unit: d.unit.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let view = ResultsPage {
        l: Layout::new(format!("Resultaten van {}", r.region.name), ctx, "beheer"),
        slug: r.region.slug,
        region: r.region.name,
        years,
        notice,
        has_errors,
    };
    let status = if has_errors { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, html(view)?).into_response())
}

pub async fn form(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, flash: crate::flash::Flash) -> Page {
    page(&st, &ctx, &slug, None, flash.notice).await
}

pub async fn save(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let Ok(year) = f.get("year").parse::<i16>() else {
        let mut e = FieldErrors::default();
        e.add("year", "Kies een jaar van de regeling.");
        return Err(crate::error::WebError::Invalid(e));
    };
    let typed: Vec<(String, String)> = f.0.iter().filter(|(k, _)| k != "csrf" && k != "year").cloned().collect();
    match services::reported::set_year(&st.app, &ctx.actor, &slug, year, &typed).await {
        Ok(()) => {
            let notice = format!("De resultaten van {year} zijn opgeslagen.");
            crate::flash::redirect(&st, &format!("/regio/{slug}/resultaten"), &notice).await
        }
        Err(ServiceError::Invalid(e)) if e.get("year").is_none() => {
            page(&st, &ctx, &slug, Some((year, &f, e)), None).await
        }
        Err(e) => Err(e.into()),
    }
}
