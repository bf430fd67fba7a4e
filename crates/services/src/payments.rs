//! The payment register: advances planned from each decision, what the funder's staff record or
//! import as paid, and what a region has received, which its settlement and annual accounts read.

use std::collections::BTreeMap;

use domain::payments::{self, Payment, PaymentKind, PaymentText};
use domain::regulation::Regulation;
use domain::{Action, Actor, FieldErrors, Region};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde_json::json;
pub use store::payments::PaymentRow;
use store::payments::{self as repo, Fields};

/// The columns an import file has (the first five required).
pub const IMPORT_COLUMNS: [&str; 8] = import::payments::PAYMENT_COLUMNS;
use store::{AnyConnection, StoreError, audit, regions};

use crate::{App, Result, ServiceError, corrupt, invalid, live_region};

/// Planned against received for one budget year (`None`: payments without a year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearLine {
    pub year: Option<i16>,
    pub decided: Decimal,
    pub planned: Decimal,
    pub received: Decimal,
}

/// A region's register as its page and the API show it.
#[derive(Debug, Clone)]
pub struct Register {
    pub region: Region,
    pub payments: Vec<PaymentRow>,
    pub years: Vec<YearLine>,
    pub decided: Decimal,
    pub received: Decimal,
    /// Whether the actor keeps the register (the funder's staff).
    pub can_edit: bool,
}

fn euros(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

fn kind_of(row: &PaymentRow) -> Result<PaymentKind> {
    PaymentKind::parse(&row.kind).ok_or_else(|| corrupt(format!("betaling {}: soort {}", row.id, row.kind)))
}

fn date(raw: Option<&str>) -> Result<Option<Date>> {
    raw.map(|d| d.parse::<Date>().map_err(corrupt)).transpose()
}

/// The region's register: every payment, and per budget year what was decided, planned and received.
pub async fn register(app: &App, actor: &Actor, slug: &str) -> Result<Register> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    actor.require(Action::ViewPayments { region_id: &region.id })?;
    let payments = repo::of_region(&mut conn, &region.id).await?;
    let mut years: BTreeMap<Option<i16>, YearLine> = BTreeMap::new();
    let line =
        |y: Option<i16>| YearLine { year: y, decided: Decimal::ZERO, planned: Decimal::ZERO, received: Decimal::ZERO };
    for (year, amount) in decided_per_year(app, &mut conn, &region.id).await? {
        years.entry(Some(year)).or_insert_with(|| line(Some(year))).decided = amount;
    }
    for p in &payments {
        let kind = kind_of(p)?;
        let year = p.year.and_then(|y| i16::try_from(y).ok());
        let l = years.entry(year).or_insert_with(|| line(year));
        if kind == PaymentKind::Voorschot {
            l.planned += euros(p.amount_cents);
        }
        if p.paid_on.is_some() {
            l.received += kind.signed(euros(p.amount_cents));
        }
    }
    let years: Vec<YearLine> = years.into_values().collect();
    Ok(Register {
        decided: years.iter().map(|l| l.decided).sum(),
        received: years.iter().map(|l| l.received).sum(),
        can_edit: keeps(actor, &region).is_ok(),
        region,
        payments,
        years,
    })
}

/// The subsidy decided per budget year: for each year, the decision on the latest phase (in the
/// regulation's order) that has one for it, as execution holds the region to it.
async fn decided_per_year(app: &App, conn: &mut AnyConnection, region_id: &str) -> Result<BTreeMap<i16, Decimal>> {
    let decisions = store::assessments::current_decisions(conn, region_id).await?;
    let mut out = BTreeMap::new();
    for phase in &app.current_regulation()?.phases {
        let Some(draft) = store::applications::get(conn, region_id, &phase.id).await? else { continue };
        for (_, d) in decisions.iter().filter(|(application, _)| *application == draft.id) {
            out.extend(d.amounts.iter().map(|(year, cents)| (*year, euros(*cents))));
        }
    }
    Ok(out)
}

/// What the region received per calendar year of payment (repayments subtract): the annual
/// accounts note and, summed, the settlement read this.
pub async fn received_per_year(conn: &mut AnyConnection, region_id: &str) -> Result<BTreeMap<i16, Decimal>> {
    let mut out = BTreeMap::new();
    for p in repo::of_region(conn, region_id).await? {
        if let Some(paid) = date(p.paid_on.as_deref())? {
            *out.entry(paid.year()).or_default() += kind_of(&p)?.signed(euros(p.amount_cents));
        }
    }
    Ok(out)
}

