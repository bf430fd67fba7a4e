//! Reports as obligations: the reports the regulation asks of every region a decision granted
//! subsidy, with their due dates; a submission freezes the report (its PDF and workbook, stored
//! by hash, and its figures, with a hash over all three); the funder accepts it or asks for more;
//! reminders before and after the date until it is submitted.

use std::collections::BTreeMap;

use docs::report::ReportKind;
use domain::regulation::ReportObligation;
use domain::reports::{self as rules, ReportState, Timeliness};
use domain::{Action, Actor, Region, Role};
use serde_json::json;
use store::reports::{self as repo, NewSubmission, ReportRow};
pub use store::reports::{StepRow, SubmissionRow};
use store::{AnyConnection, audit, users};

use crate::assessments::decisions::latest_grant;
use crate::execution::ReportFormat;
use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError, corrupt, live_region};

/// One report the region owes, where it stands and what the actor may do with it.
#[derive(Debug, Clone)]
pub struct ObligationView {
    pub obligation: ReportObligation,
    pub state: ReportState,
    pub timeliness: Timeliness,
    pub revision: i64,
    pub submissions: Vec<SubmissionRow>,
    pub steps: Vec<StepRow>,
    /// Where the actor may move it.
    pub next: Vec<ReportState>,
    /// A progress report is submitted once its year is over: from this day (`None`: now).
    pub opens: Option<jiff::civil::Date>,
}

fn state_of(row: Option<&ReportRow>) -> Result<ReportState> {
    match row {
        Some(r) => ReportState::parse(&r.state).ok_or_else(|| corrupt(&r.state)),
        None => Ok(ReportState::Open),
    }
}

fn kind_of(o: &ReportObligation) -> ReportKind {
    o.year.map_or(ReportKind::Final, ReportKind::Progress)
}

/// The region's reports (empty before a decision granted subsidy), in the regulation's order.
pub async fn list(app: &App, actor: &Actor, slug: &str) -> Result<(Region, Vec<ObligationView>)> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    actor.require(Action::ViewAllRecords { region_id: &region.id })?;
    if latest_grant(&mut conn, &region.id).await?.is_none() {
        return Ok((region, Vec::new()));
    }
    let rows = repo::of_region(&mut conn, &region.id).await?;
    let today = app.today()?;
    let mut out = Vec::new();
    for o in &app.current_regulation()?.reports {
        let row = rows.iter().find(|r| r.obligation == o.id);
        let state = state_of(row)?;
        let (submissions, steps) = match row {
            Some(r) => (repo::submissions(&mut conn, &r.id).await?, repo::steps(&mut conn, &r.id).await?),
            None => (Vec::new(), Vec::new()),
        };
        let opens = rules::opens(o.year).filter(|d| today < *d);
        let next = rules::available(actor, &region.id, state).into_iter().map(|t| t.to);
        out.push(ObligationView {
            timeliness: rules::timeliness(state, o.due, today),
            next: next.filter(|to| *to != ReportState::Ingediend || opens.is_none()).collect(),
            opens,
            revision: row.map_or(0, |r| r.revision),
            obligation: o.clone(),
            state,
            submissions,
            steps,
        });
    }
    Ok((region, out))
}

/// Reports past their date and not submitted, per region id, for regions that owe reports (a
/// decision granted them subsidy: the portfolio knows which).
pub(crate) async fn overdue_per_region(
    app: &App,
    conn: &mut AnyConnection,
    owing: &[&str],
) -> Result<BTreeMap<String, usize>> {
    let today = app.today()?;
    let rows = repo::all(conn).await?;
    let mut out = BTreeMap::new();
    for region_id in owing {
        let mut n = 0;
        for o in &app.current_regulation()?.reports {
            let row = rows.iter().find(|r| r.region_id == *region_id && r.obligation == o.id);
            if rules::timeliness(state_of(row)?, o.due, today) == Timeliness::Overdue {
                n += 1;
            }
        }
        out.insert((*region_id).to_owned(), n);
    }
    Ok(out)
}

fn obligation<'a>(app: &'a App, id: &str) -> Result<&'a ReportObligation> {
    app.current_regulation()?.report(id).ok_or(ServiceError::NotFound)
}

fn transition_error(e: rules::TransitionError) -> ServiceError {
    use rules::TransitionError as E;
    match e {
        E::Forbidden { .. } => ServiceError::Denied(domain::Denied::Forbidden),
        E::CommentRequired | E::TooLong => crate::invalid("comment", e.to_string()),
        E::NotAllowed { .. } => ServiceError::NotAllowed(e.to_string()),
    }
}

