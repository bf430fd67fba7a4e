//! Applications: one draft per region and phase, and its frozen submitted versions.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms, unique};

#[derive(Debug, Clone)]
pub struct Draft {
    pub id: String,
    pub region_id: String,
    pub phase: String,
    pub content: String,
    pub version: i64,
    pub updated_at: i64,
    pub updated_by_name: Option<String>,
}

fn draft_from_row(r: &AnyRow) -> Result<Draft> {
    Ok(Draft {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        phase: r.try_get("phase")?,
        content: r.try_get("content")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        updated_by_name: r.try_get("updated_by_name")?,
    })
}

const DRAFT_SELECT: &str = "SELECT a.id, a.region_id, a.phase, a.content, a.version, a.updated_at, u.name AS updated_by_name \
     FROM applications a LEFT JOIN users u ON u.id = a.updated_by";

pub async fn get(conn: &mut AnyConnection, region_id: &str, phase: &str) -> Result<Option<Draft>> {
    let sql = format!("{DRAFT_SELECT} WHERE a.region_id = $1 AND a.phase = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).bind(phase).fetch_optional(conn).await?;
    row.as_ref().map(draft_from_row).transpose()
}

pub async fn for_region(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<Draft>> {
    let sql = format!("{DRAFT_SELECT} WHERE a.region_id = $1 ORDER BY a.phase");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?;
    rows.iter().map(draft_from_row).collect()
}

/// Creates the draft; `Duplicate` when the region already has one for the phase.
pub async fn insert(
    conn: &mut AnyConnection,
    region_id: &str,
    phase: &str,
    content: &str,
    by: Option<&str>,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO applications (id, region_id, phase, content, created_at, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $5, $6)",
    )
    .bind(&id)
    .bind(region_id)
    .bind(phase)
    .bind(content)
    .bind(now)
    .bind(by)
    .execute(conn)
    .await
    .map_err(unique)?;
    Ok(id)
}

/// Replaces the content when `expected_version` still holds; returns the new version, else `Conflict`.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    content: &str,
    by: Option<&str>,
) -> Result<i64> {
    let done = sqlx::query(
        "UPDATE applications SET content = $3, version = version + 1, updated_at = $4, updated_by = $5 \
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(content)
    .bind(now_ms())
    .bind(by)
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 { Ok(expected_version + 1) } else { Err(StoreError::Conflict) }
}

/// Holds the draft at `version` until the caller's transaction ends (a row lock, without a
/// change): `Conflict` when it moved on meanwhile. What the caller writes then rests on that version.
pub async fn hold(conn: &mut AnyConnection, id: &str, version: i64) -> Result<()> {
    let done = sqlx::query("UPDATE applications SET version = version WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(conn)
        .await?;
    if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::Conflict) }
}

#[derive(Debug, Clone)]
pub struct Version {
    pub number: i64,
    pub sha256: String,
    pub content: String,
    pub submitted_at: i64,
    pub submitted_by_name: String,
}

pub async fn insert_version(
    conn: &mut AnyConnection,
    application_id: &str,
    sha256: &str,
    content: &str,
    submitted_at: i64,
    by: &str,
) -> Result<i64> {
    let number: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM application_versions WHERE application_id = $1")
            .bind(application_id)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query(
        "INSERT INTO application_versions (id, application_id, number, sha256, content, submitted_at, submitted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(number)
    .bind(sha256)
    .bind(content)
    .bind(submitted_at)
    .bind(by)
    .execute(conn)
    .await
    .map_err(unique)?;
    Ok(number)
}

/// The versions, oldest first; `with_content` false leaves the (possibly large) JSON out.
pub async fn versions(conn: &mut AnyConnection, application_id: &str, with_content: bool) -> Result<Vec<Version>> {
    let content = if with_content { "v.content" } else { "'' AS content" };
    let sql = format!(
        "SELECT v.number, v.sha256, {content}, v.submitted_at, u.name AS submitted_by_name FROM application_versions v \
         JOIN users u ON u.id = v.submitted_by WHERE v.application_id = $1 ORDER BY v.number"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(application_id).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Version {
                number: r.try_get("number")?,
                sha256: r.try_get("sha256")?,
                content: r.try_get("content")?,
                submitted_at: r.try_get("submitted_at")?,
                submitted_by_name: r.try_get("submitted_by_name")?,
            })
        })
        .collect()
}

/// Every draft's and submitted version's content with its region (for moving stored files in).
pub async fn all_contents(conn: &mut AnyConnection) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT region_id, content FROM applications UNION ALL \
         SELECT a.region_id, v.content FROM application_versions v JOIN applications a ON a.id = v.application_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("region_id")?, r.try_get("content")?))).collect()
}
