//! Execution pages (`/regio/{slug}/uitvoering/…`) and accountability (`/regio/{slug}/verantwoording`):
//! recording hours, invoices, equipment and contributions against the approved plan, milestones,
//! change notices, and the reports and settlement.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::execution::{
    Asset, BudgetMove, ChangeNotice, Contribution, ContributionKind, CostEntry, HourEntry, Realisation,
};
use domain::fmt::{date_nl, decimal_nl, euro_nl, parse_decimal_nl, percent_nl};
use domain::{Action, FieldErrors};
use rust_decimal::Decimal;
use services::ServiceError;
use services::execution::{self as exec, Basis, ImportKind, Ledger, Record, ReportFormat};

use crate::AppState;
use crate::error::WebError;
use crate::form::{Pairs, urlencode};
use crate::pages::Page;
use crate::session::Ctx;
use crate::upload::read_upload;
use crate::views::{Choice, Layout};

/// The record pages, in the order of the tabs.
const TABS: [(&str, &str); 8] = [
    ("", "Overzicht"),
    ("uren", "Uren"),
    ("kosten", "Facturen"),
    ("apparatuur", "Apparatuur"),
    ("bijdragen", "Cofinanciering"),
    ("mijlpalen", "Mijlpalen"),
    ("wijzigingen", "Wijzigingen"),
    ("verantwoording", "Verantwoording"),
];

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

fn tabs(slug: &str, current: &str) -> Vec<Tab> {
    TABS.iter()
        .map(|(path, label)| Tab {
            href: match *path {
                "" => format!("/regio/{slug}/uitvoering"),
                "verantwoording" => format!("/regio/{slug}/verantwoording"),
                p => format!("/regio/{slug}/uitvoering/{p}"),
            },
            label,
            current: *path == current,
        })
        .collect()
}

fn basis_text(b: &Basis) -> String {
    match b {
        Basis::Submitted(used) => format!(
            "Vergeleken met de ingediende aanvraag: {}.",
            used.iter().map(|(p, n)| format!("{p}, versie {n}")).collect::<Vec<_>>().join("; ")
        ),
        Basis::Draft(phase) => format!(
            "Er is nog geen aanvraag ingediend; Sterk vergelijkt met het concept ({phase}). Na indienen telt de ingediende versie."
        ),
    }
}

/// Rows of a comparison table: (label, approved, realised, unspent).
type Rows = Vec<(String, String, String, String)>;

fn rows<K>(m: &std::collections::BTreeMap<K, domain::execution::Against>, label: impl Fn(&K) -> String) -> Rows {
    m.iter().map(|(k, a)| (label(k), euro_nl(a.approved), euro_nl(a.realised), euro_nl(a.unspent()))).collect()
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
    let reg = st.app.regulations.get(services::applications::REGULATION).ok_or(WebError::NotFound)?;
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
        sees_all: l.sees_all,
        approved: euro_nl(r.total.approved),
        realised: euro_nl(r.total.realised),
        unspent: euro_nl(r.total.unspent()),
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

/// The most rows a records page shows; the reports hold them all.
const MAX_ROWS: usize = 500;

/// One row of a records table: cells, and whether the actor may remove it.
pub struct RecordRow {
    pub id: String,
    pub cells: Vec<String>,
    pub warning: Option<String>,
    pub document: Option<String>,
    pub can_remove: bool,
}

#[derive(Template)]
#[template(path = "uitvoering/records.html")]
pub struct RecordsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub kind: &'static str,
    pub heading: &'static str,
    pub intro: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<RecordRow>,
    /// How many rows there are in all (the page shows the latest `MAX_ROWS`).
    pub count: usize,
    pub total: String,
    pub organisations: Vec<Choice>,
    pub companies: Vec<Choice>,
    pub activities: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub may_record: bool,
    pub notice: Option<String>,
    pub warning: Option<String>,
    pub errors: Vec<(String, String)>,
    pub import_columns: String,
}

struct KindInfo {
    path: &'static str,
    heading: &'static str,
    intro: &'static str,
    columns: Vec<&'static str>,
}

