//! Server-side sessions, keyed by the SHA-256 of the cookie's token.

use sqlx::{AnyConnection, Row};

use crate::{Result, now_ms};

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: Option<String>,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn insert(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: Option<&str>,
    csrf_token: &str,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now_ms())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session, when it exists and has not expired.
pub async fn get(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<Session>> {
    let row =
        sqlx::query("SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(now_ms())
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(Session {
            user_id: r.try_get("user_id")?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub async fn delete(conn: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

/// Ends every session of a user (after a password change), except `keep`.
pub async fn delete_for_user(conn: &mut AnyConnection, user_id: &str, keep: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired(conn: &mut AnyConnection) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_ms()).execute(conn).await?.rows_affected())
}
