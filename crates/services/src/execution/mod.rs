//! Execution and accountability: what a region records while running its plan, compared with
//! what was approved, and the settlement the regulation arrives at. School contacts record for
//! their own school, partners their own company's contributions; the region's manager and lead
//! applicant see and record everything of the region.

use std::collections::BTreeMap;

use domain::execution::{
    self, Asset, Contribution, CostEntry, HourEntry, Realisation, RecordKind, Records, Settlement,
};
use domain::regulation::Regulation;
use domain::regulation::application::Application;
use domain::{Action, Actor, FieldErrors, Region};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::execution::{self as repo, NewRecord, RecordRow};
use store::{AnyConnection, audit, regions};

use crate::{App, Result, ServiceError, corrupt, live_region};

mod basis;
mod files;
mod progress;

use basis::Approved;
pub(crate) use basis::approved;
pub use basis::{Basis, Used};
pub use files::{ReportFormat, import, import_columns, notice_pdf, report};
pub(crate) use progress::milestone_views;
pub use progress::{
    MilestoneView, NoticeView, explanations, milestones, notices, overdue_milestones, set_explanation, set_milestone,
};

/// One recorded item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "kebab-case")]
pub enum Record {
    Hours(HourEntry),
    Cost(CostEntry),
    Asset(Asset),
    Contribution(Contribution),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Hours(_) => RecordKind::Hours,
            Record::Cost(_) => RecordKind::Costs,
            Record::Asset(_) => RecordKind::Assets,
            Record::Contribution(_) => RecordKind::Contributions,
        }
    }

    /// The organisation the record is for: whose work, or which company contributed.
    pub fn organisation(&self) -> &str {
        match self {
            Record::Hours(h) => &h.organisation,
            Record::Cost(c) => &c.organisation,
            Record::Asset(a) => &a.organisation,
            Record::Contribution(c) => &c.company,
        }
    }

    pub fn activity(&self) -> &str {
        match self {
            Record::Hours(h) => &h.activity,
            Record::Cost(c) => &c.activity,
            Record::Asset(a) => &a.activity,
            Record::Contribution(c) => &c.activity,
        }
    }

    pub fn day(&self) -> Date {
        match self {
            Record::Hours(h) => h.date,
            Record::Cost(c) => c.invoice_date,
            Record::Asset(a) => a.purchase_date,
            Record::Contribution(c) => c.date,
        }
    }

    fn action<'a>(&'a self, region_id: &'a str) -> Action<'a> {
        match self {
            Record::Contribution(c) => Action::RecordContribution { region_id, company_id: &c.company },
            other => Action::RecordWork { region_id, organisation_id: other.organisation() },
        }
    }

    fn validate(&self, reg: &Regulation, application: &Application, members: &[domain::Organisation]) -> FieldErrors {
        let activities: Vec<String> = application.activities.iter().map(|a| a.id.clone()).collect();
        let mut e = match self {
            Record::Hours(h) => h.validate(&activities),
            Record::Cost(c) => c.validate(reg, &activities),
            Record::Asset(a) => a.validate(&activities),
            Record::Contribution(c) => {
                let companies: Vec<String> = members
                    .iter()
                    .filter(|m| m.kind == domain::OrganisationKind::Company)
                    .map(|m| m.id.clone())
                    .collect();
                c.validate(&companies, &activities)
            }
        };
        if !matches!(self, Record::Contribution(_)) && !members.iter().any(|m| m.id == self.organisation()) {
            e.add("organisation", "Kies een organisatie die deelneemt in de regio.");
        }
        let (first, last) = (reg.start(), jiff::civil::date(reg.years.last().copied().unwrap_or(2028), 12, 31));
        if self.day() < first || self.day() > last {
            e.add(
                "date",
                format!(
                    "De datum valt buiten de looptijd van de regeling ({} tot en met {}).",
                    domain::fmt::date_nl(first),
                    domain::fmt::date_nl(last)
                ),
            );
        }
        e
    }
}

/// A stored record with who entered it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub record: Record,
    /// An attached document (an invoice): (SHA-256, file name).
    pub document: Option<(String, String)>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

/// The region's ledger: the approved application, what it is compared with, and the records the actor may see.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub region: Region,
    pub approved: Application,
    pub basis: Basis,
    /// The decided subsidy per year, for the years whose phase the funder decided on.
    pub decided: BTreeMap<i16, Decimal>,
    pub entries: Vec<Entry>,
    pub sees_all: bool,
    pub members: Vec<domain::Organisation>,
}

impl Ledger {
    pub fn records(&self) -> Records {
        records_of(self.entries.iter().map(|e| &e.record))
    }
}

fn records_of<'a>(list: impl Iterator<Item = &'a Record>) -> Records {
    let mut r = Records::default();
    for record in list {
        match record {
            Record::Hours(h) => r.hours.push(h.clone()),
            Record::Cost(c) => r.costs.push(c.clone()),
            Record::Asset(a) => r.assets.push(a.clone()),
            Record::Contribution(c) => r.contributions.push(c.clone()),
        }
    }
    r
}

