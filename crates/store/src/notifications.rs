//! Notifications: one message to one recipient, sent by e-mail or kept in the outbox.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

#[derive(Debug, Clone)]
pub struct Notification {
    pub id: String,
    pub user_id: Option<String>,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub status: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

pub struct NewNotification<'a> {
    pub user_id: Option<&'a str>,
    pub recipient: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub link: &'a str,
    pub status: &'a str,
    /// Set for messages that must go out once only (reminders).
    pub dedup_key: Option<&'a str>,
}

/// Adds the message; `Ok(None)` when one with the same `dedup_key` exists already.
pub async fn insert(conn: &mut AnyConnection, n: &NewNotification<'_>) -> Result<Option<String>> {
    let id = new_id();
    let done = sqlx::query(
        "INSERT INTO notifications (id, user_id, recipient, kind, subject, body, link, status, dedup_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(&id)
    .bind(n.user_id)
    .bind(n.recipient)
    .bind(n.kind)
    .bind(n.subject)
    .bind(n.body)
    .bind(n.link)
    .bind(n.status)
    .bind(n.dedup_key)
    .bind(now_ms())
    .execute(conn)
    .await?;
    // Without a conflict clause a duplicate would abort a PostgreSQL transaction.
    Ok((done.rows_affected() == 1).then_some(id))
}

const COLUMNS: &str = "id, user_id, recipient, kind, subject, body, link, status, error, created_at, sent_at";

fn from_row(r: &AnyRow) -> Result<Notification> {
    Ok(Notification {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        recipient: r.try_get("recipient")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

/// The messages waiting to be sent, oldest first.
pub async fn pending(conn: &mut AnyConnection, limit: i64) -> Result<Vec<Notification>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notifications WHERE status = 'pending' OR (status = 'sending' AND claimed_at < $2) \
         ORDER BY created_at, id LIMIT $1"
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).bind(now_ms() - CLAIM_HOLDS_MS).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// How long a claim to send a message holds before another instance may take it.
pub const CLAIM_HOLDS_MS: i64 = 10 * 60 * 1000;

/// Claims a waiting message for sending; `false` when another instance has it (or sent it).
pub async fn claim(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE notifications SET status = 'sending', claimed_at = $2 \
         WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND claimed_at < $3))",
    )
    .bind(id)
    .bind(now)
    .bind(now - CLAIM_HOLDS_MS)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark(conn: &mut AnyConnection, id: &str, status: &str, error: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE notifications SET status = $2, error = $3, sent_at = $4 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(error)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// A user's own messages, newest first.
pub async fn for_user(conn: &mut AnyConnection, user_id: &str, limit: i64) -> Result<Vec<Notification>> {
    let sql =
        format!("SELECT {COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user_id).bind(limit).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Every message, newest first; with `status` only those in it.
pub async fn all(conn: &mut AnyConnection, status: Option<&str>, limit: i64) -> Result<Vec<Notification>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notifications WHERE ($1 = '' OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status.unwrap_or("")).bind(limit).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// How many messages are in each state (pending, sending, sent, failed, …).
pub async fn count_by_status(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as("SELECT status, COUNT(*) FROM notifications GROUP BY status").fetch_all(conn).await?)
}

/// Replaces a sent message's text and link (a link that let its reader into an account).
pub async fn wipe(conn: &mut AnyConnection, id: &str, body: &str, link: &str) -> Result<()> {
    sqlx::query("UPDATE notifications SET body = $2, link = $3 WHERE id = $1")
        .bind(id)
        .bind(body)
        .bind(link)
        .execute(conn)
        .await?;
    Ok(())
}
