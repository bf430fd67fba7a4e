//! Change requests and their steps.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::steps::History;
use crate::{Result, StoreError, new_id, now_ms, unique};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRequestRow {
    pub id: String,
    pub application_id: String,
    pub region_id: String,
    pub phase: String,
    pub number: i64,
    pub state: String,
    pub description: String,
    pub basis: String,
    pub content: Option<String>,
    pub sha256: Option<String>,
    pub reasons: String,
    pub revision: i64,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub holds_from: Option<i64>,
}

const SELECT: &str = "SELECT c.id, c.application_id, c.region_id, a.phase, c.number, c.state, c.description, c.basis, \
     c.content, c.sha256, c.reasons, c.revision, u.name AS created_by_name, c.created_at, c.holds_from \
     FROM change_requests c JOIN applications a ON a.id = c.application_id LEFT JOIN users u ON u.id = c.created_by";

fn from_row(r: &AnyRow) -> Result<ChangeRequestRow> {
    Ok(ChangeRequestRow {
        id: r.try_get("id")?,
        application_id: r.try_get("application_id")?,
        region_id: r.try_get("region_id")?,
        phase: r.try_get("phase")?,
        number: r.try_get("number")?,
        state: r.try_get("state")?,
        description: r.try_get("description")?,
        basis: r.try_get("basis")?,
        content: r.try_get("content")?,
        sha256: r.try_get("sha256")?,
        reasons: r.try_get("reasons")?,
        revision: r.try_get("revision")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
        holds_from: r.try_get("holds_from")?,
    })
}

/// The region's requests, newest first.
pub async fn of_region(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<ChangeRequestRow>> {
    let sql = format!("{SELECT} WHERE c.region_id = $1 ORDER BY c.number DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Every request in the given states, oldest first (the funder's work list).
pub async fn in_states(conn: &mut AnyConnection, states: &[&str]) -> Result<Vec<ChangeRequestRow>> {
    let marks: Vec<String> = (1..=states.len()).map(|i| format!("${i}")).collect();
    let sql = format!("{SELECT} WHERE c.state IN ({}) ORDER BY c.created_at, c.id", marks.join(", "));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for s in states {
        query = query.bind(*s);
    }
    query.fetch_all(conn).await?.iter().map(from_row).collect()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<ChangeRequestRow>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The application's request in the works (concept, ingediend or teruggestuurd), if any.
pub async fn open_of(conn: &mut AnyConnection, application_id: &str) -> Result<Option<ChangeRequestRow>> {
    let sql = format!("{SELECT} WHERE c.application_id = $1 AND c.state IN ('concept', 'ingediend', 'teruggestuurd')");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(application_id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The application's latest request that holds (gemeld or goedgekeurd), if any.
pub async fn holding_of(conn: &mut AnyConnection, application_id: &str) -> Result<Option<ChangeRequestRow>> {
    let sql = format!(
        "{SELECT} WHERE c.application_id = $1 AND c.holds_from IS NOT NULL ORDER BY c.holds_from DESC, c.number DESC \
         LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(application_id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Starts a request in `concept` with the next number of the region; `Duplicate` when the
/// application has one in the works already (or two started at once).
pub async fn insert(
    conn: &mut AnyConnection,
    (application_id, region_id): (&str, &str),
    description: &str,
    basis: &str,
    by: Option<&str>,
) -> Result<(String, i64)> {
    let id = new_id();
    let number: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(number), 0) + 1 AS BIGINT) FROM change_requests WHERE region_id = $1",
    )
    .bind(region_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO change_requests (id, application_id, region_id, number, state, description, basis, created_by, \
         created_at) VALUES ($1, $2, $3, $4, 'concept', $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(application_id)
    .bind(region_id)
    .bind(number)
    .bind(description)
    .bind(basis)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(unique)?;
    Ok((id, number))
}

/// The description, while the request is still at `revision` (else `Conflict`).
pub async fn describe(conn: &mut AnyConnection, (id, revision): (&str, i64), description: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE change_requests SET description = $3, revision = revision + 1 WHERE id = $1 AND revision = $2",
    )
    .bind(id)
    .bind(revision)
    .bind(description)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 { Err(StoreError::Conflict) } else { Ok(()) }
}

/// What a step changes besides the state.
#[derive(Debug, Default)]
pub struct Moved<'a> {
    /// The proposal frozen by a submission: (content, SHA-256, reasons as JSON).
    pub frozen: Option<(&'a str, &'a str, &'a str)>,
    /// The request holds from now on.
    pub holds: bool,
}

/// Moves the request still at `revision` from `from` to `to` and records the step; `Conflict`
/// when someone moved or changed it since.
pub async fn step(
    conn: &mut AnyConnection,
    (id, revision): (&str, i64),
    (from, to): (&str, &str),
    moved: Moved<'_>,
    (comment, by): (&str, Option<&str>),
) -> Result<()> {
    let now = now_ms();
    let f = moved.frozen;
    let done = sqlx::query(
        "UPDATE change_requests SET state = $4, content = COALESCE($5, content), sha256 = COALESCE($6, sha256), \
         reasons = COALESCE($7, reasons), holds_from = $8, revision = revision + 1 \
         WHERE id = $1 AND revision = $2 AND state = $3",
    )
    .bind(id)
    .bind(revision)
    .bind(from)
    .bind(to)
    .bind(f.map(|f| f.0))
    .bind(f.map(|f| f.1))
    .bind(f.map(|f| f.2))
    .bind(moved.holds.then_some(now))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    crate::steps::record(conn, (History::ChangeRequest, id), (from, to), (comment, by), now).await
}

/// A step taken, with who took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
    pub by_name: Option<String>,
    pub at: i64,
}

pub async fn steps(conn: &mut AnyConnection, id: &str) -> Result<Vec<StepRow>> {
    let rows = sqlx::query(
        "SELECT s.from_state, s.to_state, s.comment, u.name AS by_name, s.at FROM change_request_steps s \
         LEFT JOIN users u ON u.id = s.by_user WHERE s.change_request_id = $1 ORDER BY s.at, s.id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StepRow {
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                comment: r.try_get("comment")?,
                by_name: r.try_get("by_name")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// Requests in the works per application id (for the portfolio).
pub async fn open_per_application(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT application_id, CAST(COUNT(*) AS BIGINT) AS n FROM change_requests \
         WHERE state IN ('concept', 'ingediend', 'teruggestuurd') GROUP BY application_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("application_id")?, r.try_get("n")?))).collect()
}