/// Every record of the region as the regulation reads them (for the programme's figures).
pub(crate) async fn all_records(conn: &mut AnyConnection, region_id: &str) -> Result<Records> {
    let rows = repo::records(conn, region_id, None).await?;
    let entries = rows.into_iter().map(entry).collect::<Result<Vec<_>>>()?;
    Ok(records_of(entries.iter().map(|e| &e.record)))
}

/// Today in the regulation's time zone, at the app's clock.
pub fn today(app: &App) -> Result<Date> {
    app.today()
}

fn entry(row: RecordRow) -> Result<Entry> {
    let record: Record = serde_json::from_str(&row.content).map_err(corrupt)?;
    Ok(Entry {
        id: row.id,
        record,
        document: row.document_sha256.zip(row.document_name),
        created_by: row.created_by_name,
        created_at: row.created_at,
    })
}

/// May the actor see this record: all of the region, or their own organisation's.
fn visible(actor: &Actor, region_id: &str, record: &Record) -> bool {
    actor.permits(Action::ViewAllRecords { region_id }) || actor.permits(record.action(region_id))
}

/// Whether the actor may record anything in the region: asked before an upload or import is read.
pub async fn authorize_record(app: &App, actor: &Actor, slug: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    Ok(actor.require(Action::RecordInRegion { region_id: &region.id })?)
}

pub async fn ledger(app: &App, actor: &Actor, slug: &str) -> Result<Ledger> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    actor.require(Action::ViewApplication { region_id: &region.id })?;
    let sees_all = actor.permits(Action::ViewAllRecords { region_id: &region.id });
    let Approved { application: approved, basis, decided, .. } = approved(app, &mut conn, &region).await?;
    let mut entries = Vec::new();
    for row in repo::records(&mut conn, &region.id, None).await? {
        let e = entry(row)?;
        if sees_all || visible(actor, &region.id, &e.record) {
            entries.push(e);
        }
    }
    let members = regions::members(&mut conn, &region.id).await?;
    Ok(Ledger { region, approved, basis, decided, entries, sees_all, members })
}

/// What the regulation made of a recorded item.
#[derive(Debug, Clone)]
pub struct AddOutcome {
    pub id: String,
    pub eligible: Decimal,
    /// The part above a rate cap, for the region's own account.
    pub own_cost: Decimal,
    /// Why the item is capped, with the numbers and the parameter.
    pub explanation: Option<String>,
}

/// Records one item (with a document, such as the invoice), after the regulation's checks.
pub async fn add_one(
    app: &App,
    actor: &Actor,
    slug: &str,
    record: Record,
    document: Option<(&str, &[u8])>,
) -> Result<AddOutcome> {
    let checked = match document {
        Some((name, bytes)) => Some((crate::files::check("document", name, bytes, &crate::files::DOCUMENTS)?, bytes)),
        None => None,
    };
    let document = checked.as_ref().map(|(c, b)| (c.filename.as_str(), *b));
    let ids = add_all(app, actor, slug, vec![(String::new(), record.clone())], document).await?;
    let ledger = ledger(app, actor, slug).await?;
    let mut single = Records::default();
    match record {
        Record::Hours(h) => single.hours.push(h),
        Record::Cost(c) => single.costs.push(c),
        Record::Asset(a) => single.assets.push(a),
        Record::Contribution(c) => single.contributions.push(c),
    }
    let reg = app.current_regulation()?;
    let years = years_to_date(app)?;
    let r = execution::realisation(reg, &ledger.approved, &single, (&years, today(app)?)).map_err(corrupt)?;
    let eligible = if r.lines.is_empty() { r.cofinancing } else { r.lines.iter().map(|l| l.eligible).sum() };
    Ok(AddOutcome {
        id: ids.into_iter().next().unwrap_or_default(),
        eligible,
        own_cost: r.lines.iter().map(|l| l.own_cost).sum(),
        explanation: r.lines.into_iter().find_map(|l| l.explanation),
    })
}

