//! Regions and the memberships of organisations in them.

use domain::region::{RegionIdentity, RegionKind};
use domain::{Organisation, Region, RegionProfile};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::organisations::{ORG_COLUMNS, org_from_row};
use crate::{Result, StoreError, flag, new_id, now_ms, unique};

const COLUMNS: &str = "id, slug, name, kind, province, description, contact_name, contact_role, contact_email, \
     contact_phone, theme_tags, lead_applicant_id, source, archived, version";

fn from_row(row: &AnyRow) -> Result<Region> {
    let kind: Option<String> = row.try_get("kind")?;
    let tags: String = row.try_get("theme_tags")?;
    Ok(Region {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        kind: kind.as_deref().and_then(RegionKind::parse),
        province: row.try_get("province")?,
        profile: RegionProfile {
            description: row.try_get("description")?,
            contact_name: row.try_get("contact_name")?,
            contact_role: row.try_get("contact_role")?,
            contact_email: row.try_get("contact_email")?,
            contact_phone: row.try_get("contact_phone")?,
            theme_tags: serde_json::from_str(&tags).map_err(|e| StoreError::Corrupt(format!("theme_tags: {e}")))?,
        },
        lead_applicant_id: row.try_get("lead_applicant_id")?,
        source: row.try_get("source")?,
        archived: row.try_get::<i64, _>("archived")? != 0,
        version: row.try_get("version")?,
    })
}

/// What lists of regions show: identity, type and how many organisations take part.
#[derive(Debug, Clone)]
pub struct RegionSummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: Option<RegionKind>,
    pub province: String,
    pub archived: bool,
    pub version: i64,
    pub members: i64,
}

/// Regions by province and name; only the columns a list needs (this is the API's hottest query).
pub async fn list(conn: &mut AnyConnection, include_archived: bool) -> Result<Vec<RegionSummary>> {
    let rows = sqlx::query(
        "SELECT id, slug, name, kind, province, archived, version, \
         (SELECT COUNT(*) FROM memberships m WHERE m.region_id = regions.id) AS members \
         FROM regions WHERE archived = 0 OR $1 = 1 ORDER BY province, name",
    )
    .bind(flag(include_archived))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: Option<String> = row.try_get("kind")?;
            Ok(RegionSummary {
                id: row.try_get("id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                kind: kind.as_deref().and_then(RegionKind::parse),
                province: row.try_get("province")?,
                archived: row.try_get::<i64, _>("archived")? != 0,
                version: row.try_get("version")?,
                members: row.try_get("members")?,
            })
        })
        .collect()
}

