//! Teachers' requests for an account, from a region's public page.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub id: String,
    pub region_id: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub name: String,
    pub email: String,
    pub message: String,
    pub created_at: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    region_id: &str,
    organisation_id: &str,
    (name, email, message): (&str, &str, &str),
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO account_requests (id, region_id, organisation_id, name, email, message, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(region_id)
    .bind(organisation_id)
    .bind(name)
    .bind(email)
    .bind(message)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

/// The region's requests not yet decided, oldest first.
pub async fn open(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<AccountRequest>> {
    let rows = sqlx::query(
        "SELECT r.id, r.region_id, r.organisation_id, o.name AS organisation_name, r.name, r.email, r.message, \
         r.created_at FROM account_requests r JOIN organisations o ON o.id = r.organisation_id \
         WHERE r.region_id = $1 AND r.decided_at IS NULL ORDER BY r.created_at, r.id",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AccountRequest {
                id: r.try_get("id")?,
                region_id: r.try_get("region_id")?,
                organisation_id: r.try_get("organisation_id")?,
                organisation_name: r.try_get("organisation_name")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                message: r.try_get("message")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Records the decision; `false` when the request was already decided (or is unknown).
pub async fn decide(conn: &mut AnyConnection, id: &str, by: Option<&str>, outcome: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE account_requests SET decided_at = $2, decided_by = $3, outcome = $4 WHERE id = $1 AND decided_at IS NULL",
    )
    .bind(id)
    .bind(now_ms())
    .bind(by)
    .bind(outcome)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