fn kind_info(kind: &str) -> Option<KindInfo> {
    Some(match kind {
        "uren" => KindInfo {
            path: "uren",
            heading: "Uren",
            intro: "Gewerkte uren per persoon, organisatie, activiteit en dag. Sterk toetst elk uurtarief aan het maximum dat op die dag gold: daarboven telt alleen het maximum, het verschil is eigen rekening.",
            columns: vec![
                "Datum",
                "Medewerker",
                "Organisatie",
                "Activiteit",
                "Uren",
                "Tarief",
                "Bedrag",
                "Subsidiabel",
            ],
        },
        "kosten" => KindInfo {
            path: "kosten",
            heading: "Facturen",
            intro: "Betaalde facturen met de factuur als bijlage. Btw die de organisatie terugvraagt telt niet als kosten.",
            columns: vec![
                "Factuurdatum",
                "Factuur",
                "Leverancier",
                "Omschrijving",
                "Kostensoort",
                "Activiteit",
                "Kosten",
                "Subsidiabel",
            ],
        },
        "apparatuur" => KindInfo {
            path: "apparatuur",
            heading: "Apparatuur",
            intro: "Apparatuur telt alleen via afschrijving over de economische levensduur, voor het deel dat het project gebruikt; nooit de aanschafprijs.",
            columns: vec![
                "Aangeschaft",
                "Omschrijving",
                "Activiteit",
                "Aanschafprijs",
                "Levensduur",
                "Projectdeel",
                "Afschrijving per jaar",
            ],
        },
        "bijdragen" => KindInfo {
            path: "bijdragen",
            heading: "Cofinanciering",
            intro: "Bijdragen van bedrijven, in geld of in natura (met de waardering). Samen minstens 10% van de subsidiabele kosten; een tekort verlaagt de subsidie bij de vaststelling.",
            columns: vec!["Datum", "Bedrijf", "Activiteit", "Soort", "Bedrag", "Waardering", "Bewijs"],
        },
        _ => return None,
    })
}

fn org_name(ledger: &Ledger, id: &str) -> String {
    ledger.members.iter().find(|m| m.id == id).map_or(id.to_owned(), |m| m.name.clone())
}

fn activity_title(ledger: &Ledger, id: &str) -> String {
    ledger.approved.activities.iter().find(|a| a.id == id).map_or(id.to_owned(), |a| a.title.clone())
}

#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    warning: Option<String>,
    errors: Vec<(String, String)>,
    status: Option<StatusCode>,
}

