//! Two-factor sign-in: a person's TOTP secret and recovery codes.

use sqlx::{AnyConnection, Row};

use crate::{Result, now_ms};

/// How long a secret shown for set-up stays usable unconfirmed.
pub const UNCONFIRMED_TTL_MS: i64 = 60 * 60 * 1000;

#[derive(Debug, Clone)]
pub struct Secret {
    /// Base32, as the authenticator app gets it.
    pub secret: String,
    pub confirmed: bool,
    pub last_step: i64,
    /// Wrong codes in a row.
    pub failed_codes: i64,
}

pub async fn secret(conn: &mut AnyConnection, user_id: &str) -> Result<Option<Secret>> {
    let row = sqlx::query("SELECT secret, confirmed_at, last_step, failed_codes FROM totp_secrets WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(Secret {
            secret: r.try_get("secret")?,
            confirmed: r.try_get::<Option<i64>, _>("confirmed_at")?.is_some(),
            last_step: r.try_get("last_step")?,
            failed_codes: r.try_get("failed_codes")?,
        })
    })
    .transpose()
}

/// Whether the user has confirmed two-factor sign-in.
pub async fn enabled(conn: &mut AnyConnection, user_id: &str) -> Result<bool> {
    Ok(secret(conn, user_id).await?.is_some_and(|s| s.confirmed))
}

/// Keeps `secret` as the user's unconfirmed secret unless they have one already (the same one then
/// holds until it is confirmed, however often the set-up page is opened).
pub async fn propose(conn: &mut AnyConnection, user_id: &str, secret: &str) -> Result<()> {
    // An unconfirmed secret holds for an hour: one someone else saw cannot wait for the owner.
    sqlx::query("DELETE FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NULL AND created_at < $2")
        .bind(user_id)
        .bind(now_ms() - UNCONFIRMED_TTL_MS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO totp_secrets (user_id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(secret)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that a code of `step` was used (and confirms the secret); `false` when that step or a
/// later one was used already, so no code counts twice.
pub async fn use_step(conn: &mut AnyConnection, user_id: &str, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE totp_secrets SET last_step = $2, confirmed_at = COALESCE(confirmed_at, $3) \
         WHERE user_id = $1 AND last_step < $2",
    )
    .bind(user_id)
    .bind(step)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns two-factor sign-in off: the secret and the recovery codes go.
pub async fn remove(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM totp_secrets WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}

/// New recovery codes (their hashes) in place of every earlier one.
pub async fn replace_recovery_codes(conn: &mut AnyConnection, user_id: &str, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code; `false` when it is unknown or used.
pub async fn use_recovery_code(conn: &mut AnyConnection, user_id: &str, hash: &str) -> Result<bool> {
    let done =
        sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(hash)
            .bind(now_ms())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// How many recovery codes are left.
pub async fn recovery_codes_left(conn: &mut AnyConnection, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(conn)
        .await?)
}

/// The ids of users with two-factor sign-in on.
pub async fn enabled_users(conn: &mut AnyConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT user_id FROM totp_secrets WHERE confirmed_at IS NOT NULL").fetch_all(conn).await?)
}

/// Forgets a secret shown for set-up but never confirmed (after a password reset, signing out
/// everywhere): whoever saw it cannot use it later.
pub async fn forget_unconfirmed(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NULL")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a wrong code; returns how many are wrong in a row now.
pub async fn record_failure(conn: &mut AnyConnection, user_id: &str) -> Result<i64> {
    sqlx::query("UPDATE totp_secrets SET failed_codes = failed_codes + 1 WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT failed_codes FROM totp_secrets WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?
        .unwrap_or(0))
}

/// A right code: the count of wrong ones starts again.
pub async fn clear_failures(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("UPDATE totp_secrets SET failed_codes = 0 WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(())
}
