//! Recorded work (hours, costs, contributions, activities, pupils): lists, forms, imports, documents.

use crate::AppState;
use crate::error::WebError;
use crate::execution::Outcome;
use crate::execution::Tab;
use crate::execution::amount_field;
use crate::execution::date_field;
use crate::execution::kinds;
use crate::execution::tabs;
use crate::form::error_pairs;
use crate::form::read_upload;
use crate::form::{Pairs, Typed};
use crate::layout::{Choice, Layout};
use crate::page::Page;
use crate::session::Ctx;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::execution::RecordKind;
use domain::execution::{Asset, Contribution, ContributionKind, CostEntry, HourEntry};
use domain::fmt::{date_nl, decimal_nl, euro_nl, parse_decimal_nl, percent_nl};
use domain::{Action, FieldErrors};
use rust_decimal::Decimal;
use services::ServiceError;
use services::execution::{self as exec, Ledger, Record};

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
    pub intro: String,
    pub columns: Vec<&'static str>,
    /// The column the total row sums.
    pub counted: usize,
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
    /// The refused form as typed, with each message at its field.
    pub typed: Typed,
    pub import_columns: String,
}

impl RecordsPage {
    pub fn numeric(&self, column: &usize) -> bool {
        self.columns.get(*column).is_some_and(|c| kinds::NUMERIC.contains(c))
    }

    /// Columns after the counted one, plus the actions column.
    pub fn after_counted(&self) -> usize {
        self.columns.len() - self.counted
    }
}

/// The regulation's minimum co-financing share ("10%"), as the page says it.
fn minimum_share(reg: &domain::regulation::Regulation) -> String {
    reg.decimal_at("cofinancing-minimum-share", reg.start()).map(|(d, _)| percent_nl(d)).unwrap_or_default()
}

fn org_name(ledger: &Ledger, id: &str) -> String {
    ledger.members.iter().find(|m| m.id == id).map_or(id.to_owned(), |m| m.name.clone())
}

fn activity_title(ledger: &Ledger, id: &str) -> String {
    ledger.approved.activities.iter().find(|a| a.id == id).map_or(id.to_owned(), |a| a.title.clone())
}

