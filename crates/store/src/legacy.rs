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
/// register) becomes a paid advance in the register, dated the day it was typed.
pub(crate) async fn move_received(pool: &Pool<Any>) -> Result<()> {
    let mut tx = pool.begin().await?;
    let rows = sqlx::query("SELECT region_id, received_cents, updated_by, updated_at FROM advances_received")
        .fetch_all(&mut *tx)
        .await?;
    for row in rows {
        let cents: i64 = row.try_get("received_cents")?;
        let at: i64 = row.try_get("updated_at")?;
        let paid_on =
            jiff::Timestamp::from_millisecond(at).unwrap_or_default().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        if cents > 0 {
            let fields = crate::payments::Fields {
                kind: "voorschot",
                year: None,
                planned_on: None,
                paid_on: Some(&paid_on.to_string()),
                amount_cents: cents,
                reference: None,
                note: "Door de regio opgegeven als ontvangen, vóór het betaalregister.",
            };
            let region_id: String = row.try_get("region_id")?;
            let by: Option<String> = row.try_get("updated_by")?;
            crate::payments::insert(&mut tx, (&region_id, None), &fields, by.as_deref()).await?;
        }
    }
    sqlx::query("DELETE FROM advances_received").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
