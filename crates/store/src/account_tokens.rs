//! One-use links mailed to a person: a password reset or a new e-mail address to confirm.

use sqlx::{AnyConnection, Row};

use crate::{Result, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailChange,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password-reset",
            Purpose::EmailChange => "email-change",
        }
    }
}

pub async fn insert(
    conn: &mut AnyConnection,
    (token_hash, purpose): (&str, Purpose),
    user_id: &str,
    new_email: Option<&str>,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, purpose, user_id, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(purpose.code())
    .bind(user_id)
    .bind(new_email)
    .bind(now_ms())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A live token: its user and (for an e-mail change) the new address.
#[derive(Debug, Clone)]
pub struct Live {
    pub user_id: String,
    pub new_email: Option<String>,
}

/// The token's user, when it exists for `purpose`, is unused and has not expired.
pub async fn live(conn: &mut AnyConnection, token_hash: &str, purpose: Purpose) -> Result<Option<Live>> {
    let row = sqlx::query(
        "SELECT user_id, new_email FROM account_tokens \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.code())
    .bind(now_ms())
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok(Live { user_id: r.try_get("user_id")?, new_email: r.try_get("new_email")? })).transpose()
}

/// Uses the token and every other live one of its user for the same purpose; `false` when it
/// was used (or ended) in the meantime.
pub async fn use_up(conn: &mut AnyConnection, token_hash: &str, user_id: &str, purpose: Purpose) -> Result<bool> {
    let now = now_ms();
    let mine = sqlx::query(
        "UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL \
         AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if mine.rows_affected() != 1 {
        return Ok(false);
    }
    end_all(conn, user_id, purpose).await?;
    Ok(true)
}

/// Ends every live token of the user for `purpose` (a new password makes older reset links void).
pub async fn end_all(conn: &mut AnyConnection, user_id: &str, purpose: Purpose) -> Result<()> {
    sqlx::query("UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose.code())
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}
