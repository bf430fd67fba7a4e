//! Users, their role grants, invitations and API tokens.

use domain::user::User;
use domain::{Grant, Role};
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms, unique};

/// A user with the stored password hash, for signing in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
}

pub async fn insert(conn: &mut AnyConnection, email: &str, name: &str, password_hash: &str) -> Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(unique)?;
    Ok(id)
}

pub async fn credentials(conn: &mut AnyConnection, email: &str) -> Result<Option<Credentials>> {
    let row =
        sqlx::query("SELECT id, password_hash FROM users WHERE email = $1").bind(email).fetch_optional(conn).await?;
    row.map(|r| Ok(Credentials { user_id: r.try_get("id")?, password_hash: r.try_get("password_hash")? })).transpose()
}

pub async fn password_hash(conn: &mut AnyConnection, user_id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn set_password_hash(conn: &mut AnyConnection, user_id: &str, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1").bind(user_id).bind(hash).execute(conn).await?;
    Ok(())
}

/// A new e-mail address; `Duplicate` when another account has it.
pub async fn set_email(conn: &mut AnyConnection, user_id: &str, email: &str) -> Result<()> {
    sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .execute(conn)
        .await
        .map_err(unique)?;
    Ok(())
}

pub async fn id_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_optional(conn).await?)
}

pub async fn grants(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Grant>> {
    let rows = sqlx::query(
        "SELECT role, region_id, organisation_id, signatory FROM role_grants WHERE user_id = $1 \
         ORDER BY role, region_id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let role: String = r.try_get("role")?;
            Ok(Grant {
                role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
                region_id: r.try_get("region_id")?,
                organisation_id: r.try_get("organisation_id")?,
                signatory: r.try_get::<i64, _>("signatory")? == 1,
            })
        })
        .collect()
}

/// Where a role is held: the region, and the organisation the holder acts for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub region_id: Option<&'a str>,
    pub organisation_id: Option<&'a str>,
}

/// Grants a role; `false` when the user already held it there.
pub async fn grant(conn: &mut AnyConnection, user_id: &str, role: Role, scope: Scope<'_>) -> Result<bool> {
    let held = grants(&mut *conn, user_id).await?;
    if held.iter().any(|g| {
        g.role == role
            && g.region_id.as_deref() == scope.region_id
            && g.organisation_id.as_deref() == scope.organisation_id
    }) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO role_grants (id, user_id, role, region_id, organisation_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(role.code())
    .bind(scope.region_id)
    .bind(scope.organisation_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(true)
}

/// Marks or unmarks the grant as one that may sign for its organisation; `false` when there is
/// no such grant.
pub async fn set_signatory(
    conn: &mut AnyConnection,
    user_id: &str,
    (role, region_id, organisation_id): (Role, &str, &str),
    signatory: bool,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE role_grants SET signatory = $5 WHERE user_id = $1 AND role = $2 AND region_id = $3 \
         AND organisation_id = $4",
    )
    .bind(user_id)
    .bind(role.code())
    .bind(region_id)
    .bind(organisation_id)
    .bind(i64::from(signatory))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Who may sign for an organisation in `region_id`: (organisation id, user id, name, e-mail
/// address), by organisation and name.
pub async fn signatories(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<(String, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT g.organisation_id, u.id, u.name, u.email FROM users u JOIN role_grants g ON g.user_id = u.id \
         WHERE g.region_id = $1 AND g.organisation_id IS NOT NULL AND g.signatory = 1 \
         ORDER BY g.organisation_id, u.name",
    )
    .bind(region_id)
    .fetch_all(conn)
    .await?)
}

pub async fn by_id(conn: &mut AnyConnection, user_id: &str) -> Result<Option<User>> {
    let row =
        sqlx::query("SELECT id, email, name FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut *conn).await?;
    let Some(row) = row else { return Ok(None) };
    let grants = grants(conn, user_id).await?;
    Ok(Some(User { id: row.try_get("id")?, email: row.try_get("email")?, name: row.try_get("name")?, grants }))
}

/// All users, or those holding a role in `region_id`, with their grants.
pub async fn list(conn: &mut AnyConnection, region_id: Option<&str>) -> Result<Vec<User>> {
    let rows = sqlx::query(
        "SELECT id, email, name FROM users u WHERE $1 = '' \
         OR EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.region_id = $1) ORDER BY name, email",
    )
    .bind(region_id.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get("id")?;
        let grants = grants(&mut *conn, &id).await?;
        users.push(User { id, email: row.try_get("email")?, name: row.try_get("name")?, grants });
    }
    Ok(users)
}

/// Who holds `role` in `region_id`: (user id, e-mail, name).
pub async fn holding(conn: &mut AnyConnection, region_id: &str, role: Role) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT u.id, u.email, u.name FROM users u JOIN role_grants g ON g.user_id = u.id \
         WHERE g.region_id = $1 AND g.role = $2 ORDER BY u.email",
    )
    .bind(region_id)
    .bind(role.code())
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("email")?, r.try_get("name")?))).collect()
}

