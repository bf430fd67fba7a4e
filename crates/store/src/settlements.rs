//! Settlement decisions (vaststelling), one per region.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms, unique};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRow {
    pub id: String,
    pub reference: String,
    pub decided_on: String,
    pub verdict: String,
    pub adjustments: String,
    pub final_cents: i64,
    pub received_cents: i64,
    pub payment_id: Option<String>,
    pub decided_by_name: String,
    pub created_at: i64,
}

pub async fn of_region(conn: &mut AnyConnection, region_id: &str) -> Result<Option<SettlementRow>> {
    let row = sqlx::query(
        "SELECT s.id, s.reference, s.decided_on, s.verdict, s.adjustments, s.final_cents, s.received_cents, s.payment_id, \
         u.name AS decided_by_name, s.created_at FROM settlements s JOIN users u ON u.id = s.decided_by WHERE s.region_id = $1",
    )
    .bind(region_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(SettlementRow {
            id: r.try_get("id")?,
            reference: r.try_get("reference")?,
            decided_on: r.try_get("decided_on")?,
            verdict: r.try_get("verdict")?,
            adjustments: r.try_get("adjustments")?,
            final_cents: r.try_get("final_cents")?,
            received_cents: r.try_get("received_cents")?,
            payment_id: r.try_get("payment_id")?,
            decided_by_name: r.try_get("decided_by_name")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

pub struct NewSettlement<'a> {
    pub region_id: &'a str,
    pub reference: &'a str,
    pub decided_on: &'a str,
    pub verdict: &'a str,
    pub adjustments: &'a str,
    pub final_cents: i64,
    pub received_cents: i64,
    pub payment_id: Option<&'a str>,
    pub by: &'a str,
}

/// Records the settlement; `Duplicate` when the region was settled already or the reference is taken.
pub async fn insert(conn: &mut AnyConnection, s: &NewSettlement<'_>) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO settlements (id, region_id, reference, decided_on, verdict, adjustments, final_cents, received_cents, \
         payment_id, decided_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(s.region_id)
    .bind(s.reference)
    .bind(s.decided_on)
    .bind(s.verdict)
    .bind(s.adjustments)
    .bind(s.final_cents)
    .bind(s.received_cents)
    .bind(s.payment_id)
    .bind(s.by)
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(unique)?;
    Ok(id)
}