/// Records many items at once, all or nothing: every item is checked first and the errors name
/// the item (`regel N: …`); only when all pass are they written, in one transaction.
pub async fn add_all(
    app: &App,
    actor: &Actor,
    slug: &str,
    labelled: Vec<(String, Record)>,
    document: Option<(&str, &[u8])>,
) -> Result<Vec<String>> {
    let reg = app.current_regulation()?;
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    let approved = approved(app, &mut tx, &region).await?.application;
    let members = regions::members(&mut tx, &region.id).await?;
    let mut errors = FieldErrors::default();
    for (label, r) in &labelled {
        if !actor.permits(r.action(&region.id)) {
            if label.is_empty() {
                return Err(actor.require(r.action(&region.id)).expect_err("not permitted").into());
            }
            errors.add(label, format!("{label}: u mag voor deze organisatie niets registreren."));
            continue;
        }
        for f in r.validate(reg, &approved, &members).iter() {
            match label.as_str() {
                "" => errors.add(&f.field, f.message.clone()),
                label => errors.add(label, format!("{label}: {}", f.message)),
            }
        }
    }
    errors.into_result(())?;
    let records: Vec<Record> = labelled.into_iter().map(|(_, r)| r).collect();
    let document = match document {
        Some((name, bytes)) => Some((crate::files::put(&mut tx, bytes).await?, name.to_owned())),
        None => None,
    };
    let days: Vec<String> = records.iter().map(|r| r.day().to_string()).collect();
    let rows: Vec<NewRecord> = records
        .iter()
        .zip(&days)
        .map(|(r, day)| NewRecord {
            kind: r.kind().api_name(),
            organisation_id: r.organisation(),
            activity: r.activity(),
            day,
            content: serde_json::to_string(r).expect("a record serialises"),
            document: document.as_ref().map(|(sha, name)| (sha.as_str(), name.as_str())),
        })
        .collect();
    let user = actor.user_id.as_deref();
    let ids = repo::insert(&mut tx, &region.id, user, &rows).await?;
    let detail = json!({ "count": ids.len(), "kinds": records.iter().map(|r| r.kind().api_name()).collect::<std::collections::BTreeSet<_>>() });
    audit::append(&mut tx, user, "execution.record", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(ids)
}

pub async fn remove(app: &App, actor: &Actor, slug: &str, id: &str) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    let row = repo::record(&mut tx, &region.id, id).await?.ok_or(ServiceError::NotFound)?;
    let e = entry(row)?;
    if !visible(actor, &region.id, &e.record) {
        return Err(ServiceError::NotFound);
    }
    actor.require(e.record.action(&region.id))?;
    repo::delete(&mut tx, &region.id, id).await?;
    let detail = serde_json::to_value(&e.record).unwrap_or_default();
    audit::append(&mut tx, actor.user_id.as_deref(), "execution.remove", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The document attached to a record, for whoever may see the record.
pub async fn document(app: &App, actor: &Actor, slug: &str, id: &str) -> Result<(String, Vec<u8>)> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    let e = entry(repo::record(&mut conn, &region.id, id).await?.ok_or(ServiceError::NotFound)?)?;
    if !visible(actor, &region.id, &e.record) {
        return Err(ServiceError::NotFound);
    }
    let (sha, name) = e.document.ok_or(ServiceError::NotFound)?;
    Ok((name, crate::files::get(&mut conn, &sha).await?))
}

/// The regulation's years up to today's: equipment depreciates only in years that have begun.
pub fn years_to_date(app: &App) -> Result<Vec<i16>> {
    let today = today(app)?;
    Ok(app.current_regulation()?.years.iter().copied().filter(|y| *y <= today.year()).collect())
}

/// Realisation against the approved budget to date, on what the actor may see.
pub async fn realisation(app: &App, actor: &Actor, slug: &str) -> Result<(Ledger, Realisation)> {
    let ledger = ledger(app, actor, slug).await?;
    let years = years_to_date(app)?;
    let r =
        execution::realisation(app.current_regulation()?, &ledger.approved, &ledger.records(), (&years, today(app)?))
            .map_err(corrupt)?;
    Ok((ledger, r))
}

/// The settlement on everything recorded; what was received comes from the payment register.
pub async fn settlement(app: &App, actor: &Actor, slug: &str) -> Result<(Ledger, Settlement)> {
    let ledger = ledger(app, actor, slug).await?;
    let s = settle_ledger(app, actor, &ledger).await?;
    Ok((ledger, s))
}

async fn settle_ledger(app: &App, actor: &Actor, ledger: &Ledger) -> Result<Settlement> {
    actor.require(Action::ViewAllRecords { region_id: &ledger.region.id })?;
    let mut conn = app.db.conn().await?;
    let received = crate::payments::received_per_year(&mut conn, &ledger.region.id).await?.values().copied().sum();
    // The grant is bounded by the region maximum table in force.
    let reg = crate::maximums::in_force(&mut conn, app.current_regulation()?).await?;
    let years = years_to_date(app)?;
    execution::settle(&reg, (&ledger.approved, &ledger.decided), &ledger.records(), (&years, received)).map_err(corrupt)
}

/// The annual accounts note of the lead applicant: per year what was received (payment register,
/// by date paid), what the subsidy paid for, and what is still to spend.
pub async fn annual_note(app: &App, ledger: &Ledger) -> Result<Vec<domain::payments::AnnualLine>> {
    let reg = app.current_regulation()?;
    let spent = execution::subsidy_spent_per_year(reg, &ledger.approved, &ledger.records(), &years_to_date(app)?)
        .map_err(corrupt)?;
    let received = crate::payments::received_per_year(&mut *app.db.conn().await?, &ledger.region.id).await?;
    Ok(domain::payments::annual_note(&received, &spent))
}
