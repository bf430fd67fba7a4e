//! Data moves that SQL cannot make the same way on SQLite and PostgreSQL, run after the migrations.
//! Each is idempotent and runs in one transaction, so instances starting at once move the data once.

use std::collections::BTreeMap;

use sqlx::{Any, Pool, Row};

use crate::Result;

const EXPLANATIONS: &str = "execution.explanations:";

/// Migration 0011: the explanations per activity, once one JSON text per region in `settings`.
/// A text that is not a JSON map of strings is left where it is (and logged), never lost.
pub(crate) async fn move_explanations(pool: &Pool<Any>) -> Result<()> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query("SELECT key, value FROM settings WHERE key LIKE $1")
        .bind(format!("{EXPLANATIONS}%"))
        .fetch_all(&mut *tx)
        .await?;
    for row in rows {
        let key: String = row.try_get("key")?;
        let value: String = row.try_get("value")?;
        let region_id = key.trim_start_matches(EXPLANATIONS);
        let Ok(map) = serde_json::from_str::<BTreeMap<String, String>>(&value) else {
            tracing::warn!(%key, "explanations not moved: not a JSON map of texts");
            continue;
        };
        for (activity, text) in &map {
            sqlx::query(
                "INSERT INTO activity_explanations (region_id, activity, explanation, updated_at) \
                 SELECT id, $2, $3, 0 FROM regions WHERE id = $1 ON CONFLICT (region_id, activity) DO NOTHING",
            )
            .bind(region_id)
            .bind(activity)
            .bind(text)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM settings WHERE key = $1").bind(&key).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Migration 0016: an amount a region typed in as its received advances (before the payment
/// register) becomes a paid advance in the register, dated the day it was typed. Its id is fixed
/// per region, so instances starting at once move it once.
pub(crate) async fn move_received(pool: &Pool<Any>) -> Result<()> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query("SELECT region_id, received_cents, updated_by, updated_at FROM advances_received")
        .fetch_all(&mut *tx)
        .await?;
    for row in rows {
        let region_id: String = row.try_get("region_id")?;
        let cents: i64 = row.try_get("received_cents")?;
        let at: i64 = row.try_get("updated_at")?;
        let by: Option<String> = row.try_get("updated_by")?;
        let paid_on = jiff::Timestamp::from_millisecond(at)
            .unwrap_or_default()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .to_string();
        if cents > 0 {
            sqlx::query(
                "INSERT INTO payments (id, region_id, kind, paid_on, amount_cents, note, created_by, created_at, \
                 updated_by, updated_at) VALUES ($1, $2, 'voorschot', $3, $4, $5, $6, $7, $6, $7) ON CONFLICT (id) DO NOTHING",
            )
            .bind(format!("legacy-received-{region_id}"))
            .bind(&region_id)
            .bind(&paid_on)
            .bind(cents)
            .bind("Door de regio opgegeven als ontvangen, vóór het betaalregister.")
            .bind(by.as_deref())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM advances_received WHERE region_id = $1").bind(&region_id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