fn fields<'a>(p: &'a Payment, dates: &'a (Option<String>, Option<String>)) -> Fields<'a> {
    Fields {
        kind: p.kind.code(),
        year: p.year.map(i64::from),
        planned_on: dates.0.as_deref(),
        paid_on: dates.1.as_deref(),
        amount_cents: p.cents,
        reference: p.reference.as_deref(),
        note: &p.note,
    }
}

fn dates(p: &Payment) -> (Option<String>, Option<String>) {
    (p.planned_on.map(|d| d.to_string()), p.paid_on.map(|d| d.to_string()))
}

fn taken(e: StoreError) -> ServiceError {
    match e {
        StoreError::Duplicate => invalid("reference", "Dit kenmerk staat al bij een andere betaling."),
        e => e.into(),
    }
}

/// Authorised before a body is read: only the funder's staff keep the register.
pub fn authorize_edit(actor: &Actor) -> Result<()> {
    Ok(actor.require(Action::Assess)?)
}

/// The funder's staff keep a region's register unless they hold a grant in it (as for the assessment).
fn keeps(actor: &Actor, region: &Region) -> Result<()> {
    authorize_edit(actor)?;
    if actor.assesses(&region.id) { Ok(()) } else { Err(ServiceError::Denied(domain::Denied::Forbidden)) }
}

/// The same, in the shape of the web's guards (the region is checked when the body is handled).
pub async fn authorize_keep(_app: &App, actor: &Actor, _slug: &str) -> Result<()> {
    authorize_edit(actor)
}

