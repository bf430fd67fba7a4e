//! Questions sent through `/contact`, and their answers.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactMessage {
    pub id: String,
    /// `None`: for the national team.
    pub region_id: Option<String>,
    pub name: String,
    pub email: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

const COLUMNS: &str = "id, region_id, name, email, subject, body, created_at, answer, answered_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<ContactMessage> {
    Ok(ContactMessage {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        answer: r.try_get("answer")?,
        answered_at: r.try_get("answered_at")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, m: &ContactMessage) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO contact_messages (id, region_id, name, email, subject, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&m.region_id)
    .bind(&m.name)
    .bind(&m.email)
    .bind(&m.subject)
    .bind(&m.body)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

/// Every message (`all`, for the national team) or those for these regions: unanswered first,
/// then the latest, at most `limit`.
pub async fn inbox(
    conn: &mut AnyConnection,
    all: bool,
    region_ids: &[String],
    limit: i64,
) -> Result<Vec<ContactMessage>> {
    let regions: Vec<String> = (0..region_ids.len()).map(|i| format!("${}", i + 3)).collect();
    let in_regions =
        if regions.is_empty() { "1 = 0".to_owned() } else { format!("region_id IN ({})", regions.join(", ")) };
    let sql = format!(
        "SELECT {COLUMNS} FROM contact_messages WHERE $1 = 1 OR {in_regions} \
         ORDER BY CASE WHEN answered_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id LIMIT $2"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(all)).bind(limit);
    for id in region_ids {
        q = q.bind(id);
    }
    q.fetch_all(conn).await?.iter().map(from_row).collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<ContactMessage>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM contact_messages WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Stores the answer once; false when the message was answered already.
pub async fn answer(conn: &mut AnyConnection, id: &str, text: &str, user_id: Option<&str>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE contact_messages SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answer IS NULL",
    )
    .bind(text)
    .bind(user_id)
    .bind(now_ms())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
