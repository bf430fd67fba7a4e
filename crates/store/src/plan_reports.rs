//! School plans' own reports, per plan and region report.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms, unique};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanReportRow {
    pub plan_id: String,
    pub obligation: String,
    pub done: String,
    pub results: String,
    pub spent_cents: i64,
    pub revision: i64,
    pub updated_by_name: Option<String>,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT r.plan_id, r.obligation, r.done, r.results, r.spent_cents, r.revision, \
     u.name AS updated_by_name, r.updated_at FROM school_plan_reports r LEFT JOIN users u ON u.id = r.updated_by";

fn from_row(r: &AnyRow) -> Result<PlanReportRow> {
    Ok(PlanReportRow {
        plan_id: r.try_get("plan_id")?,
        obligation: r.try_get("obligation")?,
        done: r.try_get("done")?,
        results: r.try_get("results")?,
        spent_cents: r.try_get("spent_cents")?,
        revision: r.try_get("revision")?,
        updated_by_name: r.try_get("updated_by_name")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn of_plan(conn: &mut AnyConnection, plan_id: &str) -> Result<Vec<PlanReportRow>> {
    let sql = format!("{SELECT} WHERE r.plan_id = $1 ORDER BY r.obligation");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan_id).fetch_all(conn).await?.iter().map(from_row).collect()
}

/// Every plan report of the region for one of its reports.
pub async fn of_region(conn: &mut AnyConnection, region_id: &str, obligation: &str) -> Result<Vec<PlanReportRow>> {
    let sql = format!(
        "{SELECT} JOIN school_plans p ON p.id = r.plan_id WHERE p.region_id = $1 AND r.obligation = $2 ORDER BY p.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).bind(obligation).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// What is saved.
pub struct Fields<'a> {
    pub done: &'a str,
    pub results: &'a str,
    pub spent_cents: i64,
}

/// Writes the plan's report for `obligation` when it is still at `revision` (0: none yet);
/// `Conflict` otherwise.
pub async fn save(
    conn: &mut AnyConnection,
    (plan_id, obligation, revision): (&str, &str, i64),
    f: &Fields<'_>,
    by: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    if revision == 0 {
        sqlx::query(
            "INSERT INTO school_plan_reports (id, plan_id, obligation, done, results, spent_cents, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(plan_id)
        .bind(obligation)
        .bind(f.done)
        .bind(f.results)
        .bind(f.spent_cents)
        .bind(by)
        .bind(now)
        .execute(conn)
        .await
        .map_err(|e| match unique(e) {
            StoreError::Duplicate => StoreError::Conflict,
            e => e,
        })?;
        return Ok(());
    }
    let done = sqlx::query(
        "UPDATE school_plan_reports SET done = $4, results = $5, spent_cents = $6, updated_by = $7, updated_at = $8, \
         revision = revision + 1 WHERE plan_id = $1 AND obligation = $2 AND revision = $3",
    )
    .bind(plan_id)
    .bind(obligation)
    .bind(revision)
    .bind(f.done)
    .bind(f.results)
    .bind(f.spent_cents)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 { Err(StoreError::Conflict) } else { Ok(()) }
}
