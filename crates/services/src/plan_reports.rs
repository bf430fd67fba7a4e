//! Every approved school plan's own short report per report the region owes: the school writes
//! what was done, the results and the money spent; the region's report rolls them up. A plan's
//! report stays open while the region still owes that report, and is fixed once the region
//! submitted it (the region's frozen files hold it).

use domain::execution::Realisation;
use domain::regulation::ReportObligation;
use domain::regulation::application::Application;
use domain::reports::ReportState;
use domain::reports::plan::PlanReport;
use domain::school_plan::PlanState;
use domain::{Action, Actor};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;
use store::plan_reports::{self as repo, Fields, PlanReportRow};
use store::{AnyConnection, audit};

use crate::{App, Result, ServiceError, corrupt};

/// One of the region's reports as the plan's page shows it.
#[derive(Debug, Clone)]
pub struct PlanReportView {
    pub obligation: ReportObligation,
    pub report: Option<PlanReport>,
    /// 0 before the first save.
    pub revision: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<i64>,
    /// The actor may write it now.
    pub can_edit: bool,
    /// Why it cannot be written now, for everyone who may write it otherwise.
    pub closed: Option<String>,
}

fn report_of(row: &PlanReportRow) -> PlanReport {
    PlanReport { done: row.done.clone(), results: row.results.clone(), spent: Decimal::new(row.spent_cents, 2) }
}

/// Whether the region still owes `o` and its period has begun; else why the plan's report is fixed.
async fn open_for(
    app: &App,
    conn: &mut AnyConnection,
    region_id: &str,
    o: &ReportObligation,
) -> Result<Option<String>> {
    let state = match store::reports::get(conn, region_id, &o.id).await? {
        Some(r) => ReportState::parse(&r.state).ok_or_else(|| corrupt(&r.state))?,
        None => ReportState::Open,
    };
    if !state.owed() {
        return Ok(Some(format!("De regio heeft de {} ingediend: dit verslag ligt vast.", o.label.to_lowercase())));
    }
    let started = o.year.is_none_or(|y| app.today().is_ok_and(|t| t.year() >= y));
    Ok((!started).then(|| format!("Het verslag over {} kan pas als dat jaar begonnen is.", o.year.unwrap_or_default())))
}

fn writes(actor: &Actor, plan: &store::school_plans::PlanRow) -> bool {
    actor.permits(Action::WriteSchoolPlan {
        region_id: &plan.region_id,
        author_id: Some(&plan.author_id),
        organisation_id: Some(&plan.organisation_id),
    })
}

/// The plan's reports, one per report of the regulation; empty until the plan is approved and
/// the region owes reports.
pub async fn of_plan(app: &App, actor: &Actor, plan_id: &str) -> Result<Vec<PlanReportView>> {
    let view = crate::school_plans::get(app, actor, plan_id).await?;
    let mut conn = app.db.conn().await?;
    if view.state != PlanState::Goedgekeurd
        || crate::assessments::decisions::latest_grant(&mut conn, &view.row.region_id).await?.is_none()
    {
        return Ok(Vec::new());
    }
    let rows = repo::of_plan(&mut conn, plan_id).await?;
    let mut out = Vec::new();
    for o in &app.current_regulation()?.reports {
        let row = rows.iter().find(|r| r.obligation == o.id);
        let closed = open_for(app, &mut conn, &view.row.region_id, o).await?;
        out.push(PlanReportView {
            can_edit: closed.is_none() && writes(actor, &view.row),
            report: row.map(report_of),
            revision: row.map_or(0, |r| r.revision),
            updated_by: row.and_then(|r| r.updated_by_name.clone()),
            updated_at: row.map(|r| r.updated_at),
            obligation: o.clone(),
            closed,
        });
    }
    Ok(out)
}

/// Saves the plan's report for `obligation` at `revision` (0: the first).
pub async fn save(
    app: &App,
    actor: &Actor,
    (plan_id, obligation, revision): (&str, &str, i64),
    report: &PlanReport,
) -> Result<()> {
    let o = app.current_regulation()?.report(obligation).ok_or(ServiceError::NotFound)?.clone();
    let view = crate::school_plans::get(app, actor, plan_id).await?;
    if !writes(actor, &view.row) {
        return Err(ServiceError::Denied(domain::Denied::Forbidden));
    }
    let mut tx = app.db.begin().await?;
    if view.state != PlanState::Goedgekeurd
        || crate::assessments::decisions::latest_grant(&mut tx, &view.row.region_id).await?.is_none()
    {
        return Err(ServiceError::NotAllowed("Alleen een goedgekeurd deelplan heeft een verslag.".into()));
    }
    if let Some(why) = open_for(app, &mut tx, &view.row.region_id, &o).await? {
        return Err(ServiceError::NotAllowed(why));
    }
    report.validate().into_result(())?;
    let spent_cents = (report.spent * Decimal::ONE_HUNDRED).round().to_i64().ok_or_else(|| corrupt("amount"))?;
    let fields = Fields { done: report.done.trim(), results: report.results.trim(), spent_cents };
    let user = actor.user_id.as_deref();
    repo::save(&mut tx, (plan_id, obligation, revision), &fields, user).await?;
    let detail = json!({ "report": obligation, "spent": report.spent.to_string() });
    audit::append(&mut tx, user, "school_plan.report", "school_plan", plan_id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The region's school plans' reports for `obligation`, each beside the plan's approved budget
/// and what the region's records hold for its activities.
pub(crate) async fn rollup(
    conn: &mut AnyConnection,
    region_id: &str,
    obligation: &str,
    (approved, realisation): (&Application, &Realisation),
) -> Result<Vec<docs::report::PlanReportRow>> {
    let members = store::regions::members(conn, region_id).await?;
    let mut out = Vec::new();
    for row in repo::of_region(conn, region_id, obligation).await? {
        let Some(plan) = store::school_plans::get(conn, &row.plan_id).await? else { continue };
        let content: domain::school_plan::SchoolPlan = serde_json::from_str(&plan.content).map_err(corrupt)?;
        let activities: Vec<&str> = approved
            .activities
            .iter()
            .filter(|a| a.school_plan.as_deref() == Some(row.plan_id.as_str()))
            .map(|a| a.id.as_str())
            .collect();
        let against = |f: fn(&domain::execution::Against) -> Decimal| -> Decimal {
            activities.iter().filter_map(|a| realisation.per_activity.get(*a)).map(f).sum()
        };
        out.push(docs::report::PlanReportRow {
            title: content.title,
            school: members.iter().find(|m| m.id == plan.organisation_id).map_or_else(String::new, |m| m.name.clone()),
            done: row.done,
            results: row.results,
            spent: Decimal::new(row.spent_cents, 2),
            budgeted: against(|a| a.approved),
            recorded: against(|a| a.realised),
        });
    }
    Ok(out)
}
