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
    pub actor_id: Option<String>,
    pub action: String,
    pub detail: String,
}

pub async fn for_entity(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<Entry>> {
    let rows = sqlx::query("SELECT at, actor_id, action, detail FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY at, id")
        .bind(entity)
        .bind(entity_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Entry {
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                action: r.try_get("action")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}
