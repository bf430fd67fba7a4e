//! Execution and accountability: what a region records while running its plan, compared with
//! what was approved, and the settlement the regulation arrives at. School contacts record for
//! their own school, partners their own company's contributions; the region's manager and lead
//! applicant see and record everything of the region.

use std::collections::BTreeMap;

use domain::execution::{
    self, Asset, ChangeNotice, Contribution, CostEntry, HourEntry, MilestoneState, Realisation, RecordKind, Records,
    Settlement,
};
use domain::regulation::Regulation;
use domain::regulation::application::Application;
use domain::{Action, Actor, FieldErrors, Region};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::execution::{self as repo, NewRecord, Progress, RecordRow};
use store::{AnyConnection, applications as drafts, audit, regions};

use crate::{App, Result, ServiceError, corrupt, invalid, live_region};

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

/// What the realisation is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Submitted versions, per phase used: the decided one where the funder decided, else the latest.
    Submitted(Vec<Used>),
    /// Nothing submitted yet: the current draft of this phase.
    Draft(String),
}

/// A phase's version the ledger uses, and the decision that fixed it (its reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Used {
    pub phase: String,
    pub version: i64,
    pub decision: Option<String>,
    /// The change request (its number) that moved the plan on from the decided version.
    pub change: Option<i64>,
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

/// What the region is held to, per phase: the version the funder decided on (with the decided
/// amounts) once there is a decision, else the latest submitted version; a rejected phase counts
/// nothing. Without any submission, the current draft.
struct PhaseBasis<'a> {
    phase: &'a domain::regulation::Phase,
    application: Application,
    used: Used,
    amounts: BTreeMap<i16, Decimal>,
}

