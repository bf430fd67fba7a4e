//! Requests to join a region, from schools not yet taking part and from companies.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestRow {
    pub id: String,
    pub region_id: String,
    pub kind: String,
    pub duo_code: Option<String>,
    pub organisation_name: String,
    pub kvk: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub message: String,
    pub created_at: i64,
}

pub async fn insert(conn: &mut AnyConnection, r: &JoinRequestRow) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO join_requests (id, region_id, kind, duo_code, organisation_name, kvk, contact_name, \
         contact_email, message, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(&r.region_id)
    .bind(&r.kind)
    .bind(&r.duo_code)
    .bind(&r.organisation_name)
    .bind(&r.kvk)
    .bind(&r.contact_name)
    .bind(&r.contact_email)
    .bind(&r.message)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(id)
}

/// The region's requests not yet decided, oldest first.
pub async fn open(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<JoinRequestRow>> {
    let rows = sqlx::query(
        "SELECT id, region_id, kind, duo_code, organisation_name, kvk, contact_name, contact_email, message, \
         created_at FROM join_requests WHERE region_id = $1 AND decided_at IS NULL ORDER BY created_at, id",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JoinRequestRow {
                id: r.try_get("id")?,
                region_id: r.try_get("region_id")?,
                kind: r.try_get("kind")?,
                duo_code: r.try_get("duo_code")?,
                organisation_name: r.try_get("organisation_name")?,
                kvk: r.try_get("kvk")?,
                contact_name: r.try_get("contact_name")?,
                contact_email: r.try_get("contact_email")?,
                message: r.try_get("message")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Records the decision once; false when the request was decided already.
pub async fn decide(
    conn: &mut AnyConnection,
    id: &str,
    user_id: Option<&str>,
    (outcome, reason, organisation_id): (&str, &str, Option<&str>),
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE join_requests SET decided_at = $1, decided_by = $2, outcome = $3, reason = $4, organisation_id = $5 \
         WHERE id = $6 AND decided_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(outcome)
    .bind(reason)
    .bind(organisation_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