pub async fn by_slug(conn: &mut AnyConnection, slug: &str) -> Result<Option<Region>> {
    let sql = format!("SELECT {COLUMNS} FROM regions WHERE slug = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Region>> {
    let sql = format!("SELECT {COLUMNS} FROM regions WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn insert(
    conn: &mut AnyConnection,
    identity: &RegionIdentity,
    profile: &RegionProfile,
    source: Option<&str>,
) -> Result<Region> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO regions (id, slug, name, kind, province, description, contact_name, contact_role, contact_email, \
         contact_phone, theme_tags, source, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&id)
    .bind(&identity.slug)
    .bind(&identity.name)
    .bind(identity.kind.map(RegionKind::code))
    .bind(&identity.province)
    .bind(&profile.description)
    .bind(&profile.contact_name)
    .bind(&profile.contact_role)
    .bind(&profile.contact_email)
    .bind(&profile.contact_phone)
    .bind(tags_json(profile))
    .bind(source)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(unique)?;
    by_id(conn, &id).await?.ok_or(StoreError::NotFound)
}

fn tags_json(profile: &RegionProfile) -> String {
    serde_json::to_string(&profile.theme_tags).unwrap_or_else(|_| "[]".into())
}

/// Bumps the version when `expected_version` still holds, else `Conflict`.
async fn bump(conn: &mut AnyConnection, id: &str, expected_version: i64) -> Result<()> {
    let done = sqlx::query("UPDATE regions SET version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(expected_version)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::Conflict) }
}

pub async fn update_profile(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    profile: &RegionProfile,
) -> Result<()> {
    bump(conn, id, expected_version).await?;
    sqlx::query(
        "UPDATE regions SET description = $2, contact_name = $3, contact_role = $4, contact_email = $5, \
         contact_phone = $6, theme_tags = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(&profile.description)
    .bind(&profile.contact_name)
    .bind(&profile.contact_role)
    .bind(&profile.contact_email)
    .bind(&profile.contact_phone)
    .bind(tags_json(profile))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_identity(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    identity: &RegionIdentity,
) -> Result<()> {
    bump(conn, id, expected_version).await?;
    sqlx::query("UPDATE regions SET slug = $2, name = $3, kind = $4, province = $5 WHERE id = $1")
        .bind(id)
        .bind(&identity.slug)
        .bind(&identity.name)
        .bind(identity.kind.map(RegionKind::code))
        .bind(&identity.province)
        .execute(conn)
        .await
        .map_err(unique)?;
    Ok(())
}

pub async fn set_archived(conn: &mut AnyConnection, id: &str, archived: bool) -> Result<()> {
    sqlx::query("UPDATE regions SET archived = $2, version = version + 1, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(flag(archived))
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_lead_applicant(conn: &mut AnyConnection, id: &str, organisation_id: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE regions SET lead_applicant_id = $2, version = version + 1, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(organisation_id)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// The organisations taking part in a region, by kind and name.
pub async fn members(conn: &mut AnyConnection, region_id: &str) -> Result<Vec<Organisation>> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM organisations o JOIN memberships m ON m.organisation_id = o.id \
         WHERE m.region_id = $1 ORDER BY o.kind, o.name"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region_id).fetch_all(conn).await?;
    rows.iter().map(org_from_row).collect()
}

/// Every region that is not archived (by province and name, as the region list) with the DUO
/// codes of its members' locations, in one query (the indicators' inputs).
pub async fn duo_codes_by_region(conn: &mut AnyConnection) -> Result<Vec<(String, Vec<String>)>> {
    let rows = sqlx::query(
        "SELECT r.slug, o.duo_code FROM regions r \
         LEFT JOIN memberships m ON m.region_id = r.id LEFT JOIN organisations o ON o.id = m.organisation_id \
         WHERE r.archived = 0 ORDER BY r.province, r.name, r.slug, o.duo_code",
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for row in rows {
        let slug: String = row.try_get("slug")?;
        let code: Option<String> = row.try_get("duo_code")?;
        if out.last().is_none_or(|(s, _)| *s != slug) {
            out.push((slug, Vec::new()));
        }
        if let Some(code) = code {
            out.last_mut().expect("pushed above").1.push(code);
        }
    }
    Ok(out)
}

/// Adds a membership; `false` when it already existed.
pub async fn add_member(conn: &mut AnyConnection, region_id: &str, organisation_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO memberships (region_id, organisation_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (region_id, organisation_id) DO NOTHING",
    )
    .bind(region_id)
    .bind(organisation_id)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_member(conn: &mut AnyConnection, region_id: &str, organisation_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM memberships WHERE region_id = $1 AND organisation_id = $2")
        .bind(region_id)
        .bind(organisation_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE regions SET lead_applicant_id = NULL WHERE id = $1 AND lead_applicant_id = $2")
        .bind(region_id)
        .bind(organisation_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ids of the regions an organisation takes part in.
pub async fn regions_of(conn: &mut AnyConnection, organisation_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT region_id FROM memberships WHERE organisation_id = $1")
        .bind(organisation_id)
        .fetch_all(conn)
        .await?)
}

/// What changes when regions, organisations or memberships change: (rows, the latest change),
/// the key of caches built on them.
pub async fn generation(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM regions) + (SELECT COUNT(*) FROM organisations) \
         + (SELECT COUNT(*) FROM memberships) AS n, \
         (SELECT COALESCE(MAX(updated_at), 0) FROM regions) + (SELECT COALESCE(MAX(updated_at), 0) FROM organisations) \
         AS latest",
    )
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("n")?, row.try_get("latest")?))
}