/// Who holds a national `role` (the funder's staff): (user id, e-mail, name).
pub async fn holding_nationally(conn: &mut AnyConnection, role: Role) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT u.id, u.email, u.name FROM users u JOIN role_grants g ON g.user_id = u.id \
         WHERE g.region_id IS NULL AND g.role = $1 ORDER BY u.email",
    )
    .bind(role.code())
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("email")?, r.try_get("name")?))).collect()
}

pub struct NewInvitation<'a> {
    pub token_hash: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub region_id: Option<&'a str>,
    pub organisation_id: Option<&'a str>,
    pub invited_by: &'a str,
    pub expires_at: i64,
}

pub async fn insert_invitation(conn: &mut AnyConnection, inv: &NewInvitation<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO invitations (token_hash, email, role, region_id, organisation_id, invited_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(inv.token_hash)
    .bind(inv.email)
    .bind(inv.role.code())
    .bind(inv.region_id)
    .bind(inv.organisation_id)
    .bind(inv.invited_by)
    .bind(now_ms())
    .bind(inv.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    pub region_id: Option<String>,
    pub organisation_id: Option<String>,
    pub expires_at: i64,
    pub accepted: bool,
}

pub async fn invitation(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<Invitation>> {
    let row = sqlx::query(
        "SELECT email, role, region_id, organisation_id, expires_at, accepted_at FROM invitations \
             WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(Invitation {
            email: r.try_get("email")?,
            role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
            region_id: r.try_get("region_id")?,
            organisation_id: r.try_get("organisation_id")?,
            expires_at: r.try_get("expires_at")?,
            accepted: r.try_get::<Option<i64>, _>("accepted_at")?.is_some(),
        })
    })
    .transpose()
}

/// The token hash of the newest open invitation for `email` (not used, not expired).
pub async fn open_invitation_for(conn: &mut AnyConnection, email: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT token_hash FROM invitations WHERE email = $1 AND accepted_at IS NULL AND expires_at > $2 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(now_ms())
    .fetch_optional(conn)
    .await?)
}

/// Marks an invitation used; `false` when someone else used it first.
pub async fn accept_invitation(conn: &mut AnyConnection, token_hash: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE invitations SET accepted_at = $2 WHERE token_hash = $1 AND accepted_at IS NULL")
        .bind(token_hash)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A new key for `user_id`, valid until `expires_at`.
pub async fn insert_api_token(
    conn: &mut AnyConnection,
    user_id: &str,
    name: &str,
    token_hash: &str,
    expires_at: i64,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now_ms())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// The user behind a live key (not revoked, not expired); notes its use at most once a minute.
pub async fn user_by_api_token(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<String>> {
    let now = now_ms();
    let user: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    if user.is_some() {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1              AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(token_hash)
        .bind(now)
        .bind(now - 60_000)
        .execute(conn)
        .await?;
    }
    Ok(user)
}

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
}

/// The user's live keys.
pub async fn api_tokens(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens          WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// Revokes every live key of a user (after a password change).
pub async fn revoke_all_api_tokens(conn: &mut AnyConnection, user_id: &str) -> Result<u64> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

pub async fn revoke_api_token(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<bool> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(id)
            .bind(user_id)
            .bind(now_ms())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
