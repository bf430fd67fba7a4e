//! The national portfolio (`/portefeuille`): every region's submitted applications with their
//! state at the funder, the subsidy decided and paid; filters, sorting, totals, a CSV for Excel
//! and `GET /api/v1/portfolio`.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use domain::assessment::AssessmentState;
use domain::fmt::{date_in_amsterdam, date_nl, euro_nl};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use services::portfolio::{self, PortfolioRow};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{ApiCtx, ApiError, Problem};
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    fase: String,
    #[serde(default)]
    provincie: String,
    /// `regio` (default), `besloten` or `betaald` (largest first).
    #[serde(default)]
    sorteer: String,
}

pub struct RowView {
    pub region: String,
    pub slug: String,
    pub province: String,
    pub phase: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub outcome: Option<&'static str>,
    pub submitted: String,
    pub decided: String,
    pub paid: String,
    pub realised: String,
    /// The region's realised co-financing share, and whether it is below the minimum.
    pub share: Option<(String, bool)>,
    pub overdue: usize,
    pub overdue_reports: usize,
    pub open_changes: i64,
}

/// One year of the programme chart: decided, paid and spent, scaled to the largest.
pub struct YearBar {
    pub year: i16,
    pub x: u32,
    pub heights: [u32; 3],
    pub amounts: [String; 3],
}

const CHART_H: u32 = 160;

