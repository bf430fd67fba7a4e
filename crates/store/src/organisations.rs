//! Organisations and the public school finder.

use domain::{Organisation, OrganisationDraft, OrganisationKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms, unique};

pub(crate) const ORG_COLUMNS: &str =
    "o.id, o.name, o.kind, o.duo_code, o.place, o.municipality, o.website, o.note, o.archived";

pub(crate) fn org_from_row(row: &AnyRow) -> Result<Organisation> {
    let kind: String = row.try_get("kind")?;
    Ok(Organisation {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: OrganisationKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("organisation kind {kind}")))?,
        duo_code: row.try_get("duo_code")?,
        place: row.try_get("place")?,
        municipality: row.try_get("municipality")?,
        website: row.try_get("website")?,
        note: row.try_get("note")?,
        archived: row.try_get::<i64, _>("archived")? != 0,
    })
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Organisation>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(org_from_row).transpose()
}

pub async fn by_duo_code(conn: &mut AnyConnection, code: &str) -> Result<Option<Organisation>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM organisations o WHERE o.duo_code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(conn).await?;
    row.as_ref().map(org_from_row).transpose()
}

/// All organisations whose name, place or DUO code contains `q` (case-insensitive), at most `limit`.
pub async fn search(conn: &mut AnyConnection, q: &str, limit: i64) -> Result<Vec<Organisation>> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.archived = 0 AND ($1 = '' OR {MATCH}) \
         ORDER BY o.name LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(like_pattern(q)).bind(limit).fetch_all(conn).await?;
    rows.iter().map(org_from_row).collect()
}

const MATCH: &str = "(LOWER(o.name) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(o.place, '')) LIKE $1 ESCAPE '\\' \
     OR LOWER(COALESCE(o.duo_code, '')) LIKE $1 ESCAPE '\\')";

/// `%q%`, lower-cased, with LIKE's wildcards escaped; empty for an empty query.
pub(crate) fn like_pattern(q: &str) -> String {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return String::new();
    }
    let escaped: String = q
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// One hit of the school finder: the school, and the region it takes part in (if any).
#[derive(Debug, Clone)]
pub struct SchoolHit {
    pub school: Organisation,
    pub region: Option<SchoolRegion>,
}

#[derive(Debug, Clone)]
pub struct SchoolRegion {
    pub slug: String,
    pub name: String,
    pub contact_name: Option<String>,
    pub contact_role: Option<String>,
    pub contact_email: Option<String>,
}

/// The school finder: schools whose name, place or DUO code matches, each with its active region.
pub async fn find_schools(conn: &mut AnyConnection, q: &str, limit: i64) -> Result<Vec<SchoolHit>> {
    let pattern = like_pattern(q);
    if pattern.is_empty() {
        return Ok(Vec::new());
    }
    schools(conn, Some(pattern), limit).await
}

/// Every school of the finder with its region, for the search index.
pub async fn all_schools(conn: &mut AnyConnection) -> Result<Vec<SchoolHit>> {
    schools(conn, None, i64::MAX).await
}

/// Schools matching a LIKE pattern (all when `None`), with their regions.
async fn schools(conn: &mut AnyConnection, pattern: Option<String>, limit: i64) -> Result<Vec<SchoolHit>> {
    let kinds = OrganisationKind::ALL
        .iter()
        .filter(|k| k.in_school_finder())
        .map(|k| format!("'{}'", k.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {ORG_COLUMNS}, r.slug AS region_slug, r.name AS region_name, r.contact_name, r.contact_role, \
         r.contact_email FROM organisations o \
         LEFT JOIN memberships m ON m.organisation_id = o.id \
         LEFT JOIN regions r ON r.id = m.region_id AND r.archived = 0 \
         WHERE o.archived = 0 AND o.kind IN ({kinds}) AND {filter} \
         ORDER BY o.name, r.name LIMIT {limit_param}",
        filter = if pattern.is_some() { MATCH } else { "1 = 1" },
        limit_param = if pattern.is_some() { "$2" } else { "$1" },
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(p) = pattern {
        query = query.bind(p);
    }
    let rows = query.bind(limit).fetch_all(conn).await?;
    let mut hits: Vec<SchoolHit> = Vec::with_capacity(rows.len());
    for row in &rows {
        let school = org_from_row(row)?;
        let region = match row.try_get::<Option<String>, _>("region_slug")? {
            Some(slug) => Some(SchoolRegion {
                slug,
                name: row.try_get("region_name")?,
                contact_name: row.try_get("contact_name")?,
                contact_role: row.try_get("contact_role")?,
                contact_email: row.try_get("contact_email")?,
            }),
            None => None,
        };
        hits.push(SchoolHit { school, region });
    }
    // A membership of an archived region yields a row without region; drop it when the school has another.
    let with_region: std::collections::HashSet<String> =
        hits.iter().filter(|h| h.region.is_some()).map(|h| h.school.id.clone()).collect();
    hits.retain(|h| h.region.is_some() || !with_region.contains(&h.school.id));
    hits.dedup_by(|a, b| a.school.id == b.school.id && a.region.is_none() && b.region.is_none());
    Ok(hits)
}

pub async fn insert(conn: &mut AnyConnection, draft: &OrganisationDraft, note: Option<&str>) -> Result<Organisation> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO organisations (id, name, kind, duo_code, place, website, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(&draft.name)
    .bind(draft.kind.code())
    .bind(draft.duo_code.as_ref().map(|c| c.as_str()))
    .bind(&draft.place)
    .bind(&draft.website)
    .bind(note)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(unique)?;
    by_id(conn, &id).await?.ok_or(StoreError::NotFound)
}

pub async fn update(conn: &mut AnyConnection, id: &str, draft: &OrganisationDraft) -> Result<()> {
    let done = sqlx::query(
        "UPDATE organisations SET name = $2, kind = $3, duo_code = $4, place = $5, website = $6, updated_at = $7 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&draft.name)
    .bind(draft.kind.code())
    .bind(draft.duo_code.as_ref().map(|c| c.as_str()))
    .bind(&draft.place)
    .bind(&draft.website)
    .bind(now_ms())
    .execute(conn)
    .await
    .map_err(unique)?;
    if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("  Kei "), "%kei%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        assert_eq!(like_pattern("   "), "");
    }
}