async fn render_records(st: &AppState, ctx: &Ctx, slug: &str, kind: &str, outcome: Outcome) -> Page {
    let info = kind_info(kind).ok_or(WebError::NotFound)?;
    let (ledger, r) = exec::realisation(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.regulations.get(services::applications::REGULATION).ok_or(WebError::NotFound)?;
    let region_id = ledger.region.id.clone();
    // The realised lines come in the order hours, invoices, depreciation, in-kind contributions.
    let records = ledger.records();
    let first_cost = records.hours.len();
    let (mut hi, mut ci) = (0usize, 0usize);
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    for e in &ledger.entries {
        let can_remove = ctx.actor.permits(match &e.record {
            Record::Contribution(c) => Action::RecordContribution { region_id: &region_id, company_id: &c.company },
            other => Action::RecordWork { region_id: &region_id, organisation_id: other.organisation() },
        });
        let (cells, warning) = match (&e.record, kind) {
            (Record::Hours(h), "uren") => {
                let Some(o) = r.lines.get(hi) else { continue };
                hi += 1;
                total += o.eligible;
                (
                    vec![
                        date_nl(h.date),
                        h.person.clone(),
                        org_name(&ledger, &h.organisation),
                        activity_title(&ledger, &h.activity),
                        decimal_nl(h.hours),
                        format!("{}{}", euro_nl(h.rate_eur), if h.external { " (extern)" } else { "" }),
                        euro_nl(o.amount),
                        euro_nl(o.eligible),
                    ],
                    o.explanation.clone(),
                )
            }
            (Record::Cost(c), "kosten") => {
                let Some(o) = r.lines.get(first_cost + ci) else { continue };
                ci += 1;
                total += o.eligible;
                (
                    vec![
                        date_nl(c.invoice_date),
                        c.invoice_number.clone(),
                        c.supplier.clone(),
                        c.description.clone(),
                        reg.category(&c.category).map_or(c.category.clone(), |k| k.label.clone()),
                        activity_title(&ledger, &c.activity),
                        euro_nl(c.cost()),
                        euro_nl(o.eligible),
                    ],
                    None,
                )
            }
            (Record::Asset(a), "apparatuur") => {
                let per_year = a.depreciation(&reg.years);
                total += per_year.values().copied().sum::<Decimal>();
                (
                    vec![
                        date_nl(a.purchase_date),
                        a.description.clone(),
                        activity_title(&ledger, &a.activity),
                        euro_nl(a.purchase_price_eur),
                        format!("{} maanden", a.life_months),
                        percent_nl(a.project_share),
                        per_year.iter().map(|(y, d)| format!("{y}: {}", euro_nl(*d))).collect::<Vec<_>>().join("; "),
                    ],
                    None,
                )
            }
            (Record::Contribution(c), "bijdragen") => {
                total += c.amount_eur;
                (
                    vec![
                        date_nl(c.date),
                        org_name(&ledger, &c.company),
                        activity_title(&ledger, &c.activity),
                        match c.kind {
                            ContributionKind::Cash => "in geld".into(),
                            ContributionKind::InKind => "in natura".into(),
                        },
                        euro_nl(c.amount_eur),
                        c.basis.clone(),
                        c.evidence.clone(),
                    ],
                    None,
                )
            }
            (Record::Hours(_), _) => {
                hi += 1;
                continue;
            }
            (Record::Cost(_), _) => {
                ci += 1;
                continue;
            }
            _ => continue,
        };
        rows.push(RecordRow {
            id: e.id.clone(),
            cells,
            warning,
            document: e.document.as_ref().map(|(_, name)| name.clone()),
            can_remove,
        });
    }
    let count = rows.len();
    if count > MAX_ROWS {
        rows.drain(..count - MAX_ROWS);
    }
    let may = |org: &str| {
        if kind == "bijdragen" {
            ctx.actor.permits(Action::RecordContribution { region_id: &region_id, company_id: org })
        } else {
            ctx.actor.permits(Action::RecordWork { region_id: &region_id, organisation_id: org })
        }
    };
    // Schools first: they do most of the work recorded here.
    let mut members: Vec<&domain::Organisation> = ledger.members.iter().collect();
    members.sort_by_key(|m| (!m.kind.is_school(), m.name.clone()));
    let organisations: Vec<Choice> = members
        .into_iter()
        .filter(|m| kind != "bijdragen" && may(&m.id))
        .map(|m| Choice { value: m.id.clone(), label: m.name.clone(), selected: false })
        .collect();
    let companies: Vec<Choice> = ledger
        .members
        .iter()
        .filter(|m| kind == "bijdragen" && m.kind == domain::OrganisationKind::Company && may(&m.id))
        .map(|m| Choice { value: m.id.clone(), label: m.name.clone(), selected: false })
        .collect();
    let page = RecordsPage {
        l: Layout::new(format!("{} {}", info.heading, ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, info.path),
        kind: info.path,
        heading: info.heading,
        intro: info.intro,
        columns: info.columns,
        rows,
        count,
        total: euro_nl(total),
        may_record: !organisations.is_empty() || !companies.is_empty(),
        organisations,
        companies,
        activities: Choice::activities(&ledger.approved.activities),
        categories: Choice::categories(reg, |c| c.eligible && c.rate_cap.is_none() && c.id != "depreciation"),
        notice: outcome.notice,
        warning: outcome.warning,
        errors: outcome.errors,
        import_columns: match kind {
            "uren" => domain::execution_import::HOUR_COLUMNS.join("; "),
            "kosten" => domain::execution_import::COST_COLUMNS.join("; "),
            _ => String::new(),
        },
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    opgeslagen: Option<String>,
    #[serde(default)]
    let_op: Option<String>,
}

fn short(s: Option<String>) -> Option<String> {
    s.filter(|n| !n.is_empty() && n.len() < 1_000)
}

pub async fn records(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, kind)): Path<(String, String)>,
    Query(q): Query<NoticeQuery>,
) -> Page {
    let outcome = Outcome { notice: short(q.opgeslagen), warning: short(q.let_op), ..Outcome::default() };
    render_records(&st, &ctx, &slug, &kind, outcome).await
}

fn date_field(f: &Pairs, e: &mut FieldErrors, field: &str) -> jiff::civil::Date {
    match domain::execution_import::parse_date(&f.get(field)) {
        Some(d) => d,
        None => {
            e.add(field, "Geef een datum (dag, maand en jaar).");
            jiff::civil::date(2000, 1, 1)
        }
    }
}

fn amount_field(f: &Pairs, e: &mut FieldErrors, field: &str, label: &str) -> Decimal {
    match parse_decimal_nl(&f.get(field)) {
        Some(d) => d,
        None => {
            e.add(field, format!("Vul {label} in als getal, bijvoorbeeld 1.234,56."));
            Decimal::ZERO
        }
    }
}

/// The record a form describes.
fn record_from_form(kind: &str, f: &Pairs) -> Result<Record, FieldErrors> {
    let mut e = FieldErrors::default();
    let record = match kind {
        "uren" => Record::Hours(HourEntry {
            date: date_field(f, &mut e, "date"),
            person: f.get("person"),
            organisation: f.get("organisation"),
            activity: f.get("activity"),
            hours: amount_field(f, &mut e, "hours", "het aantal uren"),
            rate_eur: amount_field(f, &mut e, "rate_eur", "het uurtarief"),
            external: f.get("external") == "1",
            note: f.get("note"),
        }),
        "kosten" => Record::Cost(CostEntry {
            invoice_number: f.get("invoice_number"),
            invoice_date: date_field(f, &mut e, "invoice_date"),
            supplier: f.get("supplier"),
            description: f.get("description"),
            category: f.get("category"),
            activity: f.get("activity"),
            organisation: f.get("organisation"),
            amount_eur: amount_field(f, &mut e, "amount_eur", "het bedrag"),
            vat_eur: parse_decimal_nl(&f.get("vat_eur")).unwrap_or_default(),
            vat_recoverable: f.get("vat_recoverable") == "1",
        }),
        "apparatuur" => Record::Asset(Asset {
            description: f.get("description"),
            activity: f.get("activity"),
            organisation: f.get("organisation"),
            purchase_date: date_field(f, &mut e, "purchase_date"),
            purchase_price_eur: amount_field(f, &mut e, "purchase_price_eur", "de aanschafprijs"),
            life_months: (amount_field(f, &mut e, "life_years", "de levensduur in jaren") * Decimal::from(12))
                .round()
                .try_into()
                .unwrap_or(0),
            project_share: amount_field(f, &mut e, "project_share", "het projectdeel") / Decimal::from(100),
        }),
        "bijdragen" => Record::Contribution(Contribution {
            company: f.get("company"),
            activity: f.get("activity"),
            date: date_field(f, &mut e, "date"),
            kind: if f.get("contribution_kind") == "in-kind" {
                ContributionKind::InKind
            } else {
                ContributionKind::Cash
            },
            amount_eur: amount_field(f, &mut e, "amount_eur", "het bedrag"),
            basis: f.get("basis"),
            evidence: f.get("evidence"),
        }),
        _ => return Err(e),
    };
    e.into_result(record)
}

fn error_pairs(e: &FieldErrors) -> Vec<(String, String)> {
    e.iter().map(|f| (f.field.clone(), f.message.clone())).collect()
}

/// Shows the outcome of an add: back to the list with a notice (and the cap warning), or the errors.
async fn after_add(
    st: &AppState,
    ctx: &Ctx,
    (slug, kind): (&str, &str),
    result: services::Result<exec::AddOutcome>,
) -> Page {
    match result {
        Ok(outcome) => {
            let mut url = format!(
                "/regio/{slug}/uitvoering/{kind}?opgeslagen={}",
                urlencode(&format!("Opgeslagen: subsidiabel {}.", euro_nl(outcome.eligible)))
            );
            if let Some(w) = outcome.explanation {
                url.push_str(&format!("&let_op={}", urlencode(&w)));
            }
            Ok(Redirect::to(&url).into_response())
        }
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            };
            render_records(st, ctx, slug, kind, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, kind)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    kind_info(&kind).ok_or(WebError::NotFound)?;
    let f = Pairs::parse(&body);
    let result = match record_from_form(&kind, &f) {
        Ok(record) => exec::add_one(&st.app, &ctx.actor, &slug, record, None).await,
        Err(e) => Err(ServiceError::Invalid(e)),
    };
    after_add(&st, &ctx, (&slug, &kind), result).await
}

/// An invoice with its document: a multipart form.
pub async fn add_invoice(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    _may: crate::guard::RecordsWork,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let upload = crate::upload::read(&mut multipart).await?;
    let file = upload.file.filter(|(_, b)| !b.is_empty());
    let f = Pairs(upload.fields);
    let result = match record_from_form("kosten", &f) {
        Ok(record) => {
            let document = file.as_ref().map(|(n, b)| (n.as_str(), b.as_ref()));
            exec::add_one(&st.app, &ctx.actor, &slug, record, document).await
        }
        Err(e) => Err(ServiceError::Invalid(e)),
    };
    after_add(&st, &ctx, (&slug, "kosten"), result).await
}

pub async fn remove(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, kind, id)): Path<(String, String, String)>,
) -> Page {
    kind_info(&kind).ok_or(WebError::NotFound)?;
    exec::remove(&st.app, &ctx.actor, &slug, &id).await?;
    Ok(Redirect::to(&format!("/regio/{slug}/uitvoering/{kind}?opgeslagen={}", urlencode("Verwijderd.")))
        .into_response())
}

