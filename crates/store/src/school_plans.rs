//! School plans, their history and attachments.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms};

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub id: String,
    pub region_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub author_id: String,
    pub author_name: String,
    pub state: String,
    pub content: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT p.id, p.region_id, p.organisation_id, o.name AS organisation_name, p.author_id, \
     u.name AS author_name, p.state, p.content, p.version, p.created_at, p.updated_at \
     FROM school_plans p JOIN organisations o ON o.id = p.organisation_id JOIN users u ON u.id = p.author_id";

fn from_row(r: &AnyRow) -> Result<PlanRow> {
    Ok(PlanRow {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        organisation_id: r.try_get("organisation_id")?,
        organisation_name: r.try_get("organisation_name")?,
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        state: r.try_get("state")?,
        content: r.try_get("content")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub struct NewPlan<'a> {
    pub region_id: &'a str,
    pub organisation_id: &'a str,
    pub author_id: &'a str,
    pub state: &'a str,
    pub content: &'a str,
}

pub async fn insert(conn: &mut AnyConnection, p: &NewPlan<'_>) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO school_plans (id, region_id, organisation_id, author_id, state, content, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(p.region_id)
    .bind(p.organisation_id)
    .bind(p.author_id)
    .bind(p.state)
    .bind(p.content)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<PlanRow>> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// A region's plans, newest first; with `author_id` only that person's.
pub async fn for_region(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<PlanRow>> {
    let sql = format!("{SELECT} WHERE p.region_id = $1 ORDER BY p.updated_at DESC, p.id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Replaces content and state when `expected_version` still holds; returns the new version, else `Conflict`.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    (organisation_id, state, content): (&str, &str, &str),
) -> Result<i64> {
    let done = sqlx::query(
        "UPDATE school_plans SET organisation_id = $3, state = $4, content = $5, version = version + 1, updated_at = $6 \
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version)
    .bind(organisation_id)
    .bind(state)
    .bind(content)
    .bind(now_ms())
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 { Ok(expected_version + 1) } else { Err(StoreError::Conflict) }
}

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub at: i64,
    pub actor_name: Option<String>,
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
}

/// A step in the plan's history, by a user or (`actor_label`) by someone without an account.
pub async fn add_history(
    conn: &mut AnyConnection,
    plan_id: &str,
    (actor_id, actor_label): (Option<&str>, Option<&str>),
    (from, to): (&str, &str),
    comment: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO school_plan_history (id, plan_id, at, actor_id, actor_label, from_state, to_state, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(plan_id)
    .bind(now_ms())
    .bind(actor_id)
    .bind(actor_label)
    .bind(from)
    .bind(to)
    .bind(comment)
    .execute(conn)
    .await?;
    Ok(())
}

/// The plan's transitions, oldest first.
pub async fn history(conn: &mut AnyConnection, plan_id: &str) -> Result<Vec<HistoryEntry>> {
    let rows = sqlx::query(
        "SELECT h.at, COALESCE(u.name, h.actor_label) AS actor_name, h.from_state, h.to_state, h.comment FROM school_plan_history h \
         LEFT JOIN users u ON u.id = h.actor_id WHERE h.plan_id = $1 ORDER BY h.at, h.id",
    )
    .bind(plan_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryEntry {
                at: r.try_get("at")?,
                actor_name: r.try_get("actor_name")?,
                from_state: r.try_get("from_state")?,
                to_state: r.try_get("to_state")?,
                comment: r.try_get("comment")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: String,
    pub plan_id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

pub async fn add_attachment(conn: &mut AnyConnection, a: &Attachment, by: Option<&str>) -> Result<()> {
    sqlx::query(
        "INSERT INTO school_plan_attachments (id, plan_id, filename, content_type, size, sha256, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&a.id)
    .bind(&a.plan_id)
    .bind(&a.filename)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(&a.sha256)
    .bind(a.created_at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn attachments(conn: &mut AnyConnection, plan_id: &str) -> Result<Vec<Attachment>> {
    let rows = sqlx::query(
        "SELECT id, plan_id, filename, content_type, size, sha256, created_at FROM school_plan_attachments \
         WHERE plan_id = $1 ORDER BY created_at, id",
    )
    .bind(plan_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.try_get("id")?,
                plan_id: r.try_get("plan_id")?,
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

pub async fn remove_attachment(conn: &mut AnyConnection, plan_id: &str, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM school_plan_attachments WHERE plan_id = $1 AND id = $2")
        .bind(plan_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A mailed link for a school leader to endorse a plan.
pub struct EndorsementLink {
    pub plan_id: String,
    pub name: String,
    pub email: String,
}

pub async fn insert_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    link: &EndorsementLink,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_endorsement_links (token_hash, plan_id, name, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(&link.plan_id)
    .bind(&link.name)
    .bind(&link.email)
    .bind(now_ms())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The link with this hash, while unused and not expired.
pub async fn live_link(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<EndorsementLink>> {
    let row = sqlx::query(
        "SELECT plan_id, name, email FROM plan_endorsement_links \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now_ms())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(EndorsementLink { plan_id: r.try_get("plan_id")?, name: r.try_get("name")?, email: r.try_get("email")? })
    })
    .transpose()
}

/// Every live link to the plan lapses: the plan left the school's management, or a new link
/// replaces them.
pub async fn revoke_links(conn: &mut AnyConnection, plan_id: &str) -> Result<()> {
    sqlx::query("UPDATE plan_endorsement_links SET used_at = $1 WHERE plan_id = $2 AND used_at IS NULL")
        .bind(now_ms())
        .bind(plan_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Uses the link once; false when it was used already. Every other link to the plan lapses too.
pub async fn use_link(conn: &mut AnyConnection, token_hash: &str, plan_id: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE plan_endorsement_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(now_ms())
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE plan_endorsement_links SET used_at = $1 WHERE plan_id = $2 AND used_at IS NULL")
        .bind(now_ms())
        .bind(plan_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
