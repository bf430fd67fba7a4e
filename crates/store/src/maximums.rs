//! The region maximum table (annex 3): every row ever set, the latest per region in force.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, flag, new_id, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaximumRow {
    pub id: String,
    pub region_id: String,
    pub region_slug: String,
    pub region_name: String,
    pub amount_cents: i64,
    pub source: String,
    pub verified: bool,
    pub reason: Option<String>,
    pub set_by_name: Option<String>,
    pub set_at: i64,
}

const SELECT: &str = "SELECT m.id, m.region_id, r.slug, r.name, m.amount_cents, m.source, m.verified, m.reason, \
     u.name AS set_by_name, m.set_at FROM region_maximums m JOIN regions r ON r.id = m.region_id \
     LEFT JOIN users u ON u.id = m.set_by";

fn from_row(r: &AnyRow) -> Result<MaximumRow> {
    Ok(MaximumRow {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        region_slug: r.try_get("slug")?,
        region_name: r.try_get("name")?,
        amount_cents: r.try_get("amount_cents")?,
        source: r.try_get("source")?,
        verified: r.try_get::<i64, _>("verified")? != 0,
        reason: r.try_get("reason")?,
        set_by_name: r.try_get("set_by_name")?,
        set_at: r.try_get("set_at")?,
    })
}

/// The rows in force under `regulation_id`: the latest per region (ids are time-ordered).
pub async fn in_force(conn: &mut AnyConnection, regulation_id: &str) -> Result<Vec<MaximumRow>> {
    let sql = format!(
        "{SELECT} WHERE m.regulation_id = $1 AND m.id = (SELECT MAX(l.id) FROM region_maximums l \
         WHERE l.regulation_id = m.regulation_id AND l.region_id = m.region_id) ORDER BY r.name"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(regulation_id).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Every row set for the region under `regulation_id`, newest first.
pub async fn history(conn: &mut AnyConnection, regulation_id: &str, region_id: &str) -> Result<Vec<MaximumRow>> {
    let sql = format!("{SELECT} WHERE m.regulation_id = $1 AND m.region_id = $2 ORDER BY m.id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(regulation_id).bind(region_id).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// A new row for the region: from now on the one in force. `Duplicate` when another change was
/// made from the same row in force.
pub struct NewMaximum<'a> {
    pub regulation_id: &'a str,
    pub region_id: &'a str,
    pub amount_cents: i64,
    pub source: &'a str,
    pub verified: bool,
    pub reason: Option<&'a str>,
    pub set_by: Option<&'a str>,
    /// The id of the row in force this one replaces, or `None` for the region's first.
    pub replaces: Option<&'a str>,
}

pub async fn insert(conn: &mut AnyConnection, m: &NewMaximum<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO region_maximums (id, regulation_id, region_id, amount_cents, source, verified, reason, set_by, set_at, \
         replaces) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(m.regulation_id)
    .bind(m.region_id)
    .bind(m.amount_cents)
    .bind(m.source)
    .bind(flag(m.verified))
    .bind(m.reason)
    .bind(m.set_by)
    .bind(now_ms())
    .bind(m.replaces.map_or_else(|| format!("{}:{}", m.regulation_id, m.region_id), str::to_owned))
    .execute(conn)
    .await
    .map_err(crate::unique)?;
    Ok(())
}
