//! Which municipalities a region covers: the municipalities of its members' DUO locations, and
//! the national team's corrections.

use sqlx::{AnyConnection, Row};

use crate::Result;

/// For every member of an active region: (region id, the names that may say its municipality,
/// best first: the registry's municipality, its DUO location's, its place).
pub async fn member_municipalities(conn: &mut AnyConnection) -> Result<Vec<(String, Vec<String>)>> {
    let rows = sqlx::query(
        "SELECT m.region_id, o.municipality, o.place, \
         (SELECT l.municipality FROM duo_locations l WHERE l.code = o.duo_code) AS duo_municipality \
         FROM memberships m JOIN organisations o ON o.id = m.organisation_id JOIN regions r ON r.id = m.region_id \
         WHERE r.archived = 0 AND o.archived = 0",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let names = ["municipality", "duo_municipality", "place"]
                .iter()
                .map(|c| r.try_get::<Option<String>, _>(*c))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok((r.try_get("region_id")?, names.into_iter().flatten().collect()))
        })
        .collect()
}

/// The national team's corrections: (region id, municipality code, covered).
pub async fn overrides(conn: &mut AnyConnection) -> Result<Vec<(String, String, bool)>> {
    let rows =
        sqlx::query("SELECT region_id, municipality, covered FROM region_coverage ORDER BY region_id, municipality")
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("region_id")?, r.try_get("municipality")?, r.try_get::<i64, _>("covered")? == 1)))
        .collect()
}

/// Records a correction, or removes it (`None`: back to what the members say).
pub async fn set(
    conn: &mut AnyConnection,
    region_id: &str,
    municipality: &str,
    covered: Option<bool>,
    user_id: Option<&str>,
) -> Result<()> {
    sqlx::query("DELETE FROM region_coverage WHERE region_id = $1 AND municipality = $2")
        .bind(region_id)
        .bind(municipality)
        .execute(&mut *conn)
        .await?;
    if let Some(covered) = covered {
        sqlx::query(
            "INSERT INTO region_coverage (region_id, municipality, covered, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(region_id)
        .bind(municipality)
        .bind(i64::from(covered))
        .bind(user_id)
        .bind(crate::now_ms())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// DUO's vmbo locations whose code, name or municipality matches `q` and that no organisation of
/// the registry carries: (code, name, municipality).
pub async fn unregistered_vmbo_locations(
    conn: &mut AnyConnection,
    q: &str,
    limit: i64,
) -> Result<Vec<(String, String, String)>> {
    let pattern = crate::organisations::like_pattern(q);
    if pattern.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT l.code, l.name, l.municipality FROM duo_locations l \
         WHERE l.vmbo = 1 AND (LOWER(l.name) LIKE $1 ESCAPE '\\' OR LOWER(l.code) LIKE $1 ESCAPE '\\' \
         OR LOWER(l.municipality) LIKE $1 ESCAPE '\\' OR LOWER(l.place) LIKE $1 ESCAPE '\\') \
         AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.duo_code = l.code) \
         ORDER BY l.name LIMIT $2",
    )
    .bind(&pattern)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?, r.try_get("municipality")?))).collect()
}

/// One DUO vmbo location by code: (name, municipality).
pub async fn vmbo_location(conn: &mut AnyConnection, code: &str) -> Result<Option<(String, String)>> {
    let row = sqlx::query("SELECT name, municipality FROM duo_locations WHERE code = $1 AND vmbo = 1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("name")?, r.try_get("municipality")?))).transpose()
}

/// Every DUO vmbo location: (code, name, municipality).
pub async fn vmbo_locations(conn: &mut AnyConnection) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query("SELECT code, name, municipality FROM duo_locations WHERE vmbo = 1 ORDER BY name, code")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?, r.try_get("municipality")?))).collect()
}
