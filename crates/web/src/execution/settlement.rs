//! The settlement (vaststelling): the rules engine's verdict, the assessor's adjustments with
//! their reasons, the decision and its letter; the region reads the outcome.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::fmt::{date_nl, euro_nl, parse_date_nl, parse_decimal_nl};
use domain::payments::PaymentKind;
use domain::settlement::{Adjustment, SettlementInput};
use services::ServiceError;
use services::settlements;

use crate::AppState;
use crate::execution::{Outcome, Tab, tabs};
use crate::form::{Pairs, Typed, error_pairs};
use crate::layout::Layout;
use crate::page::Page;
use crate::session::Ctx;

/// Blank adjustment rows the form offers.
const ROWS: usize = 3;

#[derive(Template)]
#[template(path = "uitvoering/settlement.html")]
pub struct SettlementPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    /// (label, amount) of the rules engine's verdict.
    pub verdict: Vec<(&'static str, String)>,
    pub request: &'static str,
    pub requested: bool,
    /// The decision: (reference, date, final amount, received, what follows, by).
    pub decided: Option<(String, String, String, String, String, String)>,
    /// (description, amount, reason) of the decided adjustments.
    pub adjustments: Vec<(String, String, String)>,
    pub can_decide: bool,
    /// The verdict's fingerprint, posted back with the decision.
    pub fingerprint: String,
    pub rows: Vec<usize>,
    pub suggested_reference: String,
    pub today: String,
    pub notice: Option<String>,
    pub warning: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
}

async fn render(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let s = settlements::settling(&st.app, &ctx.actor, slug).await?;
    // Once decided, the verdict as the decision stored it (the letter's), not today's.
    let v = s.decided.as_ref().map_or(&s.verdict, |d| &d.verdict);
    let decided = s.decided.as_ref().map(|d| {
        let follows = match d.difference() {
            Some((PaymentKind::Terugvordering, a)) => {
                format!("Terugvordering van {} (in het betaalregister)", euro_nl(a))
            }
            Some((_, a)) => format!("Eindbetaling van {} (in het betaalregister)", euro_nl(a)),
            None => "Geen betaling: de voorschotten zijn gelijk aan het vastgestelde bedrag".to_owned(),
        };
        (
            d.reference.clone(),
            date_nl(d.decided_on),
            euro_nl(d.final_amount),
            euro_nl(d.received),
            follows,
            d.decided_by.clone(),
        )
    });
    let page = SettlementPage {
        l: Layout::new(format!("Vaststelling {}", s.region.name), ctx, "beheer"),
        tabs: tabs(&s.region.slug, "vaststelling"),
        slug: s.region.slug.clone(),
        region: s.region.name.clone(),
        verdict: vec![
            ("Verleende subsidie", euro_nl(v.granted)),
            ("Subsidiabele kosten gerealiseerd", euro_nl(v.realised_eligible)),
            ("Daarvan ten laste van de subsidie", euro_nl(v.realised_subsidy)),
            ("Cofinanciering door bedrijven", euro_nl(v.cofinancing)),
            ("Vereiste cofinanciering", euro_nl(v.cofinancing_required)),
            ("Tekort aan cofinanciering", euro_nl(v.shortfall)),
            ("Uitkomst van de regels", euro_nl(v.settled)),
            ("Ontvangen voorschotten", euro_nl(v.received)),
        ],
        request: s.request.label(),
        requested: !s.request.owed(),
        adjustments: s
            .decided
            .iter()
            .flat_map(|d| d.adjustments.iter())
            .map(|a| (a.description.clone(), euro_nl(a.amount), a.reason.clone()))
            .collect(),
        decided,
        can_decide: s.can_decide,
        fingerprint: s.fingerprint.clone(),
        rows: (0..ROWS).collect(),
        suggested_reference: format!("DUS-I/STO/V/{}", s.region.slug),
        today: st.app.today()?.to_string(),
        notice: outcome.notice,
        warning: outcome.warning,
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn page(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, flash: crate::flash::Flash) -> Page {
    render(&st, &ctx, &slug, Outcome { notice: flash.notice, warning: flash.warning, ..Outcome::default() }).await
}

/// The form's adjustments: rows left empty are skipped; a half-filled row is checked whole.
fn adjustments(f: &Pairs, e: &mut domain::FieldErrors) -> Vec<Adjustment> {
    (0..ROWS)
        .filter_map(|i| {
            let (description, amount, reason) =
                (f.get(&format!("description_{i}")), f.get(&format!("amount_{i}")), f.get(&format!("reason_{i}")));
            if description.trim().is_empty() && amount.trim().is_empty() && reason.trim().is_empty() {
                return None;
            }
            let parsed = parse_decimal_nl(&amount).unwrap_or_else(|| {
                e.add(
                    &format!("amount_{i}"),
                    format!("Correctie {}: vul het bedrag in als getal, bijvoorbeeld -1.234,56.", i + 1),
                );
                rust_decimal::Decimal::ZERO
            });
            Some(Adjustment { description, amount: parsed, reason })
        })
        .collect()
}

pub async fn decide(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let mut e = domain::FieldErrors::default();
    let adjustments = adjustments(&f, &mut e);
    let decided_on = parse_date_nl(&f.get("decided_on")).unwrap_or_else(|| {
        e.add("decided_on", "Geef de datum van de vaststelling (dag, maand en jaar).");
        jiff::civil::date(2000, 1, 1)
    });
    let input = SettlementInput { reference: f.get("reference"), decided_on, adjustments };
    let result = if e.is_empty() {
        settlements::decide(&st.app, &ctx.actor, &slug, &input, &f.get("fingerprint")).await
    } else {
        Err(ServiceError::Invalid(e))
    };
    match result {
        Ok(amount) => {
            let to = format!("/regio/{slug}/vaststelling");
            crate::flash::redirect(&st, &to, &format!("De subsidie is vastgesteld op {}.", euro_nl(amount))).await
        }
        Err(ServiceError::Invalid(e)) => {
            // Adjustment errors name their row (adjustments[0].reason): shown at the form's fields.
            let errors = error_pairs(&e).into_iter().map(|(k, m)| (form_field(&k), m)).collect();
            let outcome = Outcome {
                errors,
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                typed: Typed::new("vaststelling", "vaststelling", &f),
                ..Outcome::default()
            };
            render(&st, &ctx, &slug, outcome).await
        }
        Err(e @ (ServiceError::NotAllowed(_) | ServiceError::Conflict)) => {
            let m = match e {
                ServiceError::NotAllowed(m) => m,
                _ => "De cijfers zijn veranderd sinds u de pagina opende (er is iets geregistreerd). Bekijk de nieuwe uitkomst en stel opnieuw vast.".into(),
            };
            let outcome = Outcome {
                errors: vec![(String::new(), m)],
                status: Some(StatusCode::CONFLICT),
                typed: Typed::new("vaststelling", "vaststelling", &f),
                ..Outcome::default()
            };
            render(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The form field of an error: `adjustments[0].reason` is the field `reason_0`.
fn form_field(key: &str) -> String {
    let row = key.strip_prefix("adjustments[").and_then(|rest| rest.split_once("]."));
    row.map_or_else(|| key.to_owned(), |(i, field)| format!("{field}_{i}"))
}

pub async fn letter(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let (name, bytes) = settlements::letter(&st.app, &ctx.actor, &slug).await?;
    Ok(crate::download::file("application/pdf", &name, bytes))
}
