//! Execution pages (`/regio/{slug}/uitvoering/…`) and accountability (`/regio/{slug}/verantwoording`):
//! recording hours, invoices, equipment and contributions against the approved plan, milestones,
//! change notices, and the reports and settlement.

pub mod accountability;
pub mod api;
pub mod changes;
mod kinds;
pub mod milestones;
pub mod records;
pub mod reports;
pub mod settlement;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::FieldErrors;
use domain::execution::Realisation;
use domain::fmt::{euro_nl, parse_decimal_nl, percent_nl};
use rust_decimal::Decimal;
use services::execution::{self as exec, Basis};

use crate::AppState;
use crate::form::Pairs;
use crate::layout::Layout;
use crate::page::Page;
use crate::session::Ctx;

/// The record pages, in the order of the tabs.
const TABS: [(&str, &str); 9] = [
    ("", "Overzicht"),
    ("uren", "Uren"),
    ("kosten", "Facturen"),
    ("apparatuur", "Apparatuur"),
    ("bijdragen", "Cofinanciering"),
    ("mijlpalen", "Mijlpalen"),
    ("wijzigingen", "Wijzigingen"),
    ("verantwoording", "Verantwoording"),
    ("vaststelling", "Vaststelling"),
];

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub(crate) fn tabs(slug: &str, current: &str) -> Vec<Tab> {
    TABS.iter()
        .map(|(path, label)| Tab {
            href: match *path {
                "" => format!("/regio/{slug}/uitvoering"),
                "verantwoording" | "vaststelling" => format!("/regio/{slug}/{path}"),
                p => format!("/regio/{slug}/uitvoering/{p}"),
            },
            label,
            current: *path == current,
        })
        .collect()
}

