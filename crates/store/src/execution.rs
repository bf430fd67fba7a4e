//! What a region records while it runs its plan: one row per hour entry, invoice, asset or
//! contribution (the domain record as JSON), milestone progress and change notices.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

/// One recorded row; `content` is the domain record as JSON.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: String,
    pub kind: String,
    pub organisation_id: String,
    pub activity: String,
    pub day: String,
    pub content: String,
    pub document_sha256: Option<String>,
    pub document_name: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: i64,
}

pub struct NewRecord<'a> {
    pub kind: &'a str,
    pub organisation_id: &'a str,
    pub activity: &'a str,
    pub day: &'a str,
    pub content: String,
    /// An attached document: (SHA-256, file name).
    pub document: Option<(&'a str, &'a str)>,
}

/// Rows per INSERT statement when many are written at once: sqlx matches every numbered parameter
/// by name (quadratic in the parameters of one statement), so statements stay small.
const BATCH: usize = 16;

/// Writes `records` for the region in the caller's transaction, in batches; returns their ids.
pub async fn insert(
    conn: &mut AnyConnection,
    region_id: &str,
    by: Option<&str>,
    records: &[NewRecord<'_>],
) -> Result<Vec<String>> {
    let now = now_ms();
    let mut ids = Vec::with_capacity(records.len());
    for chunk in records.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO execution_records (id, region_id, kind, organisation_id, activity, day, content, \
             document_sha256, document_name, created_by, created_at) VALUES {}",
            crate::placeholders(chunk.len(), 11)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            let id = new_id();
            q = q
                .bind(id.clone())
                .bind(region_id.to_owned())
                .bind(r.kind.to_owned())
                .bind(r.organisation_id.to_owned())
                .bind(r.activity.to_owned())
                .bind(r.day.to_owned())
                .bind(r.content.clone())
                .bind(r.document.map(|d| d.0.to_owned()))
                .bind(r.document.map(|d| d.1.to_owned()))
                .bind(by.map(str::to_owned))
                .bind(now);
            ids.push(id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(ids)
}

fn from_row(r: &AnyRow) -> Result<RecordRow> {
    Ok(RecordRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        organisation_id: r.try_get("organisation_id")?,
        activity: r.try_get("activity")?,
        day: r.try_get("day")?,
        content: r.try_get("content")?,
        document_sha256: r.try_get("document_sha256")?,
        document_name: r.try_get("document_name")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The region's records, by day then entry; with `kind` only those.
pub async fn records(conn: &mut AnyConnection, region_id: &str, kind: Option<&str>) -> Result<Vec<RecordRow>> {
    let rows = sqlx::query(
        "SELECT e.id, e.kind, e.organisation_id, e.activity, e.day, e.content, e.document_sha256, e.document_name, \
         u.name AS created_by_name, e.created_at FROM execution_records e LEFT JOIN users u ON u.id = e.created_by \
         WHERE e.region_id = $1 AND ($2 = '' OR e.kind = $2) ORDER BY e.day, e.id",
    )
    .bind(region_id)
    .bind(kind.unwrap_or(""))
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn record(conn: &mut AnyConnection, region_id: &str, id: &str) -> Result<Option<RecordRow>> {
    let row = sqlx::query(
        "SELECT e.id, e.kind, e.organisation_id, e.activity, e.day, e.content, e.document_sha256, e.document_name, \
         u.name AS created_by_name, e.created_at FROM execution_records e LEFT JOIN users u ON u.id = e.created_by \
         WHERE e.region_id = $1 AND e.id = $2",
    )
    .bind(region_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn delete(conn: &mut AnyConnection, region_id: &str, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM execution_records WHERE region_id = $1 AND id = $2")
        .bind(region_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub activity: String,
    pub title: String,
    pub achieved_on: Option<String>,
    pub evidence: String,
}

pub async fn progress(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<Progress>> {
    let rows = sqlx::query(
        "SELECT activity, title, achieved_on, evidence FROM milestone_progress WHERE region_id = $1 ORDER BY activity, title",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Progress {
                activity: r.try_get("activity")?,
                title: r.try_get("title")?,
                achieved_on: r.try_get("achieved_on")?,
                evidence: r.try_get("evidence")?,
            })
        })
        .collect()
}

pub async fn set_progress(conn: &mut AnyConnection, region_id: &str, p: &Progress, by: Option<&str>) -> Result<()> {
    sqlx::query(
        "INSERT INTO milestone_progress (region_id, activity, title, achieved_on, evidence, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (region_id, activity, title) DO UPDATE SET \
         achieved_on = excluded.achieved_on, evidence = excluded.evidence, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(region_id)
    .bind(&p.activity)
    .bind(&p.title)
    .bind(&p.achieved_on)
    .bind(&p.evidence)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NoticeRow {
    pub id: String,
    pub content: String,
    pub created_by_name: Option<String>,
    pub created_at: i64,
}

pub async fn notices(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<NoticeRow>> {
    let rows = sqlx::query(
        "SELECT n.id, n.content, u.name AS created_by_name, n.created_at FROM change_notices n \
         LEFT JOIN users u ON u.id = n.created_by WHERE n.region_id = $1 ORDER BY n.created_at DESC, n.id DESC",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoticeRow {
                id: r.try_get("id")?,
                content: r.try_get("content")?,
                created_by_name: r.try_get("created_by_name")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The region's explanations per activity: (activity id, text), ordered by activity.
pub async fn explanations(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<(String, String)>> {
    let rows =
        sqlx::query("SELECT activity, explanation FROM activity_explanations WHERE region_id = $1 ORDER BY activity")
            .bind(region_id)
            .fetch_all(conn)
            .await?;
    rows.iter().map(|r| Ok((r.try_get("activity")?, r.try_get("explanation")?))).collect()
}

/// Sets the explanation of one activity; an empty text removes it.
pub async fn set_explanation(
    conn: &mut AnyConnection,
    region_id: &str,
    (activity, text): (&str, &str),
    by: Option<&str>,
) -> Result<()> {
    if text.is_empty() {
        sqlx::query("DELETE FROM activity_explanations WHERE region_id = $1 AND activity = $2")
            .bind(region_id)
            .bind(activity)
            .execute(conn)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO activity_explanations (region_id, activity, explanation, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region_id, activity) DO UPDATE SET \
         explanation = excluded.explanation, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(region_id)
    .bind(activity)
    .bind(text)
    .bind(by)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}
