//! Small key/value facts about the installation (e.g. that the demo set was loaded).

use sqlx::AnyConnection;

use crate::Result;

pub async fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(conn).await?)
}

pub async fn set(conn: &mut AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets `key` unless it is set already, and returns the value that holds: when two instances
/// start at once, both end up with the first one's value.
pub async fn get_or_insert(conn: &mut AnyConnection, key: &str, value: &str) -> Result<String> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(get(conn, key).await?.unwrap_or_else(|| value.to_owned()))
}
