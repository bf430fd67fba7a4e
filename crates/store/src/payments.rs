//! The payment register: planned and paid advances, final payments and repayments per region.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms, unique};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    pub region_id: String,
    pub decision_id: Option<String>,
    pub decision_reference: Option<String>,
    pub kind: String,
    pub year: Option<i64>,
    pub planned_on: Option<String>,
    pub paid_on: Option<String>,
    pub amount_cents: i64,
    pub reference: Option<String>,
    pub note: String,
    pub revision: i64,
    pub updated_by_name: Option<String>,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT p.id, p.region_id, p.decision_id, d.reference AS decision_reference, p.kind, p.year, \
     p.planned_on, p.paid_on, p.amount_cents, p.reference, p.note, p.revision, u.name AS updated_by_name, p.updated_at \
     FROM payments p LEFT JOIN decisions d ON d.id = p.decision_id LEFT JOIN users u ON u.id = p.updated_by";

fn from_row(r: &AnyRow) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.try_get("id")?,
        region_id: r.try_get("region_id")?,
        decision_id: r.try_get("decision_id")?,
        decision_reference: r.try_get("decision_reference")?,
        kind: r.try_get("kind")?,
        year: r.try_get("year")?,
        planned_on: r.try_get("planned_on")?,
        paid_on: r.try_get("paid_on")?,
        amount_cents: r.try_get("amount_cents")?,
        reference: r.try_get("reference")?,
        note: r.try_get("note")?,
        revision: r.try_get("revision")?,
        updated_by_name: r.try_get("updated_by_name")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The region's payments, by date (paid, else planned).
pub async fn of_region(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<PaymentRow>> {
    let sql = format!("{SELECT} WHERE p.region_id = $1 ORDER BY COALESCE(p.paid_on, p.planned_on), p.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<PaymentRow>> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_reference(conn: &mut AnyConnection, reference: &str) -> Result<Option<PaymentRow>> {
    let sql = format!("{SELECT} WHERE p.reference = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reference).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// A payment's fields as stored (dates as `YYYY-MM-DD`).
pub struct Fields<'a> {
    pub kind: &'a str,
    pub year: Option<i64>,
    pub planned_on: Option<&'a str>,
    pub paid_on: Option<&'a str>,
    pub amount_cents: i64,
    pub reference: Option<&'a str>,
    pub note: &'a str,
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a payment's fields in the order both statements name them: kind, year, planned date,
/// paid date, amount, reference, note.
fn bind_fields<'q>(query: Query<'q>, f: &Fields<'q>) -> Query<'q> {
    query
        .bind(f.kind)
        .bind(f.year)
        .bind(f.planned_on)
        .bind(f.paid_on)
        .bind(f.amount_cents)
        .bind(f.reference)
        .bind(f.note)
}

/// Adds a payment; `Duplicate` when its reference is taken.
pub async fn insert(
    conn: &mut AnyConnection,
    (region_id, decision_id): (&str, Option<&str>),
    f: &Fields<'_>,
    by: Option<&str>,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    let query = sqlx::query(
        "INSERT INTO payments (id, region_id, decision_id, kind, year, planned_on, paid_on, amount_cents, reference, note, \
         created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12)",
    )
    .bind(&id)
    .bind(region_id)
    .bind(decision_id);
    bind_fields(query, f).bind(by).bind(now).execute(conn).await.map_err(unique)?;
    Ok(id)
}

/// Changes a payment still at `revision`: `Conflict` when someone changed it since, `Duplicate`
/// when the reference is taken.
pub async fn update(
    conn: &mut AnyConnection,
    (id, revision): (&str, i64),
    f: &Fields<'_>,
    by: Option<&str>,
) -> Result<()> {
    let query = sqlx::query(
        "UPDATE payments SET kind = $3, year = $4, planned_on = $5, paid_on = $6, amount_cents = $7, reference = $8, \
         note = $9, updated_by = $10, updated_at = $11, revision = revision + 1 WHERE id = $1 AND revision = $2",
    )
    .bind(id)
    .bind(revision);
    let done = bind_fields(query, f).bind(by).bind(now_ms()).execute(conn).await.map_err(unique)?;
    if done.rows_affected() == 0 { Err(StoreError::Conflict) } else { Ok(()) }
}

/// Removes a decision's advances not yet paid (the decision was withdrawn); returns how many.
pub async fn drop_unpaid_of_decision(conn: &mut AnyConnection, decision_id: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM payments WHERE decision_id = $1 AND paid_on IS NULL")
        .bind(decision_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Removes the region's advances for `year` that a decision planned and nobody paid yet (a later
/// decision on the year plans them again); returns how many.
pub async fn drop_unpaid_planned(conn: &mut AnyConnection, region_id: &str, year: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM payments WHERE region_id = $1 AND year = $2 AND kind = 'voorschot' AND decision_id IS NOT NULL \
         AND paid_on IS NULL",
    )
    .bind(region_id)
    .bind(year)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The planned, unpaid advance of the region for `year` with exactly `amount_cents`, if any: what
/// an imported payment settles.
pub async fn planned_match(
    conn: &mut AnyConnection,
    region_id: &str,
    (kind, year, amount_cents): (&str, Option<i64>, i64),
) -> Result<Option<PaymentRow>> {
    let sql = format!(
        "{SELECT} WHERE p.region_id = $1 AND p.kind = $2 AND p.year IS NOT DISTINCT FROM $3 AND p.amount_cents = $4 \
         AND p.paid_on IS NULL ORDER BY p.planned_on, p.id LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(region_id)
        .bind(kind)
        .bind(year)
        .bind(amount_cents)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}