async fn render_records(st: &AppState, ctx: &Ctx, slug: &str, kind: RecordKind, outcome: Outcome) -> Page {
    let info = kinds::kind_info(kind);
    let (ledger, r) = exec::realisation(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.current_regulation()?;
    let region_id = ledger.region.id.clone();
    // The realised lines come in the order hours, invoices, depreciation, in-kind contributions.
    let records = ledger.records();
    let first_cost = records.hours.len();
    let (mut hi, mut ci) = (0usize, 0usize);
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    let years_to_date = exec::years_to_date(&st.app)?;
    for e in &ledger.entries {
        let can_remove = ctx.actor.permits(match &e.record {
            Record::Contribution(c) => Action::RecordContribution { region_id: &region_id, company_id: &c.company },
            other => Action::RecordWork { region_id: &region_id, organisation_id: other.organisation() },
        });
        let (cells, warning) = match (&e.record, kind) {
            (Record::Hours(h), RecordKind::Hours) => {
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
            (Record::Cost(c), RecordKind::Costs) => {
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
            (Record::Asset(a), RecordKind::Assets) => {
                // Every year's depreciation is shown; only the years begun count, as in the realisation.
                let per_year = a.depreciation(&reg.years);
                total += per_year.iter().filter(|(y, _)| years_to_date.contains(y)).map(|(_, d)| *d).sum::<Decimal>();
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
            (Record::Contribution(c), RecordKind::Contributions) => {
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
        if kind == RecordKind::Contributions {
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
        .filter(|m| kind != RecordKind::Contributions && may(&m.id))
        .map(|m| Choice { value: m.id.clone(), label: m.name.clone(), selected: false })
        .collect();
    let companies: Vec<Choice> = ledger
        .members
        .iter()
        .filter(|m| kind == RecordKind::Contributions && m.kind == domain::OrganisationKind::Company && may(&m.id))
        .map(|m| Choice { value: m.id.clone(), label: m.name.clone(), selected: false })
        .collect();
    let page = RecordsPage {
        l: Layout::new(format!("{} {}", info.heading, ledger.region.name), ctx, "beheer"),
        slug: ledger.region.slug.clone(),
        region: ledger.region.name.clone(),
        tabs: tabs(&ledger.region.slug, kind.path()),
        kind: kind.path(),
        heading: info.heading,
        intro: info.intro.replace("{minimum}", &minimum_share(reg)),
        columns: info.columns,
        counted: info.counted,
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
        typed: outcome.typed.with_errors(&outcome.errors),
        errors: outcome.errors,
        import_columns: exec::import_columns(kind).join("; "),
    };
    Ok((outcome.status.unwrap_or(StatusCode::OK), Html(page.render()?)).into_response())
}

pub async fn records(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, kind)): Path<(String, String)>,
    flash: crate::flash::Flash,
) -> Page {
    let kind = RecordKind::from_path(&kind).ok_or(WebError::NotFound)?;
    let outcome = Outcome { notice: flash.notice, warning: flash.warning, ..Outcome::default() };
    render_records(&st, &ctx, &slug, kind, outcome).await
}

/// The record a form describes.
fn record_from_form(kind: RecordKind, f: &Pairs) -> Result<Record, FieldErrors> {
    let mut e = FieldErrors::default();
    let record = match kind {
        RecordKind::Hours => Record::Hours(HourEntry {
            date: date_field(f, &mut e, "date"),
            person: f.get("person"),
            organisation: f.get("organisation"),
            activity: f.get("activity"),
            hours: amount_field(f, &mut e, "hours", "het aantal uren"),
            rate_eur: amount_field(f, &mut e, "rate_eur", "het uurtarief"),
            external: f.get("external") == "1",
            note: f.get("note"),
        }),
        RecordKind::Costs => Record::Cost(CostEntry {
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
        RecordKind::Assets => Record::Asset(Asset {
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
        RecordKind::Contributions => Record::Contribution(Contribution {
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
    };
    e.into_result(record)
}

/// Shows the outcome of an add: back to the list with a notice (and the cap warning), or the errors.
async fn after_add(
    st: &AppState,
    ctx: &Ctx,
    (slug, kind, f): (&str, RecordKind, &Pairs),
    result: services::Result<exec::AddOutcome>,
) -> Page {
    match result {
        Ok(outcome) => {
            let notice = format!("Opgeslagen: subsidiabel {}.", euro_nl(outcome.eligible));
            let to = format!("/regio/{slug}/uitvoering/{}", kind.path());
            crate::flash::with_warning(st, &to, &notice, outcome.explanation.as_deref()).await
        }
        Err(ServiceError::Invalid(e)) => {
            let outcome = Outcome {
                errors: error_pairs(&e),
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                typed: Typed::new(kind.path(), "f", f),
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
    let kind = RecordKind::from_path(&kind).ok_or(WebError::NotFound)?;
    let f = Pairs::parse(&body);
    let result = match record_from_form(kind, &f) {
        Ok(record) => exec::add_one(&st.app, &ctx.actor, &slug, record, None).await,
        Err(e) => Err(ServiceError::Invalid(e)),
    };
    after_add(&st, &ctx, (&slug, kind, &f), result).await
}

/// An invoice with its document: a multipart form.
pub async fn add_invoice(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    _may: crate::guard::RecordsWork,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let upload = crate::form::read(&mut multipart).await?;
    let file = upload.file.filter(|(_, b)| !b.is_empty());
    let f = Pairs(upload.fields);
    let result = match record_from_form(RecordKind::Costs, &f) {
        Ok(record) => {
            let document = file.as_ref().map(|(n, b)| (n.as_str(), b.as_ref()));
            exec::add_one(&st.app, &ctx.actor, &slug, record, document).await
        }
        Err(e) => Err(ServiceError::Invalid(e)),
    };
    after_add(&st, &ctx, (&slug, RecordKind::Costs, &f), result).await
}

pub async fn remove(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, kind, id)): Path<(String, String, String)>,
) -> Page {
    let kind = RecordKind::from_path(&kind).ok_or(WebError::NotFound)?;
    exec::remove(&st.app, &ctx.actor, &slug, &id).await?;
    crate::flash::redirect(&st, &format!("/regio/{slug}/uitvoering/{}", kind.path()), "Verwijderd.").await
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
    let kind = RecordKind::from_path(&kind).ok_or(WebError::NotFound)?;
    let (_, file) = read_upload(&mut multipart).await?;
    let result = match file.filter(|(_, b)| !b.is_empty()) {
        Some((_, bytes)) => exec::import(&st.app, &ctx.actor, &slug, kind, &bytes).await,
        None => Err(ServiceError::Invalid({
            let mut e = FieldErrors::default();
            e.add("bestand", "Kies een CSV- of Excel-bestand.");
            e
        })),
    };
    match result {
        Ok(n) => {
            let to = format!("/regio/{slug}/uitvoering/{}", kind.path());
            crate::flash::redirect(&st, &to, &format!("{n} regels ingelezen.")).await
        }
        Err(ServiceError::Invalid(e)) => {
            let mut errors = error_pairs(&e);
            errors.insert(
                0,
                ("bestand".into(), "Er is niets ingelezen: het bestand wordt alleen in zijn geheel ingelezen.".into()),
            );
            let outcome = Outcome { errors, status: Some(StatusCode::UNPROCESSABLE_ENTITY), ..Outcome::default() };
            render_records(&st, &ctx, &slug, kind, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}