/// Submits the report as it stands today: its PDF and workbook made now and stored by hash,
/// its figures, and the SHA-256 over all three. `revision` must still be the report's.
pub async fn submit(app: &App, actor: &Actor, slug: &str, (id, revision): (&str, i64)) -> Result<i64> {
    let o = obligation(app, id)?;
    let (region, from) = {
        let mut conn = app.db.conn().await?;
        let region = live_region(&mut conn, slug).await?;
        if latest_grant(&mut conn, &region.id).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        let from = state_of(repo::get(&mut conn, &region.id, id).await?.as_ref())?;
        (region, from)
    };
    rules::transition(actor, &region.id, (from, ReportState::Ingediend), "").map_err(transition_error)?;
    if let Some(day) = rules::opens(o.year).filter(|d| app.today().is_ok_and(|t| t < *d)) {
        return Err(ServiceError::NotAllowed(format!(
            "De {} kan pas worden ingediend vanaf {}, als het jaar voorbij is.",
            o.label.to_lowercase(),
            domain::fmt::date_nl(day)
        )));
    }
    let (_, pdf) = crate::execution::report(app, actor, slug, kind_of(o), ReportFormat::Pdf).await?;
    let (_, xlsx) = crate::execution::report(app, actor, slug, kind_of(o), ReportFormat::Xlsx).await?;
    let (_, settlement) = crate::execution::settlement(app, actor, slug).await?;
    let figures = json!({
        "subsidiabel_gerealiseerd": settlement.realised_eligible.to_string(),
        "ten_laste_van_subsidie": settlement.realised_subsidy.to_string(),
        "cofinanciering": settlement.cofinancing.to_string(),
        "vast_te_stellen": settlement.settled.to_string(),
        "ontvangen": settlement.received.to_string(),
        // The results the region reports itself for the years this report covers: frozen here,
        // and locked from now on.
        "eigen_resultaten": crate::reported::locked_by(app, &region.id, id).await?,
    })
    .to_string();
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let mut tx = app.db.begin().await?;
    // A report without a row yet is at revision 0; its row is made now.
    let existing = repo::get(&mut tx, &region.id, id).await?;
    if existing.as_ref().map_or(0, |r| r.revision) != revision {
        return Err(ServiceError::Conflict);
    }
    let row = match existing {
        Some(r) => r,
        None => repo::ensure(&mut tx, &region.id, id).await?,
    };
    let pdf_sha256 = crate::files::put(&mut tx, &pdf).await?;
    let xlsx_sha256 = crate::files::put(&mut tx, &xlsx).await?;
    let sha256 = crate::auth::sha256_hex(&format!("{pdf_sha256}\n{xlsx_sha256}\n{figures}"));
    let s = NewSubmission {
        pdf_sha256: &pdf_sha256,
        xlsx_sha256: &xlsx_sha256,
        figures: &figures,
        sha256: &sha256,
        by: user,
    };
    let number = repo::insert_submission(&mut tx, &row.id, &s).await?;
    repo::step(&mut tx, (&row.id, row.revision), (from.code(), ReportState::Ingediend.code()), ("", Some(user)))
        .await?;
    let detail = json!({ "report": id, "number": number, "sha256": sha256 });
    audit::append(&mut tx, Some(user), "report.submit", "region", &region.id, &detail).await?;
    let assessors = users::holding_nationally(&mut tx, Role::Assessor).await?;
    let letter = mail::Letter {
        kind: "report.submitted",
        subject: format!("{} ingediend: {}", o.label, region.name),
        body: format!("{} heeft de {} ingediend (indiening {number}).", region.name, o.label.to_lowercase()),
        path: format!("/regio/{}/verantwoording#rapportage-{id}", region.slug),
    };
    mail::queue_to(app, &mut tx, &assessors, &letter).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(number)
}