pub(crate) fn basis_text(b: &Basis) -> String {
    match b {
        Basis::Submitted(used) => format!(
            "Vergeleken met {}.",
            used.iter()
                .map(|u| match (&u.decision, u.change) {
                    (Some(reference), Some(n)) => format!(
                        "het besluit {reference} op de {}, versie {}, zoals gewijzigd met wijziging {n}",
                        u.phase.to_lowercase(),
                        u.version
                    ),
                    (Some(reference), None) =>
                        format!("het besluit {reference} op de {}, versie {}", u.phase.to_lowercase(), u.version),
                    (None, _) =>
                        format!("de ingediende {}, versie {} (nog geen besluit)", u.phase.to_lowercase(), u.version),
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Basis::Draft(phase) => format!(
            "Er is nog geen aanvraag ingediend; Sterk vergelijkt met het concept ({phase}). Na indienen telt de ingediende versie."
        ),
    }
}

/// Rows of a comparison table: (label, approved, realised, unspent).
type Rows = Vec<(String, String, String, String)>;

fn rows<K>(m: &std::collections::BTreeMap<K, domain::execution::Against>, label: impl Fn(&K) -> String) -> Rows {
    m.iter().map(|(k, a)| (label(k), euro_nl(a.approved), euro_nl(a.realised), unspent(a))).collect()
}

/// What is left of the approved amount, or by how much it is exceeded (never a bare negative amount).
fn unspent(a: &domain::execution::Against) -> String {
    // Rounded first: a capped rate leaves fractions of a cent, never "€ 0,00 meer dan begroot".
    let left = domain::fmt::round_cents(a.unspent());
    if left.is_sign_negative() && !left.is_zero() {
        format!("{} meer dan begroot", euro_nl(-left))
    } else {
        euro_nl(left)
    }
}

/// One bar pair of the chart: approved and realised per year, scaled to the largest.
pub struct Bar {
    pub label: String,
    pub x: u32,
    pub approved_h: u32,
    pub realised_h: u32,
    pub approved: String,
    pub realised: String,
}

const CHART_H: u32 = 160;

fn bars(r: &Realisation) -> Vec<Bar> {
    let max = r.per_year.values().flat_map(|a| [a.approved, a.realised]).max().unwrap_or_default();
    let scale = |d: Decimal| -> u32 {
        if max.is_zero() { 0 } else { (d * Decimal::from(CHART_H) / max).round().try_into().unwrap_or(0) }
    };
    r.per_year
        .iter()
        .enumerate()
        .map(|(i, (y, a))| Bar {
            label: y.to_string(),
            x: 50 + i as u32 * 110,
            approved_h: scale(a.approved),
            realised_h: scale(a.realised),
            approved: euro_nl(a.approved),
            realised: euro_nl(a.realised),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "uitvoering/overview.html")]
pub struct OverviewPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub basis: String,
    /// The subsidy the decisions grant per year: (year, amount).
    pub decided: Vec<(i16, String)>,
    pub sees_all: bool,
    pub approved: String,
    pub realised: String,
    pub unspent: String,
    pub forecast: String,
    pub cofinancing: String,
    pub share: String,
    pub minimum: String,
    pub share_pct: u32,
    pub minimum_pct: u32,
    pub short: bool,
    pub per_year: Rows,
    pub per_category: Rows,
    pub per_activity: Rows,
    pub per_funder: Rows,
    pub bars: Vec<Bar>,
    pub chart_w: u32,
    pub above_cap: usize,
    pub own_cost: String,
}

fn pct(d: Decimal) -> u32 {
    (d * Decimal::from(100)).round().try_into().unwrap_or(0u32).min(100)
}

pub async fn overview(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let (ledger, r) = exec::realisation(&st.app, &ctx.actor, &slug).await?;
    let reg = st.app.current_regulation()?;
    let l = &ledger;
    let activity =
        |id: &String| l.approved.activities.iter().find(|a| &a.id == id).map_or(id.clone(), |a| a.title.clone());
    let funder = |id: &String| {
        if id == "subsidie" {
            "Subsidie".into()
        } else {
            l.approved.organisation(id).map_or(id.clone(), |o| o.name.clone())
        }
    };
    let bars = bars(&r);
    let page = OverviewPage {
        l: Layout::new(format!("Uitvoering {}", l.region.name), &ctx, "beheer"),
        slug: l.region.slug.clone(),
        region: l.region.name.clone(),
        tabs: tabs(&l.region.slug, ""),
        basis: basis_text(&l.basis),
        decided: l.decided.iter().map(|(y, a)| (*y, euro_nl(*a))).collect(),
        sees_all: l.sees_all,
        approved: euro_nl(r.total.approved),
        realised: euro_nl(r.total.realised),
        unspent: unspent(&r.total),
        forecast: r.forecast.map_or("nog niet te bepalen".into(), euro_nl),
        cofinancing: euro_nl(r.cofinancing),
        share: percent_nl(r.cofinancing_share),
        minimum: percent_nl(r.cofinancing_minimum_share),
        share_pct: pct(r.cofinancing_share),
        minimum_pct: pct(r.cofinancing_minimum_share),
        short: r.cofinancing_share < r.cofinancing_minimum_share,
        per_year: rows(&r.per_year, |y| y.to_string()),
        per_category: rows(&r.per_category, |c| reg.category(c).map_or(c.clone(), |k| k.label.clone())),
        per_activity: rows(&r.per_activity, activity),
        per_funder: rows(&r.per_funder, funder),
        chart_w: 60 + bars.len() as u32 * 110,
        bars,
        above_cap: r.lines.iter().filter(|x| x.explanation.is_some()).count(),
        own_cost: euro_nl(r.lines.iter().map(|x| x.own_cost).sum()),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Default)]
pub(crate) struct Outcome {
    pub(crate) notice: Option<String>,
    pub(crate) warning: Option<String>,
    pub(crate) errors: Vec<(String, String)>,
    pub(crate) status: Option<StatusCode>,
    /// The refused form as typed.
    pub(crate) typed: crate::form::Typed,
}

pub(crate) fn date_field(f: &Pairs, e: &mut FieldErrors, field: &str) -> jiff::civil::Date {
    match domain::fmt::parse_date_nl(&f.get(field)) {
        Some(d) => d,
        None => {
            e.add(field, "Geef een datum (dag, maand en jaar).");
            jiff::civil::date(2000, 1, 1)
        }
    }
}

pub(crate) fn amount_field(f: &Pairs, e: &mut FieldErrors, field: &str, label: &str) -> Decimal {
    match parse_decimal_nl(&f.get(field)) {
        Some(d) => d,
        None => {
            e.add(field, format!("Vul {label} in als getal, bijvoorbeeld 1.234,56."));
            Decimal::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::execution::Against;
    use rust_decimal::Decimal;

    fn left(approved: i64, realised: i64) -> String {
        super::unspent(&Against { approved: Decimal::from(approved), realised: Decimal::from(realised) })
    }

    #[test]
    fn an_overspend_is_said_in_words_not_as_a_negative_amount() {
        assert_eq!(left(0, 4125), "€ 4.125,00 meer dan begroot");
        assert_eq!(left(100, 40), "€ 60,00");
        assert_eq!(left(5, 5), "€ 0,00");
        let just_over = Against { approved: Decimal::from(5), realised: Decimal::new(50_004, 4) };
        assert_eq!(super::unspent(&just_over), "€ 0,00");
    }
}