/// Adds a payment to the region's register; returns its id.
pub async fn add(app: &App, actor: &Actor, slug: &str, input: &PaymentText) -> Result<String> {
    authorize_edit(actor)?;
    let p = input.validate(app.current_regulation()?, app.today()?)?;
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    keeps(actor, &region)?;
    let d = dates(&p);
    let id =
        repo::insert(&mut tx, (&region.id, None), &fields(&p, &d), actor.user_id.as_deref()).await.map_err(taken)?;
    audit::append(&mut tx, actor.user_id.as_deref(), "payment.add", "payment", &id, &detail(&region, &p)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a payment (typically: records that a planned advance was paid). `revision` is the one
/// the form was opened on: a change made meanwhile is not overwritten.
pub async fn update(
    app: &App,
    actor: &Actor,
    (slug, id, revision): (&str, &str, i64),
    input: &PaymentText,
) -> Result<()> {
    authorize_edit(actor)?;
    let p = input.validate(app.current_regulation()?, app.today()?)?;
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    keeps(actor, &region)?;
    let row = repo::get(&mut tx, id).await?.filter(|r| r.region_id == region.id).ok_or(ServiceError::NotFound)?;
    let d = dates(&p);
    repo::update(&mut tx, (&row.id, revision), &fields(&p, &d), actor.user_id.as_deref()).await.map_err(taken)?;
    audit::append(&mut tx, actor.user_id.as_deref(), "payment.update", "payment", &row.id, &detail(&region, &p))
        .await?;
    tx.commit().await?;
    Ok(())
}

fn detail(region: &Region, p: &Payment) -> serde_json::Value {
    json!({
        "region": region.slug, "kind": p.kind.code(), "year": p.year, "amount": euros(p.cents).to_string(),
        "planned_on": p.planned_on, "paid_on": p.paid_on, "reference": p.reference,
    })
}

/// Plans the advances of a decision just recorded (in its transaction): it takes the place of
/// the unpaid advances an earlier decision planned for its years, and what was paid for a year
/// already counts.
pub(crate) async fn plan_advances(
    conn: &mut AnyConnection,
    reg: &Regulation,
    (region_id, decision_id): (&str, &str),
    amounts: &BTreeMap<i16, Decimal>,
    (decided_on, by): (Date, Option<&str>),
) -> Result<usize> {
    let mut paid: BTreeMap<i16, Decimal> = BTreeMap::new();
    for p in repo::of_region(conn, region_id).await? {
        if let (Some(year), Some(_), PaymentKind::Voorschot) = (p.year, &p.paid_on, kind_of(&p)?) {
            *paid.entry(i16::try_from(year).map_err(corrupt)?).or_default() += euros(p.amount_cents);
        }
    }
    for year in amounts.keys() {
        repo::drop_unpaid_planned(conn, region_id, i64::from(*year)).await?;
    }
    let plan = payments::schedule(reg, amounts, &paid, decided_on).map_err(corrupt)?;
    for p in &plan {
        let planned_on = p.planned_on.to_string();
        let f = Fields {
            kind: PaymentKind::Voorschot.code(),
            year: Some(i64::from(p.year)),
            planned_on: Some(&planned_on),
            paid_on: None,
            amount_cents: p.cents,
            reference: None,
            note: "",
        };
        repo::insert(conn, (region_id, Some(decision_id)), &f, by).await?;
    }
    Ok(plan.len())
}

/// A withdrawn decision's advances not yet paid are no longer due (paid ones stay: the money went).
pub(crate) async fn withdraw_unpaid(conn: &mut AnyConnection, decision_id: &str) -> Result<u64> {
    Ok(repo::drop_unpaid_of_decision(conn, decision_id).await?)
}

/// At most this many problems are reported for an import; the file is refused either way.
const MAX_IMPORT_ERRORS: usize = 50;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// New payments.
    pub added: usize,
    /// Planned advances now paid.
    pub settled: usize,
    /// Rows already in the register as they are.
    pub unchanged: usize,
}

/// Imports payments from the funder's bookkeeping (CSV or XLSX), all or nothing: a row whose
/// reference is in the register already is skipped when it matches and refused when it does not;
/// a paid row that matches a planned advance (region, kind, year and amount) settles it.
pub async fn import(app: &App, actor: &Actor, bytes: &[u8]) -> Result<ImportSummary> {
    authorize_edit(actor)?;
    let bytes = bytes.to_vec();
    let table =
        crate::cpu::run(move || import::execution::table_of(&bytes).map_err(|e| invalid("bestand", e))).await??;
    let lines = import::payments::payments(&table).map_err(|errors| {
        let mut e = FieldErrors::default();
        for r in errors {
            e.add(&format!("rij {}", r.row), r.to_string());
        }
        ServiceError::Invalid(e)
    })?;
    let reg = app.current_regulation()?;
    let today = app.today()?;
    let mut tx = app.db.begin().await?;
    let known = regions::list(&mut tx, false).await?;
    let mut errors = FieldErrors::default();
    let mut summary = ImportSummary::default();
    let mut seen = std::collections::HashSet::new();
    for line in &lines {
        if errors.iter().count() >= MAX_IMPORT_ERRORS {
            break; // the file is refused either way; the first fifty say what is wrong
        }
        let at = format!("rij {}", line.row);
        let fail = |e: &mut FieldErrors, column: &str, message: &str| {
            e.add(&at, format!("rij {}, kolom \"{column}\": {message}", line.row));
        };
        let cell = line.region.to_lowercase();
        let Some(region) = known.iter().find(|r| r.slug == cell || r.name.to_lowercase() == cell) else {
            fail(&mut errors, "Regio", &format!("\"{}\" is geen regio in Sterk", line.region));
            continue;
        };
        if !actor.assesses(&region.id) {
            fail(
                &mut errors,
                "Regio",
                &format!("u hebt een rol in {} en houdt daar de betalingen niet bij", region.name),
            );
            continue;
        }
        let p = match payments::validate(reg, &line.input, today) {
            Ok(p) => p,
            Err(e) => {
                for f in e.iter() {
                    fail(&mut errors, import::payments::column_of(&f.field), &f.message);
                }
                continue;
            }
        };
        let reference = p.reference.clone().unwrap_or_default();
        if !seen.insert(reference.clone()) {
            fail(&mut errors, "Kenmerk", &format!("\"{reference}\" staat twee keer in het bestand"));
            continue;
        }
        let d = dates(&p);
        let f = fields(&p, &d);
        if let Some(existing) = repo::by_reference(&mut tx, &reference).await? {
            let same = existing.region_id == region.id
                && existing.kind == f.kind
                && existing.year == f.year
                && existing.amount_cents == f.amount_cents
                && existing.paid_on.as_deref() == f.paid_on;
            if same {
                summary.unchanged += 1;
            } else {
                fail(&mut errors, "Kenmerk", &format!("\"{reference}\" staat al in het register met andere gegevens"));
            }
            continue;
        }
        let by = actor.user_id.as_deref();
        let planned = match p.paid_on {
            Some(_) => repo::planned_match(&mut tx, &region.id, (f.kind, f.year, f.amount_cents)).await?,
            None => None,
        };
        match planned {
            Some(plan) => {
                let f = Fields {
                    planned_on: plan.planned_on.as_deref(),
                    note: if p.note.is_empty() { &plan.note } else { &p.note },
                    ..f
                };
                repo::update(&mut tx, (&plan.id, plan.revision), &f, by).await?;
                summary.settled += 1;
            }
            None => {
                repo::insert(&mut tx, (&region.id, None), &f, by).await?;
                summary.added += 1;
            }
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let detail = json!({ "added": summary.added, "settled": summary.settled, "unchanged": summary.unchanged });
    audit::append(&mut tx, actor.user_id.as_deref(), "payment.import", "payments", "-", &detail).await?;
    tx.commit().await?;
    Ok(summary)
}