/// The funder's answer: accepted, or more asked with a comment.
pub async fn answer(
    app: &App,
    actor: &Actor,
    slug: &str,
    (id, revision): (&str, i64),
    to: ReportState,
    comment: &str,
) -> Result<()> {
    let o = obligation(app, id)?;
    let mut tx = app.db.begin().await?;
    let region = live_region(&mut tx, slug).await?;
    let row = repo::get(&mut tx, &region.id, id).await?.ok_or(ServiceError::NotFound)?;
    let from = state_of(Some(&row))?;
    rules::transition(actor, &region.id, (from, to), comment).map_err(transition_error)?;
    crate::assessments::require_no_conflict_in_region(&mut tx, &region.id, actor).await?;
    if to == ReportState::Ingediend {
        return Err(ServiceError::NotAllowed("Indienen doet de regio met de knop Indienen.".into()));
    }
    let user = actor.user_id.as_deref();
    repo::step(&mut tx, (&row.id, revision), (from.code(), to.code()), (comment.trim(), user)).await?;
    audit::append(&mut tx, user, "report.answer", "region", &region.id, &json!({ "report": id, "to": to.code() }))
        .await?;
    let why = if comment.trim().is_empty() {
        String::new()
    } else {
        format!("\n\nToelichting van DUS-I:\n{}", comment.trim())
    };
    let letter = mail::Letter {
        kind: "report.answered",
        subject: format!("{}: {}", o.label, to.label().to_lowercase()),
        body: format!(
            "DUS-I heeft de {} van {}: {}.{why}",
            o.label.to_lowercase(),
            region.name,
            to.label().to_lowercase()
        ),
        path: format!("/regio/{}/verantwoording#rapportage-{id}", region.slug),
    };
    let recipients = crate::assessments::region_recipients(&mut tx, &region.id).await?;
    mail::queue_to(app, &mut tx, &recipients, &letter).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(())
}

/// A submitted report's frozen file: (file name, bytes).
pub async fn file(
    app: &App,
    actor: &Actor,
    slug: &str,
    (id, number): (&str, i64),
    format: ReportFormat,
) -> Result<(String, Vec<u8>)> {
    let mut conn = app.db.conn().await?;
    let region = live_region(&mut conn, slug).await?;
    actor.require(Action::ViewAllRecords { region_id: &region.id })?;
    let row = repo::get(&mut conn, &region.id, id).await?.ok_or(ServiceError::NotFound)?;
    let s = repo::submissions(&mut conn, &row.id)
        .await?
        .into_iter()
        .find(|s| s.number == number)
        .ok_or(ServiceError::NotFound)?;
    let (sha, extension) = match format {
        ReportFormat::Pdf => (s.pdf_sha256, "pdf"),
        ReportFormat::Xlsx => (s.xlsx_sha256, "xlsx"),
    };
    let bytes = crate::files::get(&mut conn, &sha).await?;
    Ok((format!("{id}-{}-indiening-{number}.{extension}", region.slug), bytes))
}

/// Queues the reminders due today for reports still owed, to each region's managers and lead
/// applicants, once per report, lead time and person; returns how many were new.
pub(crate) async fn remind(app: &App, conn: &mut AnyConnection) -> Result<usize> {
    let reg = app.current_regulation()?;
    let today = app.today()?;
    let leads: Vec<i64> = match reg.list_at("report-reminder-days", today) {
        Ok((list, _)) => list.iter().filter_map(|d| d.trim().parse().ok()).collect(),
        Err(_) => return Ok(0),
    };
    let rows = repo::all(conn).await?;
    let mut queued = 0;
    for region in store::regions::list(conn, false).await? {
        if latest_grant(conn, &region.id).await?.is_none() {
            continue;
        }
        for o in &reg.reports {
            let row = rows.iter().find(|r| r.region_id == region.id && r.obligation == o.id);
            let Some(lead) = rules::reminder(state_of(row)?, o.due, today, &leads) else { continue };
            let due = domain::fmt::date_nl(o.due);
            let (subject, body) = if lead >= 0 {
                (
                    format!("Herinnering: {} uiterlijk {due}", o.label),
                    format!("De {} van {} moet uiterlijk {due} bij DUS-I zijn.", o.label.to_lowercase(), region.name),
                )
            } else {
                (
                    format!("Te laat: {} (uiterlijk {due})", o.label),
                    format!(
                        "De {} van {} had uiterlijk {due} bij DUS-I moeten zijn en is nog niet ingediend.",
                        o.label.to_lowercase(),
                        region.name
                    ),
                )
            };
            for (user_id, email, _) in crate::assessments::region_recipients(conn, &region.id).await? {
                let mail = Mail {
                    user_id: Some(&user_id),
                    to: &email,
                    kind: "report.reminder",
                    subject: subject.clone(),
                    body: format!("{body}\n\nBron van de datum: {}", reg.cite(&o.source).text),
                    path: format!("/regio/{}/verantwoording#rapportage-{}", region.slug, o.id),
                    dedup_key: Some(format!("report:{}:{}:{lead}:{}:{user_id}", reg.id, o.id, region.id)),
                };
                if mail::queue(app, conn, &mail).await? {
                    queued += 1;
                }
            }
        }
    }
    Ok(queued)
}
