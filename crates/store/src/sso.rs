//! Single sign-on: sign-ins waiting for their provider, and the identities linked to accounts.

use sqlx::{AnyConnection, Row};

use crate::{Result, now_ms};

/// A sign-in sent to a provider.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub provider: String,
    pub browser_hash: String,
    pub verifier: String,
    pub nonce: String,
    /// The signed-in account that asked to link the identity (from Mijn Sterk).
    pub link_user: Option<String>,
}

pub async fn insert_waiting(conn: &mut AnyConnection, state_hash: &str, w: &Waiting, ttl_ms: i64) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sso_logins (state_hash, provider, browser_hash, verifier, nonce, link_user, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(state_hash)
    .bind(&w.provider)
    .bind(&w.browser_hash)
    .bind(&w.verifier)
    .bind(&w.nonce)
    .bind(&w.link_user)
    .bind(now)
    .bind(now + ttl_ms)
    .execute(&mut *conn)
    .await?;
    // Sign-ins never finished go with the next one started.
    sqlx::query("DELETE FROM sso_logins WHERE expires_at <= $1").bind(now).execute(conn).await?;
    Ok(())
}

/// Takes the waiting sign-in of `state_hash` (one use): it is gone afterwards, found or not.
pub async fn take_waiting(conn: &mut AnyConnection, state_hash: &str) -> Result<Option<Waiting>> {
    let row = sqlx::query(
        "SELECT provider, browser_hash, verifier, nonce, link_user FROM sso_logins \
         WHERE state_hash = $1 AND expires_at > $2",
    )
    .bind(state_hash)
    .bind(now_ms())
    .fetch_optional(&mut *conn)
    .await?;
    let deleted = sqlx::query("DELETE FROM sso_logins WHERE state_hash = $1").bind(state_hash).execute(conn).await?;
    if deleted.rows_affected() != 1 {
        return Ok(None); // taken by a parallel request
    }
    row.map(|r| {
        Ok(Waiting {
            provider: r.try_get("provider")?,
            browser_hash: r.try_get("browser_hash")?,
            verifier: r.try_get("verifier")?,
            nonce: r.try_get("nonce")?,
            link_user: r.try_get("link_user")?,
        })
    })
    .transpose()
}

/// The account linked to an identity at `issuer`, noting its use.
pub async fn user_of(
    conn: &mut AnyConnection,
    (provider, subject, issuer): (&str, &str, &str),
) -> Result<Option<String>> {
    let user: Option<String> =
        sqlx::query_scalar("SELECT user_id FROM sso_identities WHERE provider = $1 AND subject = $2 AND issuer = $3")
            .bind(provider)
            .bind(subject)
            .bind(issuer)
            .fetch_optional(&mut *conn)
            .await?;
    if user.is_some() {
        sqlx::query("UPDATE sso_identities SET last_used_at = $3 WHERE provider = $1 AND subject = $2")
            .bind(provider)
            .bind(subject)
            .bind(now_ms())
            .execute(conn)
            .await?;
    }
    Ok(user)
}

/// Links an identity at `issuer` to the account (an identity of the provider's earlier issuer under
/// the same subject is replaced: that issuer no longer speaks for the provider id).
pub async fn link(
    conn: &mut AnyConnection,
    (provider, subject, issuer): (&str, &str, &str),
    user_id: &str,
    email: &str,
) -> Result<()> {
    let now = now_ms();
    sqlx::query("DELETE FROM sso_refusals WHERE user_id = $1 AND provider = $2")
        .bind(user_id)
        .bind(provider)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO sso_identities (provider, subject, issuer, user_id, email, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider, subject) DO UPDATE SET issuer = excluded.issuer, \
         user_id = excluded.user_id, email = excluded.email, last_used_at = excluded.last_used_at",
    )
    .bind(provider)
    .bind(subject)
    .bind(issuer)
    .bind(user_id)
    .bind(email)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// An identity as its owner sees it.
#[derive(Debug, Clone)]
pub struct Linked {
    pub provider: String,
    pub email: String,
    pub created_at: i64,
    pub last_used_at: i64,
}

pub async fn of_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Linked>> {
    let rows = sqlx::query(
        "SELECT provider, email, created_at, last_used_at FROM sso_identities WHERE user_id = $1 ORDER BY provider",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Linked {
                provider: r.try_get("provider")?,
                email: r.try_get("email")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// Unlinks the user's identities at `provider`, and refuses linking them again by e-mail address;
/// `false` when there were none.
pub async fn unlink(conn: &mut AnyConnection, user_id: &str, provider: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM sso_identities WHERE user_id = $1 AND provider = $2")
        .bind(user_id)
        .bind(provider)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO sso_refusals (user_id, provider, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, provider) DO NOTHING",
    )
    .bind(user_id)
    .bind(provider)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(true)
}

/// Whether the user unlinked `provider` (and so is not linked again by e-mail address).
pub async fn refused(conn: &mut AnyConnection, user_id: &str, provider: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_refusals WHERE user_id = $1 AND provider = $2")
        .bind(user_id)
        .bind(provider)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}
