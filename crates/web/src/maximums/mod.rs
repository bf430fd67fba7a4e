//! The region maximum table (annex 3) as the national team keeps it: `/beheer/maxima` lists every
//! technical region with the amount in force and its source; `/beheer/maxima/{slug}` changes one,
//! with the history of every amount set.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::Action;
use domain::fmt::{amount_nl, euro_nl, parse_decimal_nl};
use domain::regulation::maximum::MaximumInput;
use rust_decimal::Decimal;
use services::ServiceError;
use services::maximums::{self, MaximumRow};

use crate::AppState;
use crate::error::WebError;
use crate::form::{Pairs, Typed, error_pairs};
use crate::guard::EditsMaximums;
use crate::layout::{Layout, ms};
use crate::page::Page;
use crate::session::Ctx;

/// One row as set: amount, source, verified, why, by whom and when.
pub struct EntryView {
    pub amount: String,
    pub source: String,
    pub verified: bool,
    pub reason: String,
    pub by: String,
    pub at: String,
}

fn entry(m: &MaximumRow) -> EntryView {
    EntryView {
        amount: euro_nl(Decimal::new(m.amount_cents, 2)),
        source: m.source.clone(),
        verified: m.verified,
        reason: m.reason.clone().unwrap_or_default(),
        by: m.set_by_name.clone().unwrap_or_default(),
        at: ms(m.set_at),
    }
}

#[derive(Template)]
#[template(path = "beheer/maxima.html")]
pub struct TablePage {
    pub l: Layout,
    pub regulation: String,
    /// (slug, region, the row in force).
    pub rows: Vec<(String, String, Option<EntryView>)>,
    pub set: usize,
    pub unverified: usize,
    pub total: String,
}

fn require(ctx: &Ctx) -> Result<(), WebError> {
    ctx.actor.require(Action::EditRegionMaximums).map_err(|e| WebError::from(ServiceError::from(e)))
}

pub async fn table(State(st): State<AppState>, ctx: Ctx) -> Page {
    require(&ctx)?;
    let reg = st.app.current_regulation()?;
    let rows = maximums::table(&st.app, &reg.id).await?;
    let total: i64 = rows.iter().filter_map(|r| r.current.as_ref()).map(|m| m.amount_cents).sum();
    let page = TablePage {
        l: Layout::new("Maxima per regio", &ctx, "beheer"),
        regulation: reg.title.clone(),
        set: rows.iter().filter(|r| r.current.is_some()).count(),
        unverified: rows.iter().filter(|r| r.current.as_ref().is_some_and(|m| !m.verified)).count(),
        total: euro_nl(Decimal::new(total, 2)),
        rows: rows.into_iter().map(|r| (r.slug, r.name, r.current.as_ref().map(entry))).collect(),
    };
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "beheer/maximum.html")]
pub struct RegionPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub regulation: String,
    pub current: Option<EntryView>,
    /// The id of the row in force, as the form carries it (empty: none yet).
    pub replaced: String,
    pub amount: String,
    pub source: String,
    pub verified: bool,
    pub history: Vec<EntryView>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
    pub notice: Option<String>,
}

async fn render(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    (notice, status, typed, errors): (Option<String>, StatusCode, Typed, Vec<(String, String)>),
) -> Page {
    require(ctx)?;
    let reg = st.app.current_regulation()?;
    let (region, history) = maximums::history(&st.app, &reg.id, slug).await?;
    let current = history.first();
    let page = RegionPage {
        l: Layout::new(format!("Maximum {}", region.name), ctx, "beheer"),
        slug: region.slug.clone(),
        region: region.name.clone(),
        regulation: reg.title.clone(),
        replaced: current.map(|m| m.id.clone()).unwrap_or_default(),
        amount: typed.value(
            "maximum",
            "amount",
            &current.map(|m| amount_nl(Decimal::new(m.amount_cents, 2))).unwrap_or_default(),
        ),
        source: typed.value("maximum", "source", &current.map(|m| m.source.clone()).unwrap_or_default()),
        verified: typed.ticked("maximum", "verified", "ja", current.is_some_and(|m| m.verified)),
        current: current.map(entry),
        history: history.iter().map(entry).collect(),
        typed: typed.with_errors(&errors),
        errors,
        notice,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    render(&st, &ctx, &slug, (flash.notice, StatusCode::OK, Typed::default(), Vec::new())).await
}

pub async fn set(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    _may: EditsMaximums,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let (amount, source, reason) = (f.get("amount"), f.get("source"), f.get("reason"));
    let input = MaximumInput {
        amount: parse_decimal_nl(&amount),
        source: &source,
        verified: f.get("verified") == "ja",
        reason: &reason,
    };
    let replaced = Some(f.get("replaced")).filter(|r| !r.is_empty());
    let reg = st.app.current_regulation()?;
    match maximums::set(&st.app, &ctx.actor, (&reg.id, &slug), &input, replaced.as_deref()).await {
        Ok(()) => crate::flash::redirect(&st, &format!("/beheer/maxima/{slug}"), "Het maximum is vastgelegd.").await,
        Err(ServiceError::Invalid(e)) => {
            render(
                &st,
                &ctx,
                &slug,
                (None, StatusCode::UNPROCESSABLE_ENTITY, Typed::new("maximum", "f", &f), error_pairs(&e)),
            )
            .await
        }
        Err(ServiceError::Conflict) => {
            let typed = Typed::new("maximum", "f", &f);
            let message = "Iemand anders heeft het maximum intussen gewijzigd; hieronder staat het bedrag dat nu geldt. Uw invoer is bewaard.";
            render(&st, &ctx, &slug, (None, StatusCode::CONFLICT, typed, vec![("amount".into(), message.into())])).await
        }
        Err(e) => Err(e.into()),
    }
}