async fn phase_bases<'a>(app: &'a App, conn: &mut AnyConnection, region: &Region) -> Result<Vec<PhaseBasis<'a>>> {
    let mut decided = store::assessments::current_decisions(conn, &region.id).await?;
    let mut out = Vec::new();
    for phase in &app.current_regulation()?.phases {
        let Some(draft) = drafts::get(conn, &region.id, &phase.id).await? else { continue };
        let decision = match decided.iter().position(|(application, _)| *application == draft.id) {
            Some(i) => Some(crate::assessments::decisions::view(decided.swap_remove(i).1)?),
            None => None,
        };
        if decision.as_ref().is_some_and(|d| !d.input.outcome.grants()) {
            continue;
        }
        let versions = drafts::versions(conn, &draft.id, true).await?;
        let version = match &decision {
            Some(d) => versions.into_iter().find(|v| v.number == d.version),
            None => versions.into_iter().next_back(),
        };
        let Some(v) = version else { continue };
        let application = Application::from_json(&v.content).map_err(corrupt)?;
        let (application, change) = match &decision {
            Some(d) => crate::change_requests::in_force(conn, &draft.id, d, application).await?,
            None => (application, None),
        };
        out.push(PhaseBasis {
            phase,
            application,
            used: Used {
                phase: phase.label.clone(),
                version: v.number,
                decision: decision.as_ref().map(|d| d.input.reference.clone()),
                change,
            },
            amounts: decision.map(|d| d.input.amounts.iter().map(|(y, a)| (*y, a.0)).collect()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The approved application: for every year of the regulation, the lines of the basis of the
/// last phase (in the regulation's order) that covers that year; its activities and
/// organisations from those versions; the decided amount of each year a decision covers.
pub(crate) struct Approved {
    pub application: Application,
    pub basis: Basis,
    /// The decided subsidy per year.
    pub decided: BTreeMap<i16, Decimal>,
    /// Which phase's basis holds each year (phase id).
    pub sources: BTreeMap<i16, String>,
}

pub(crate) async fn approved(app: &App, conn: &mut AnyConnection, region: &Region) -> Result<Approved> {
    let reg = app.current_regulation()?;
    let latest = phase_bases(app, conn, region).await?;
    let Some(last) = latest.last() else {
        let phase = crate::phases::current_phase(app)?;
        let application = match drafts::get(conn, &region.id, &phase.id).await? {
            Some(d) => Application::from_json(&d.content).map_err(corrupt)?,
            None => {
                let members = regions::members(conn, &region.id).await?;
                crate::applications::from_registry(region, &members, &phase.id, app.now())
            }
        };
        let basis = Basis::Draft(phase.label.clone());
        return Ok(Approved { application, basis, decided: BTreeMap::new(), sources: BTreeMap::new() });
    };
    let mut composite = last.application.clone();
    composite.budget.clear();
    let mut used: Vec<Used> = Vec::new();
    let mut decided = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for year in &reg.years {
        let Some(source) = latest.iter().rev().find(|b| b.phase.years.contains(year)) else { continue };
        sources.insert(*year, source.phase.id.clone());
        composite.budget.extend(source.application.budget.iter().filter(|l| l.year == *year).cloned());
        for a in &source.application.activities {
            if !composite.activities.iter().any(|x| x.id == a.id) {
                composite.activities.push(a.clone());
            }
        }
        for o in &source.application.organisations {
            if composite.organisation(&o.id).is_none() {
                composite.organisations.push(o.clone());
            }
        }
        if let Some(amount) = source.amounts.get(year) {
            decided.insert(*year, *amount);
        }
        if !used.contains(&source.used) {
            used.push(source.used.clone());
        }
    }
    Ok(Approved { application: composite, basis: Basis::Submitted(used), decided, sources })
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

/// A milestone of the approved plan with its progress.
#[derive(Debug, Clone)]
pub struct MilestoneView {
    pub activity: String,
    pub activity_title: String,
    pub lead: Option<String>,
    pub title: String,
    pub due: Date,
    pub achieved_on: Option<Date>,
    pub evidence: String,
    pub state: MilestoneState,
}

pub async fn milestones(app: &App, actor: &Actor, slug: &str) -> Result<(Ledger, Vec<MilestoneView>)> {
    let ledger = ledger(app, actor, slug).await?;
    let list = milestone_views(app, &mut *app.db.conn().await?, &ledger.region, &ledger.approved).await?;
    Ok((ledger, list))
}

/// How many milestones of the approved plan are past their date and not reached, for whoever
/// sees all the region's records (the to-do list), without reading the records themselves.
pub async fn overdue_milestones(app: &App, actor: &Actor, slug: &str) -> Result<usize> {
    let (region, approved) = {
        let mut conn = app.db.conn().await?;
        let region = live_region(&mut conn, slug).await?;
        actor.require(Action::ViewAllRecords { region_id: &region.id })?;
        let approved = approved(app, &mut conn, &region).await?.application;
        (region, approved)
    };
    let list = milestone_views(app, &mut *app.db.conn().await?, &region, &approved).await?;
    Ok(list.iter().filter(|m| m.state == MilestoneState::Overdue).count())
}

pub(crate) async fn milestone_views(
    app: &App,
    conn: &mut AnyConnection,
    region: &Region,
    approved: &Application,
) -> Result<Vec<MilestoneView>> {
    let progress = repo::progress(conn, &region.id).await?;
    let today = today(app)?;
    let mut out = Vec::new();
    for a in &approved.activities {
        for m in &a.milestones {
            let p = progress.iter().find(|p| p.activity == a.id && p.title == m.title);
            let achieved_on = p.and_then(|p| p.achieved_on.as_deref()).and_then(|d| d.parse().ok());
            out.push(MilestoneView {
                activity: a.id.clone(),
                activity_title: a.title.clone(),
                lead: a.lead.clone(),
                title: m.title.clone(),
                due: m.due,
                achieved_on,
                evidence: p.map(|p| p.evidence.clone()).unwrap_or_default(),
                state: MilestoneState::of(m.due, achieved_on, today),
            });
        }
    }
    out.sort_by(|a, b| a.due.cmp(&b.due).then(a.title.cmp(&b.title)));
    Ok(out)
}

/// Marks a milestone achieved (or not, with `achieved_on` `None`). The activity's lead
/// organisation may do so, and the region's manager and lead applicant.
pub async fn set_milestone(
    app: &App,
    actor: &Actor,
    slug: &str,
    (activity, title): (&str, &str),
    achieved_on: Option<Date>,
    evidence: &str,
) -> Result<()> {
    let (ledger, list) = milestones(app, actor, slug).await?;
    let m = list.iter().find(|m| m.activity == activity && m.title == title).ok_or(ServiceError::NotFound)?;
    let region_id = ledger.region.id.as_str();
    let allowed = actor.permits(Action::EditApplication { region_id })
        || m.lead.as_deref().is_some_and(|org| actor.permits(Action::RecordWork { region_id, organisation_id: org }));
    if !allowed {
        return Err(domain::Denied::Forbidden.into());
    }
    let today = today(app)?;
    if achieved_on.is_some_and(|d| d > today) {
        return Err(invalid("achieved_on", "Een mijlpaal kan niet in de toekomst behaald zijn."));
    }
    let mut tx = app.db.begin().await?;
    let p = Progress {
        activity: activity.to_owned(),
        title: title.to_owned(),
        achieved_on: achieved_on.map(|d| d.to_string()),
        evidence: evidence.trim().to_owned(),
    };
    repo::set_progress(&mut tx, region_id, &p, actor.user_id.as_deref()).await?;
    let detail = json!({ "activity": activity, "milestone": title, "achieved_on": p.achieved_on });
    audit::append(&mut tx, actor.user_id.as_deref(), "execution.milestone", "region", region_id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// A recorded change notice and why it is substantial.
#[derive(Debug, Clone)]
pub struct NoticeView {
    pub id: String,
    pub notice: ChangeNotice,
    pub substantial: Vec<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

pub async fn notices(app: &App, actor: &Actor, slug: &str) -> Result<(Ledger, Vec<NoticeView>)> {
    let ledger = ledger(app, actor, slug).await?;
    actor.require(Action::ViewAllRecords { region_id: &ledger.region.id })?;
    let rows = {
        let mut conn = app.db.conn().await?;
        repo::notices(&mut conn, &ledger.region.id).await?
    };
    let reg = app.current_regulation()?;
    let mut out = Vec::new();
    for r in rows {
        let notice: ChangeNotice = serde_json::from_str(&r.content).map_err(corrupt)?;
        out.push(NoticeView {
            substantial: notice.substantial(reg),
            notice,
            id: r.id,
            created_by: r.created_by_name,
            created_at: r.created_at,
        });
    }
    Ok((ledger, out))
}

/// Explanations per activity of the differences between plan and realisation (for the reports).
pub async fn explanations(app: &App, region_id: &str) -> Result<BTreeMap<String, String>> {
    Ok(repo::explanations(&mut *app.db.conn().await?, region_id).await?.into_iter().collect())
}

/// Sets (or, with an empty text, removes) the explanation of one activity of the approved plan.
pub async fn set_explanation(app: &App, actor: &Actor, slug: &str, activity: &str, text: &str) -> Result<()> {
    let ledger = ledger(app, actor, slug).await?;
    actor.require(Action::EditApplication { region_id: &ledger.region.id })?;
    if !ledger.approved.activities.iter().any(|a| a.id == activity) {
        return Err(invalid("explanation", "Deze activiteit staat niet in het goedgekeurde plan."));
    }
    if text.chars().count() > 5_000 {
        return Err(invalid("explanation", "De toelichting is te lang: hoogstens 5.000 tekens."));
    }
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    repo::set_explanation(&mut tx, &region.id, (activity, text.trim()), actor.user_id.as_deref()).await?;
    let detail = json!({ "activity": activity });
    audit::append(&mut tx, actor.user_id.as_deref(), "execution.explanation", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The columns an import file of `kind` has (the first ones required), for the page that explains it.
pub fn import_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Hours => &import::execution::HOUR_COLUMNS,
        RecordKind::Costs => &import::execution::COST_COLUMNS,
        RecordKind::Assets | RecordKind::Contributions => &[],
    }
}

/// Imports hours or invoices from a CSV or XLSX file, all or nothing; returns how many were
/// recorded. Equipment and contributions are entered one by one (not found here).
pub async fn import(app: &App, actor: &Actor, slug: &str, kind: RecordKind, bytes: &[u8]) -> Result<usize> {
    use import::execution as imp;
    if !matches!(kind, RecordKind::Hours | RecordKind::Costs) {
        return Err(ServiceError::NotFound);
    }
    authorize_record(app, actor, slug).await?;
    let started = std::time::Instant::now();
    let bytes = bytes.to_vec();
    // Reading a workbook or a long CSV is CPU work: on the bounded pool.
    let table = crate::cpu::run(move || imp::table_of(&bytes).map_err(|e| invalid("bestand", e))).await??;
    let members = {
        let mut conn = app.db.conn().await?;
        let region = live_region(&mut conn, slug).await?;
        regions::members(&mut conn, &region.id).await?
    };
    let organisation = |cell: &str| {
        let c = cell.trim().to_lowercase();
        members
            .iter()
            .find(|m| {
                m.id == cell.trim()
                    || m.duo_code.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&c))
                    || m.name.to_lowercase() == c
            })
            .map(|m| m.id.clone())
    };
    let reg = app.current_regulation()?;
    let row_errors = |errors: Vec<imp::RowError>| {
        let mut e = FieldErrors::default();
        for r in errors {
            e.add(&format!("rij {}", r.row), r.to_string());
        }
        ServiceError::Invalid(e)
    };
    let first = table.first_row;
    let labelled: Vec<(String, Record)> = match kind {
        RecordKind::Hours => {
            imp::hours(&table, organisation).map_err(row_errors)?.into_iter().map(Record::Hours).collect::<Vec<_>>()
        }
        _ => {
            let category = |cell: &str| {
                let c = cell.trim().to_lowercase();
                reg.categories.iter().find(|k| k.id == c || k.label.to_lowercase() == c).map(|k| k.id.clone())
            };
            imp::costs(&table, organisation, category).map_err(row_errors)?.into_iter().map(Record::Cost).collect()
        }
    }
    .into_iter()
    .enumerate()
    .map(|(i, r)| (format!("rij {}", first + i), r))
    .collect();
    if labelled.is_empty() {
        return Err(invalid("bestand", "Het bestand bevat geen regels."));
    }
    let count = labelled.len();
    add_all(app, actor, slug, labelled, None).await?;
    app.metrics.import(kind.api_name(), started);
    Ok(count)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Xlsx,
}

/// The progress report for a year, or the final accounts, as a file: (file name, bytes).
pub async fn report(
    app: &App,
    actor: &Actor,
    slug: &str,
    kind: docs::report::ReportKind,
    format: ReportFormat,
) -> Result<(String, Vec<u8>)> {
    let reg = app.current_regulation()?;
    let (ledger, list) = milestones(app, actor, slug).await?;
    actor.require(Action::ViewAllRecords { region_id: &ledger.region.id })?;
    let all = ledger.records();
    let today = today(app)?;
    let (approved, records, years) = match kind {
        docs::report::ReportKind::Progress(year) => {
            if !reg.years.contains(&year) {
                return Err(invalid("period", format!("{year} valt buiten de looptijd van de regeling.")));
            }
            let (a, r) = execution::for_year(&ledger.approved, &all, year);
            (a, r, vec![year])
        }
        // Depreciation of years not yet begun is no realised cost: the same years as the settlement.
        docs::report::ReportKind::Final => (ledger.approved.clone(), all, years_to_date(app)?),
    };
    let realisation = execution::realisation(reg, &approved, &records, (&years, today)).map_err(corrupt)?;
    let settlement = settle_ledger(app, actor, &ledger).await?;
    let annual = annual_note(app, &ledger).await?;
    let explanations = explanations(app, &ledger.region.id).await?;
    let rows: Vec<docs::report::MilestoneRow> = list
        .into_iter()
        .filter(|m| match kind {
            docs::report::ReportKind::Progress(year) => m.due.year() == year,
            docs::report::ReportKind::Final => true,
        })
        .map(|m| docs::report::MilestoneRow {
            activity: m.activity,
            title: m.title,
            due: m.due,
            state: m.state.label(),
            achieved_on: m.achieved_on,
            evidence: m.evidence,
        })
        .collect();
    let stem = match kind {
        docs::report::ReportKind::Progress(year) => format!("voortgangsrapportage-{}-{year}", ledger.region.slug),
        docs::report::ReportKind::Final => format!("eindverantwoording-{}", ledger.region.slug),
    };
    let obligation = reg.reports.iter().find(|o| match kind {
        docs::report::ReportKind::Progress(year) => o.year == Some(year),
        docs::report::ReportKind::Final => o.is_final(),
    });
    let plans = match obligation {
        Some(o) => {
            let mut conn = app.db.conn().await?;
            crate::plan_reports::rollup(&mut conn, &ledger.region.id, &o.id, (&approved, &realisation)).await?
        }
        None => Vec::new(),
    };
    let (reg, region) = (reg.clone(), ledger.region.name.clone());
    let bytes = crate::cpu::run(move || {
        let input = docs::report::ReportInput {
            reg: &reg,
            region: &region,
            kind,
            approved: &approved,
            records: &records,
            realisation: &realisation,
            years: &years,
            settlement: (kind == docs::report::ReportKind::Final).then_some(&settlement),
            annual: &annual,
            milestones: &rows,
            explanations: &explanations,
            made_on: today,
            plans: &plans,
        };
        match format {
            ReportFormat::Pdf => docs::report::report_pdf(&input).map_err(corrupt),
            ReportFormat::Xlsx => docs::report::report_xlsx(&input).map_err(corrupt),
        }
    })
    .await??;
    let extension = match format {
        ReportFormat::Pdf => "pdf",
        ReportFormat::Xlsx => "xlsx",
    };
    Ok((format!("{stem}.{extension}"), bytes))
}

/// A change notice as a PDF letter: (file name, bytes).
pub async fn notice_pdf(app: &App, actor: &Actor, slug: &str, id: &str) -> Result<(String, Vec<u8>)> {
    let (ledger, list) = notices(app, actor, slug).await?;
    let mut n = list.into_iter().find(|n| n.id == id).ok_or(ServiceError::NotFound)?;
    // A letter carries a date: an undated notice is dated the day its letter is made.
    n.notice.date = n.notice.date.or(Some(today(app)?));
    let name =
        format!("wijziging-{}-{}.pdf", ledger.region.slug, n.notice.date.map(|d| d.to_string()).unwrap_or_default());
    let reg = app.current_regulation()?.clone();
    let bytes = crate::cpu::run(move || {
        docs::report::change_notice_pdf(&reg, &ledger.region.name, &ledger.approved, &n.notice, &n.substantial)
            .map_err(corrupt)
    })
    .await??;
    Ok((name, bytes))
}