pub async fn document(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, _kind, id)): Path<(String, String, String)>,
) -> Page {
    let (name, bytes) = exec::document(&st.app, &ctx.actor, &slug, &id).await?;
    let content_type = services::files::content_type(&bytes);
    Ok(crate::download::file(content_type, &name, bytes))
}

/// Hours or invoices from a CSV or XLSX file.
pub async fn import(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, kind)): Path<(String, String)>,
    _may: crate::guard::RecordsWork,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let what = match kind.as_str() {
        "uren" => ImportKind::Hours,
        "kosten" => ImportKind::Costs,
        _ => return Err(WebError::NotFound),
    };
    let (_, file) = read_upload(&mut multipart).await?;
    let result = match file.filter(|(_, b)| !b.is_empty()) {
        Some((_, bytes)) => exec::import(&st.app, &ctx.actor, &slug, what, &bytes).await,
        None => Err(ServiceError::Invalid({
            let mut e = FieldErrors::default();
            e.add("bestand", "Kies een CSV- of Excel-bestand.");
            e
        })),
    };
    match result {
        Ok(n) => Ok(Redirect::to(&format!(
            "/regio/{slug}/uitvoering/{kind}?opgeslagen={}",
            urlencode(&format!("{n} regels ingelezen."))
        ))
        .into_response()),
        Err(ServiceError::Invalid(e)) => {
            let mut errors = error_pairs(&e);
            errors.insert(
                0,
                ("bestand".into(), "Er is niets ingelezen: het bestand wordt alleen in zijn geheel ingelezen.".into()),
            );
            let outcome = Outcome { errors, status: Some(StatusCode::UNPROCESSABLE_ENTITY), ..Outcome::default() };
            render_records(&st, &ctx, &slug, &kind, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct MilestoneRowView {
    pub activity: String,
    pub activity_title: String,
    pub title: String,
    pub due: String,
    pub state: &'static str,
    pub class: &'static str,
    pub achieved_on: String,
    pub achieved_raw: String,
    pub evidence: String,
    pub can_update: bool,
}

#[derive(Template)]
#[template(path = "uitvoering/milestones.html")]
pub struct MilestonesPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub rows: Vec<MilestoneRowView>,
    pub overdue: usize,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
}

async fn render_milestones(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let (ledger, list) = exec::milestones(&st.app, &ctx.actor, slug).await?;
    let region_id = ledger.region.id.clone();
    let rows: Vec<MilestoneRowView> = list
        .into_iter()
        .map(|m| {
            use domain::execution::MilestoneState as S;
            MilestoneRowView {
                can_update: ctx.actor.permits(Action::EditApplication { region_id: &region_id })
                    || m.lead.as_deref().is_some_and(|o| {
                        ctx.actor.permits(Action::RecordWork { region_id: &region_id, organisation_id: o })
                    }),
                class: match m.state {
                    S::Achieved => "success",
                    S::AchievedLate => "warning",
                    S::Overdue => "danger",
                    S::Planned => "neutral",
                },
                state: m.state.label(),
                activity: m.activity,
                activity_title: m.activity_title,
                title: m.title,
                due: date_nl(m.due),
                achieved_on: m.achieved_on.map(date_nl).unwrap_or_default(),
                achieved_raw: m.achieved_on.map(|d| d.to_string()).unwrap_or_default(),
                evidence: m.evidence,
            }
        })
        .collect();
    let page = MilestonesPage {
        l: Layout::new(format!("Mijlpalen {}", ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, "mijlpalen"),
        overdue: rows.iter().filter(|r| r.state == "Te laat").count(),
        rows,
        notice: outcome.notice,
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn milestones(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Page {
    render_milestones(&st, &ctx, &slug, Outcome { notice: short(q.opgeslagen), ..Outcome::default() }).await
}

pub async fn set_milestone(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let achieved = match f.get("achieved_on").as_str() {
        "" => Ok(None),
        raw => domain::execution_import::parse_date(raw).map(Some).ok_or_else(|| {
            let mut e = FieldErrors::default();
            e.add("achieved_on", "Geef de datum waarop de mijlpaal is behaald.");
            ServiceError::Invalid(e)
        }),
    };
    let result = match achieved {
        Ok(on) => {
            exec::set_milestone(
                &st.app,
                &ctx.actor,
                &slug,
                (&f.get("activity"), &f.get("title")),
                on,
                &f.get("evidence"),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/regio/{slug}/uitvoering/mijlpalen?opgeslagen={}",
            urlencode("De mijlpaal is bijgewerkt.")
        ))
        .into_response()),
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            };
            render_milestones(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

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
}

async fn render_notices(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let (ledger, list) = exec::notices(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.regulations.get(services::applications::REGULATION).ok_or(WebError::NotFound)?;
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
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn notices(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Page {
    render_notices(
        &st,
        &ctx,
        &slug,
        Outcome { notice: short(q.opgeslagen), warning: short(q.let_op), ..Outcome::default() },
    )
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
            let mut url =
                format!("/regio/{slug}/uitvoering/wijzigingen?opgeslagen={}", urlencode("De wijziging is vastgelegd."));
            if !why.is_empty() {
                url.push_str(&format!(
                    "&let_op={}",
                    urlencode(&format!("Deze wijziging is wezenlijk en moet worden gemeld: {}", why.join(" ")))
                ));
            }
            Ok(Redirect::to(&url).into_response())
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

#[derive(Template)]
#[template(path = "uitvoering/accountability.html")]
pub struct AccountabilityPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub tabs: Vec<Tab>,
    pub basis: String,
    pub figures: Vec<(&'static str, String)>,
    pub repay_label: &'static str,
    pub repay: String,
    pub received_raw: String,
    pub annual: Vec<(i16, String, String)>,
    pub years: Vec<i16>,
    pub explanations: Vec<(String, String, String, String)>,
    pub can_edit: bool,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
}

async fn render_accountability(st: &AppState, ctx: &Ctx, slug: &str, outcome: Outcome) -> Page {
    let (ledger, s) = exec::settlement(&st.app, &ctx.actor, slug).await?;
    let (_, r) = exec::realisation(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.regulations.get(services::applications::REGULATION).ok_or(WebError::NotFound)?;
    let years = exec::years_to_date(&st.app)?;
    let spent = domain::execution::subsidy_spent_per_year(reg, &ledger.approved, &ledger.records(), &years)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let explained = exec::explanations(&st.app, &ledger.region.id).await?;
    let mut cumulative = Decimal::ZERO;
    let page = AccountabilityPage {
        l: Layout::new(format!("Verantwoording {}", ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, "verantwoording"),
        basis: basis_text(&ledger.basis),
        figures: vec![
            ("Verleende subsidie", euro_nl(s.granted)),
            ("Subsidiabele kosten gerealiseerd", euro_nl(s.realised_eligible)),
            ("Daarvan ten laste van de subsidie", euro_nl(s.realised_subsidy)),
            ("Cofinanciering door bedrijven", euro_nl(s.cofinancing)),
            ("Vereiste cofinanciering", euro_nl(s.cofinancing_required)),
            ("Tekort aan cofinanciering", euro_nl(s.shortfall)),
            ("Vast te stellen subsidie", euro_nl(s.settled)),
            ("Ontvangen voorschotten", euro_nl(s.received)),
        ],
        repay_label: if s.to_repay.is_sign_negative() { "Nog te ontvangen" } else { "Terug te betalen" },
        repay: euro_nl(s.to_repay.abs()),
        received_raw: decimal_nl(s.received),
        annual: spent
            .iter()
            .map(|(y, sp)| {
                cumulative += *sp;
                (*y, euro_nl(*sp), euro_nl(s.received - cumulative))
            })
            .collect(),
        years: reg.years.clone(),
        explanations: ledger
            .approved
            .activities
            .iter()
            .map(|a| {
                let against = r.per_activity.get(&a.id).cloned().unwrap_or_default();
                (
                    a.id.clone(),
                    a.title.clone(),
                    format!("begroot {}, gerealiseerd {}", euro_nl(against.approved), euro_nl(against.realised)),
                    explained.get(&a.id).cloned().unwrap_or_default(),
                )
            })
            .collect(),
        can_edit: ctx.actor.permits(Action::EditApplication { region_id: &ledger.region.id }),
        notice: outcome.notice,
        errors: outcome.errors,
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn accountability(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Page {
    render_accountability(&st, &ctx, &slug, Outcome { notice: short(q.opgeslagen), ..Outcome::default() }).await
}

pub async fn save_accountability(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, body: Bytes) -> Page {
    let f = Pairs::parse(&body);
    let result = if f.get("what") == "received" {
        match parse_decimal_nl(&f.get("received")) {
            Some(amount) => exec::set_received(&st.app, &ctx.actor, &slug, amount).await,
            None => Err(ServiceError::Invalid({
                let mut e = FieldErrors::default();
                e.add("received", "Vul het ontvangen bedrag in als getal, bijvoorbeeld 1.234.567,00.");
                e
            })),
        }
    } else {
        exec::set_explanation(&st.app, &ctx.actor, &slug, &f.get("activity"), &f.get("explanation")).await
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/regio/{slug}/verantwoording?opgeslagen={}", urlencode("Opgeslagen.")))
            .into_response()),
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                ..Outcome::default()
            };
            render_accountability(&st, &ctx, &slug, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `/regio/{slug}/verantwoording/{file}`: `eindverantwoording.pdf|xlsx`, `voortgang-2025.pdf|xlsx`.
pub async fn report_file(State(st): State<AppState>, ctx: Ctx, Path((slug, file)): Path<(String, String)>) -> Page {
    let (stem, ext) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let format = match ext {
        "pdf" => ReportFormat::Pdf,
        "xlsx" => ReportFormat::Xlsx,
        _ => return Err(WebError::NotFound),
    };
    let kind = match stem {
        "eindverantwoording" => docs::report::ReportKind::Final,
        s => docs::report::ReportKind::Progress(
            s.strip_prefix("voortgang-").and_then(|y| y.parse().ok()).ok_or(WebError::NotFound)?,
        ),
    };
    let (name, bytes) = match exec::report(&st.app, &ctx.actor, &slug, kind, format).await {
        Err(ServiceError::Invalid(_)) => return Err(WebError::NotFound), // a year outside the period
        other => other?,
    };
    let content_type = match format {
        ReportFormat::Pdf => "application/pdf",
        ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(crate::download::file(content_type, &name, bytes))
}
