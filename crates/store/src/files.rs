//! Stored files, once per content (SHA-256), in the database beside what names them.

use sqlx::{AnyConnection, Row};

use crate::{Result, now_ms};

/// Keeps `bytes` under `sha256` (the caller computed it from them); nothing happens when that
/// content is stored already.
pub async fn put(conn: &mut AnyConnection, sha256: &str, content_type: &str, bytes: &[u8]) -> Result<()> {
    sqlx::query(
        "INSERT INTO stored_files (sha256, size, content_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(content_type)
    .bind(bytes)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// The bytes stored under `sha256`.
pub async fn get(conn: &mut AnyConnection, sha256: &str) -> Result<Option<Vec<u8>>> {
    let row = sqlx::query("SELECT bytes FROM stored_files WHERE sha256 = $1").bind(sha256).fetch_optional(conn).await?;
    Ok(match row {
        Some(row) => Some(row.try_get("bytes")?),
        None => None,
    })
}

/// Whether bytes are stored under `sha256`.
pub async fn exists(conn: &mut AnyConnection, sha256: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stored_files WHERE sha256 = $1").bind(sha256).fetch_one(conn).await?;
    Ok(n > 0)
}

/// Notes that `region_id` uploaded the agreement stored under `sha256`.
pub async fn add_agreement(conn: &mut AnyConnection, region_id: &str, sha256: &str) -> Result<()> {
    sqlx::query("INSERT INTO agreement_files (region_id, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(region_id)
        .bind(sha256)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `region_id` uploaded the agreement stored under `sha256`.
pub async fn is_agreement_of(conn: &mut AnyConnection, region_id: &str, sha256: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agreement_files WHERE region_id = $1 AND sha256 = $2")
        .bind(region_id)
        .bind(sha256)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}
