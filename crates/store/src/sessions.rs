//! Server-side sessions, keyed by the SHA-256 of the cookie's token.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

/// How far a session is: only a full one acts for its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Full,
    /// The password was right; the code from the authenticator app is still to come.
    Code,
    /// Two-factor sign-in is required and must be set up first.
    Enrol,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Full => "full",
            Stage::Code => "code",
            Stage::Enrol => "enrol",
        }
    }

    fn parse(s: &str) -> Stage {
        match s {
            "full" => Stage::Full,
            "enrol" => Stage::Enrol,
            // Anything else acts for nobody.
            _ => Stage::Code,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: Option<String>,
    pub csrf_token: String,
    pub expires_at: i64,
    pub stage: Stage,
}

/// A new session's row.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: Option<&'a str>,
    pub csrf_token: &'a str,
    pub expires_at: i64,
    pub stage: Stage,
    pub user_agent: &'a str,
    pub client: &'a str,
    /// Signed in through a provider: its id and the ID token (the hint for its logout).
    pub sso: Option<&'a SsoSignIn>,
}

/// How a session signed in through a provider: which one, with which ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSignIn {
    pub provider: String,
    pub id_token: String,
}

pub async fn insert(conn: &mut AnyConnection, s: &NewSession<'_>) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, stage, public_id, \
         user_agent, client, last_used_at, sso_provider, id_token) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(s.token_hash)
    .bind(s.user_id)
    .bind(s.csrf_token)
    .bind(now)
    .bind(s.expires_at)
    .bind(s.stage.code())
    .bind(new_id())
    .bind(s.user_agent.chars().take(300).collect::<String>())
    .bind(s.client.chars().take(64).collect::<String>())
    .bind(now)
    .bind(s.sso.map(|x| x.provider.as_str()))
    .bind(s.sso.map(|x| x.id_token.as_str()))
    .execute(conn)
    .await?;
    Ok(())
}

/// The session, when it exists and has not expired; notes its use at most once a minute.
pub async fn get(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<Session>> {
    let now = now_ms();
    let row = sqlx::query(
        "SELECT user_id, csrf_token, expires_at, stage, last_used_at FROM sessions \
         WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let last_used: Option<i64> = r.try_get("last_used_at")?;
    if last_used.is_none_or(|at| at < now - 60_000) {
        sqlx::query("UPDATE sessions SET last_used_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(conn)
            .await?;
    }
    Ok(Some(Session {
        user_id: r.try_get("user_id")?,
        csrf_token: r.try_get("csrf_token")?,
        expires_at: r.try_get("expires_at")?,
        stage: Stage::parse(&r.try_get::<String, _>("stage")?),
    }))
}

/// A signed-in session as its owner sees it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub public_id: String,
    pub token_hash: String,
    pub user_agent: Option<String>,
    pub client: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The user's live, full sessions, the most recently used first.
pub async fn for_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Listed>> {
    let rows = sqlx::query(
        "SELECT public_id, token_hash, user_agent, client, created_at, last_used_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND stage = 'full' \
         ORDER BY COALESCE(last_used_at, created_at) DESC",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                public_id: r.try_get::<Option<String>, _>("public_id")?.unwrap_or_default(),
                token_hash: r.try_get("token_hash")?,
                user_agent: r.try_get("user_agent")?,
                client: r.try_get("client")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

pub async fn delete(conn: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

/// Ends a session that waits for its second step; `None` when it is gone (ended meanwhile), else
/// how it signed in (through a provider or not), for the session that follows it.
pub async fn take_pending(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<Option<SsoSignIn>>> {
    let sso = sso_of(conn, token_hash).await?;
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND stage <> 'full'")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok((done.rows_affected() == 1).then_some(sso))
}

/// Ends a session; returns how it signed in when through a provider (for the provider's logout).
pub async fn take(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<SsoSignIn>> {
    let sso = sso_of(conn, token_hash).await?;
    delete(conn, token_hash).await?;
    Ok(sso)
}

async fn sso_of(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<SsoSignIn>> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT sso_provider, id_token FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some((Some(provider), Some(id_token))) => Some(SsoSignIn { provider, id_token }),
        _ => None,
    })
}

/// Ends one of the user's sessions by the id its owner sees; `false` when there is none.
pub async fn delete_listed(conn: &mut AnyConnection, user_id: &str, public_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
        .bind(user_id)
        .bind(public_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of a user (after a password change), except `keep` (a token hash; an
/// empty one keeps none).
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
