//! Sign-in limits in the database, so that every instance counts the same attempts and a
//! burst of parallel requests cannot slip between a check and a count: each attempt is
//! reserved with one atomic statement before the password is evaluated.

use sqlx::{AnyConnection, Row};

use crate::Result;

/// Counts one attempt for `key` in a window of `window_ms` starting at the first attempt;
/// returns how many attempts the window holds now, this one included, and when it started.
pub async fn reserve(conn: &mut AnyConnection, key: &str, now: i64, window_ms: i64) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "INSERT INTO login_limits (limit_key, failures, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (limit_key) DO UPDATE SET \
           failures = CASE WHEN login_limits.window_start <= $3 THEN 1 ELSE login_limits.failures + 1 END, \
           window_start = CASE WHEN login_limits.window_start <= $3 THEN $2 ELSE login_limits.window_start END, \
           next_slot = CASE WHEN login_limits.window_start <= $3 THEN 0 ELSE login_limits.next_slot END \
         RETURNING failures, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_ms)
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("failures")?, row.try_get("window_start")?))
}

/// Takes back one reserved attempt (it succeeded, or was never evaluated).
pub async fn release(conn: &mut AnyConnection, key: &str) -> Result<()> {
    sqlx::query("UPDATE login_limits SET failures = failures - 1 WHERE limit_key = $1 AND failures > 0")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets `key` (after a successful sign-in).
pub async fn clear(conn: &mut AnyConnection, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_limits WHERE limit_key = $1").bind(key).execute(conn).await?;
    Ok(())
}

/// The next moment an attempt on `key` may be evaluated, `interval_ms` after the one before:
/// attempts queue behind each other. `None` when the queue already reaches `max_wait_ms` ahead;
/// the slot then stays where it was, so refused attempts do not push the queue further.
pub async fn next_slot(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
    (interval_ms, max_wait_ms): (i64, i64),
) -> Result<Option<i64>> {
    let slot: Option<i64> = sqlx::query_scalar(
        "UPDATE login_limits SET next_slot = CASE WHEN next_slot > $2 THEN next_slot ELSE $2 END + $3 \
         WHERE limit_key = $1 AND next_slot <= $2 + $4 RETURNING next_slot",
    )
    .bind(key)
    .bind(now)
    .bind(interval_ms)
    .bind(max_wait_ms)
    .fetch_optional(conn)
    .await?;
    Ok(slot.map(|s| s - interval_ms))
}

/// Forgets windows that ended before `before`.
pub async fn purge(conn: &mut AnyConnection, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_limits WHERE window_start < $1 AND next_slot < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