fn year_bars(years: &[portfolio::YearTotals]) -> Vec<YearBar> {
    let max = years.iter().flat_map(|y| [y.decided, y.paid, y.realised]).max().unwrap_or_default();
    let scale = |d: Decimal| -> u32 {
        if max <= Decimal::ZERO || d <= Decimal::ZERO {
            0
        } else {
            (d * Decimal::from(CHART_H) / max).round().try_into().unwrap_or(0)
        }
    };
    years
        .iter()
        .enumerate()
        .map(|(i, y)| YearBar {
            year: y.year,
            x: 50 + u32::try_from(i).unwrap_or(0) * 150,
            heights: [scale(y.decided), scale(y.paid), scale(y.realised)],
            amounts: [euro_nl(y.decided), euro_nl(y.paid), euro_nl(y.realised)],
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portefeuille/page.html")]
pub struct PortfolioPage {
    pub l: Layout,
    pub rows: Vec<RowView>,
    pub total: usize,
    pub decided: String,
    pub paid: String,
    pub realised: String,
    pub open_changes: i64,
    pub minimum: String,
    pub bars: Vec<YearBar>,
    pub chart_w: u32,
    pub states: Vec<Choice>,
    pub phases: Vec<Choice>,
    pub provinces: Vec<Choice>,
    pub sorts: Vec<Choice>,
}

fn kept(rows: Vec<PortfolioRow>, f: &Filter) -> Vec<PortfolioRow> {
    let mut rows: Vec<PortfolioRow> = rows
        .into_iter()
        .filter(|r| f.status.is_empty() || r.state().code() == f.status)
        .filter(|r| f.fase.is_empty() || r.item.phase == f.fase)
        .filter(|r| f.provincie.is_empty() || r.province == f.provincie)
        .collect();
    match f.sorteer.as_str() {
        "besloten" => rows.sort_by_key(|r| std::cmp::Reverse(r.decided)),
        "betaald" => rows.sort_by_key(|r| std::cmp::Reverse(r.paid)),
        _ => {}
    }
    rows
}

pub async fn page(State(st): State<AppState>, ctx: Ctx, Query(f): Query<Filter>) -> Page {
    let all = portfolio::portfolio(&st.app, &ctx.actor).await?;
    let reg = st.app.current_regulation()?;
    let mut provinces: Vec<String> = all.rows.iter().map(|r| r.province.clone()).collect();
    provinces.sort();
    provinces.dedup();
    let total = all.rows.len();
    let bars = year_bars(&all.per_year);
    let rows = kept(all.rows, &f);
    let sum = |get: fn(&PortfolioRow) -> Decimal| euro_nl(rows.iter().map(get).sum());
    let page = PortfolioPage {
        l: Layout::new("Portefeuille", &ctx, "beheer"),
        decided: sum(|r| r.decided),
        paid: sum(|r| r.paid),
        realised: sum(|r| r.realised),
        open_changes: rows.iter().map(|r| r.open_changes).sum(),
        minimum: percent_nl(all.minimum_share),
        chart_w: 60 + u32::try_from(bars.len()).unwrap_or(0) * 150,
        bars,
        total,
        rows: rows
            .iter()
            .map(|r| RowView {
                region: r.item.region_name.clone(),
                slug: r.item.region_slug.clone(),
                province: r.province.clone(),
                phase: r.item.phase_label.clone(),
                state: r.state().label(),
                state_code: r.state().code(),
                outcome: r.outcome().map(|o| o.label()),
                submitted: jiff::Timestamp::from_millisecond(r.item.submitted_at)
                    .map(|t| date_nl(date_in_amsterdam(t)))
                    .unwrap_or_default(),
                decided: euro_nl(r.decided),
                paid: euro_nl(r.paid),
                realised: euro_nl(r.realised),
                share: r.region.cofinancing_share.map(|s| (percent_nl(s), r.region.cofinancing_short)),
                overdue: r.region.overdue_milestones,
                overdue_reports: r.region.overdue_reports,
                open_changes: r.open_changes,
            })
            .collect(),
        states: Choice::filter(
            AssessmentState::ALL.iter().map(|s| (s.code().to_owned(), s.label().to_owned())),
            &f.status,
        ),
        phases: Choice::filter(
            reg.phases.iter().filter(|p| p.assessed).map(|p| (p.id.clone(), p.label.clone())),
            &f.fase,
        ),
        provinces: Choice::filter(provinces.into_iter().map(|p| (p.clone(), p)), &f.provincie),
        sorts: [("", "Regio"), ("besloten", "Besloten bedrag"), ("betaald", "Betaald bedrag")]
            .iter()
            .map(|(v, l)| Choice { value: (*v).into(), label: (*l).into(), selected: *v == f.sorteer })
            .collect(),
    };
    html(page)
}

/// A fraction as a Dutch percentage with one decimal: 0,125 → "12,5%".
fn percent_nl(fraction: Decimal) -> String {
    format!("{}%", (fraction * Decimal::ONE_HUNDRED).round_dp(1).to_string().replace('.', ","))
}

/// `/portefeuille.xlsx`: the whole portfolio and the programme per year, for Excel.
pub async fn xlsx(State(st): State<AppState>, ctx: Ctx) -> Page {
    let p = portfolio::portfolio(&st.app, &ctx.actor).await?;
    let ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(crate::download::file(ct, "portefeuille.xlsx", portfolio::xlsx(&p)?))
}

/// `/portefeuille.csv`: the whole portfolio for Excel.
pub async fn csv(State(st): State<AppState>, ctx: Ctx) -> Page {
    let p = portfolio::portfolio(&st.app, &ctx.actor).await?;
    Ok(crate::download::file("text/csv; charset=utf-8", "portefeuille.csv", portfolio::csv(&p)?))
}

#[derive(Serialize, ToSchema)]
pub struct PortfolioRowDto {
    pub(crate) region: String,
    pub(crate) province: String,
    pub(crate) phase: String,
    /// The state at the funder (ingediend, in-behandeling, …, besloten, bezwaar).
    pub(crate) state: String,
    /// toegekend, deels-toegekend or afgewezen, once decided.
    pub(crate) outcome: Option<String>,
    /// YYYY-MM-DD (Europe/Amsterdam) of the latest submission.
    pub(crate) submitted_on: String,
    /// Euros, decimal string.
    pub(crate) decided: String,
    /// Euros, decimal string (repayments subtracted).
    pub(crate) paid: String,
    /// Euros, decimal string: the subsidy spent so far in the years this phase's plan holds for.
    pub(crate) spent: String,
    /// The region's realised co-financing share (a fraction, decimal string), once anything is realised.
    pub(crate) cofinancing_share: Option<String>,
    /// The region's milestones past their date and not reached.
    pub(crate) overdue_milestones: usize,
    /// The region's reports past their date and not submitted.
    pub(crate) overdue_reports: usize,
    /// Change requests in the works on this phase.
    pub(crate) open_changes: i64,
}

/// The programme's portfolio: every submitted application with its state, the subsidy decided and paid.
#[utoipa::path(get, path = "/api/v1/portfolio", tag = "beoordeling", security(("bearer" = [])),
    responses((status = 200, body = Vec<PortfolioRowDto>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn api(State(st): State<AppState>, ApiCtx(ctx): ApiCtx) -> Result<Response, ApiError> {
    let p = portfolio::portfolio(&st.app, &ctx.actor).await?;
    let out: Vec<PortfolioRowDto> = p
        .rows
        .into_iter()
        .map(|r| PortfolioRowDto {
            province: r.province.clone(),
            state: r.state().code().to_owned(),
            outcome: r.outcome().map(|o| o.code().to_owned()),
            submitted_on: jiff::Timestamp::from_millisecond(r.item.submitted_at)
                .map(|t| date_in_amsterdam(t).to_string())
                .unwrap_or_default(),
            decided: r.decided.to_string(),
            paid: r.paid.to_string(),
            spent: r.realised.to_string(),
            cofinancing_share: r.region.cofinancing_share.map(|s| s.to_string()),
            overdue_milestones: r.region.overdue_milestones,
            overdue_reports: r.region.overdue_reports,
            open_changes: r.open_changes,
            region: r.item.region_slug,
            phase: r.item.phase,
        })
        .collect();
    Ok(Json(out).into_response())
}
