//! Reports the regions owe the funder: their state, frozen submissions and steps.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::steps::History;
use crate::{Result, StoreError, new_id, now_ms, unique};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: String,
    pub region_id: String,
    pub obligation: String,
    pub state: String,
    pub revision: i64,
}

fn report(r: &AnyRow) -> Result<ReportRow> {
    Ok(ReportRow {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        obligation: r.try_get("obligation")?,
        state: r.try_get("state")?,
        revision: r.try_get("revision")?,
    })
}

const REPORTS: &str = "SELECT id, region_id, obligation, state, revision FROM reports";

pub async fn of_region(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<ReportRow>> {
    let sql = format!("{REPORTS} WHERE region_id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?.iter().map(report).collect()
}

/// Every region's reports (for the reminders and the portfolio).
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<ReportRow>> {
    sqlx::query(REPORTS).fetch_all(conn).await?.iter().map(report).collect()
}

pub async fn get(conn: &mut AnyConnection, region_id: &str, obligation: &str) -> Result<Option<ReportRow>> {
    let sql = format!("{REPORTS} WHERE region_id = $1 AND obligation = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).bind(obligation).fetch_optional(conn).await?;
    row.as_ref().map(report).transpose()
}

/// The report's row, made in state `open` when it has none yet (a row made at the same moment
/// elsewhere is read back; the insert never aborts the transaction).
pub async fn ensure(conn: &mut AnyConnection, region_id: &str, obligation: &str) -> Result<ReportRow> {
    sqlx::query(
        "INSERT INTO reports (id, region_id, obligation, state) VALUES ($1, $2, $3, 'open') \
         ON CONFLICT (region_id, obligation) DO NOTHING",
    )
    .bind(new_id())
    .bind(region_id)
    .bind(obligation)
    .execute(&mut *conn)
    .await?;
    get(conn, region_id, obligation).await?.ok_or(StoreError::NotFound)
}

/// Moves the report still at `revision` from `from` to `to` with the step; `Conflict` otherwise.
pub async fn step(
    conn: &mut AnyConnection,
    (id, revision): (&str, i64),
    (from, to): (&str, &str),
    (comment, by): (&str, Option<&str>),
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE reports SET state = $4, revision = revision + 1 WHERE id = $1 AND revision = $2 AND state = $3",
    )
    .bind(id)
    .bind(revision)
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    crate::steps::record(conn, (History::Report, id), (from, to), (comment, by), now_ms()).await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    pub number: i64,
    pub pdf_sha256: String,
    pub xlsx_sha256: String,
    pub figures: String,
    pub sha256: String,
    pub submitted_by_name: String,
    pub submitted_at: i64,
}

/// A frozen submission: its files (stored by hash), figures and the hash over them.
pub struct NewSubmission<'a> {
    pub pdf_sha256: &'a str,
    pub xlsx_sha256: &'a str,
    pub figures: &'a str,
    pub sha256: &'a str,
    pub by: &'a str,
}

/// Adds the next submission of the report; returns its number.
pub async fn insert_submission(conn: &mut AnyConnection, report_id: &str, s: &NewSubmission<'_>) -> Result<i64> {
    let number: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(number), 0) + 1 AS BIGINT) FROM report_submissions WHERE report_id = $1",
    )
    .bind(report_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO report_submissions (id, report_id, number, pdf_sha256, xlsx_sha256, figures, sha256, submitted_by, \
         submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(report_id)
    .bind(number)
    .bind(s.pdf_sha256)
    .bind(s.xlsx_sha256)
    .bind(s.figures)
    .bind(s.sha256)
    .bind(s.by)
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(unique)?;
    Ok(number)
}

pub async fn submissions(conn: &mut AnyConnection, report_id: &str) -> Result<Vec<SubmissionRow>> {
    let rows = sqlx::query(
        "SELECT s.number, s.pdf_sha256, s.xlsx_sha256, s.figures, s.sha256, u.name AS submitted_by_name, s.submitted_at \
         FROM report_submissions s JOIN users u ON u.id = s.submitted_by WHERE s.report_id = $1 ORDER BY s.number",
    )
    .bind(report_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SubmissionRow {
                number: r.try_get("number")?,
                pdf_sha256: r.try_get("pdf_sha256")?,
                xlsx_sha256: r.try_get("xlsx_sha256")?,
                figures: r.try_get("figures")?,
                sha256: r.try_get("sha256")?,
                submitted_by_name: r.try_get("submitted_by_name")?,
                submitted_at: r.try_get("submitted_at")?,
            })
        })
        .collect()
}

/// A step taken, with who took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub to_state: String,
    pub comment: String,
    pub by_name: Option<String>,
    pub at: i64,
}

pub async fn steps(conn: &mut AnyConnection, report_id: &str) -> Result<Vec<StepRow>> {
    let rows = sqlx::query(
        "SELECT s.to_state, s.comment, u.name AS by_name, s.at FROM report_steps s LEFT JOIN users u ON u.id = s.by_user \
         WHERE s.report_id = $1 ORDER BY s.at, s.id",
    )
    .bind(report_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StepRow {
                to_state: r.try_get("to_state")?,
                comment: r.try_get("comment")?,
                by_name: r.try_get("by_name")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}
