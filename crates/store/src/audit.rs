//! The audit log: who changed what, when. Appended in the same transaction as the change.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

pub async fn append(
    conn: &mut AnyConnection,
    actor_id: Option<&str>,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(new_id())
        .bind(now_ms())
        .bind(actor_id)
        .bind(action)
        .bind(entity)
        .bind(entity_id)
        .bind(detail.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub at: i64,
    /// The acting user's name; `None` for the system (CLI, demo loader).
    pub actor_name: Option<String>,
    pub action: String,
}

/// The latest `limit` entries about one entity, newest first.
pub async fn for_entity(conn: &mut AnyConnection, entity: &str, entity_id: &str, limit: i64) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT a.at, u.name AS actor_name, a.action FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
         WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.at DESC, a.id DESC LIMIT $3",
    )
    .bind(entity)
    .bind(entity_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok(Entry { at: r.try_get("at")?, actor_name: r.try_get("actor_name")?, action: r.try_get("action")? }))
        .collect()
}
