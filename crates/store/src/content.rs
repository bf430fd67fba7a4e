//! The knowledge base's items and the files of its documents.

use domain::content::{Details, Draft, Item, Kind, Status};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, new_id, now_ms};

const SELECT: &str = "SELECT id, slug, region_id, title, summary, body, details, status, publish_on, version, \
     updated_at FROM content_items";

fn from_row(r: &AnyRow) -> Result<Item> {
    let details: String = r.try_get("details")?;
    let details: Details =
        serde_json::from_str(&details).map_err(|e| StoreError::Corrupt(format!("content details: {e}")))?;
    let status = match r.try_get::<String, _>("status")?.as_str() {
        "gepubliceerd" => Status::Gepubliceerd,
        _ => Status::Concept,
    };
    let publish_on: Option<String> = r.try_get("publish_on")?;
    Ok(Item {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        region_id: r.try_get("region_id")?,
        draft: Draft {
            title: r.try_get("title")?,
            summary: r.try_get("summary")?,
            body: r.try_get("body")?,
            details,
            status,
            publish_on: publish_on.and_then(|d| d.parse().ok()),
        },
        version: r.try_get("version")?,
        updated_at: jiff::Timestamp::from_millisecond(r.try_get("updated_at")?).unwrap_or_default(),
    })
}

fn status_code(s: Status) -> &'static str {
    match s {
        Status::Concept => "concept",
        Status::Gepubliceerd => "gepubliceerd",
    }
}

fn details_json(d: &Details) -> String {
    serde_json::to_string(d).unwrap_or_default()
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a draft's columns (title … sort_date, members_only), then the time and the editor, in that order.
fn bind_draft<'q>(q: Query<'q>, d: &'q Draft, now: i64, user_id: Option<&'q str>) -> Query<'q> {
    q.bind(&d.title)
        .bind(&d.summary)
        .bind(&d.body)
        .bind(details_json(&d.details))
        .bind(status_code(d.status))
        .bind(d.publish_on.map(|x| x.to_string()))
        .bind(d.date(jiff::Timestamp::from_millisecond(now).unwrap_or_default()).to_string())
        .bind(i64::from(matches!(d.details, Details::Document { members_only: true, .. })))
        .bind(now)
        .bind(user_id)
}

/// A slug not yet taken for this kind: the title's, with `-2`, `-3`, … when needed.
async fn free_slug(conn: &mut AnyConnection, kind: Kind, base: &str) -> Result<String> {
    let base = if base.is_empty() { "item".to_owned() } else { base.chars().take(80).collect() };
    let taken: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM content_items WHERE kind = $1 AND (slug = $2 OR slug LIKE $3)")
            .bind(kind.code())
            .bind(&base)
            .bind(format!("{base}-%"))
            .fetch_all(&mut *conn)
            .await?;
    let mut slug = base.clone();
    let mut n = 1;
    while taken.contains(&slug) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    Ok(slug)
}

pub async fn insert(
    conn: &mut AnyConnection,
    region_id: Option<&str>,
    d: &Draft,
    user_id: Option<&str>,
) -> Result<Item> {
    let id = new_id();
    let now = now_ms();
    let kind = d.details.kind();
    let slug = free_slug(conn, kind, &domain::slugify(&d.title)).await?;
    let query = sqlx::query(
        "INSERT INTO content_items (id, kind, slug, region_id, title, summary, body, details, status, publish_on, \
         sort_date, members_only, version, created_at, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13, $14)",
    )
    .bind(&id)
    .bind(kind.code())
    .bind(&slug)
    .bind(region_id);
    bind_draft(query, d, now, user_id).execute(&mut *conn).await?;
    by_id(conn, &id).await?.ok_or(StoreError::NotFound)
}

/// Replaces an item's text and fields when `expected_version` still holds, else `Conflict`.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    d: &Draft,
    user_id: Option<&str>,
) -> Result<Item> {
    let now = now_ms();
    let query = sqlx::query(
        "UPDATE content_items SET title = $3, summary = $4, body = $5, details = $6, status = $7, publish_on = $8, \
         sort_date = $9, members_only = $10, version = version + 1, updated_at = $11, updated_by = $12 \
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(expected_version);
    let done = bind_draft(query, d, now, user_id).execute(&mut *conn).await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    by_id(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Item>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"))).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_slug(conn: &mut AnyConnection, kind: Kind, slug: &str) -> Result<Option<Item>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE kind = $1 AND slug = $2")))
        .bind(kind.code())
        .bind(slug)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Which items a list reads.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub kind: Option<Kind>,
    /// `Some(None)`: national only; `Some(Some(id))`: national and this region's; `None`: all.
    pub region: Option<Option<&'a str>>,
    /// Only what is published on this day (`YYYY-MM-DD`); `None`: drafts too.
    pub published_on: Option<String>,
    /// With `published_on`: members-only documents too.
    pub members: bool,
    pub limit: Option<i64>,
}

/// The items a query selects, newest date first.
pub async fn list(conn: &mut AnyConnection, q: &ListQuery<'_>) -> Result<Vec<Item>> {
    let mut conditions = Vec::new();
    let mut binds: Vec<Option<String>> = Vec::new();
    let param = |value: Option<String>, binds: &mut Vec<Option<String>>| {
        binds.push(value);
        format!("${}", binds.len())
    };
    if let Some(k) = q.kind {
        conditions.push(format!("kind = {}", param(Some(k.code().to_owned()), &mut binds)));
    }
    match q.region {
        None => {}
        Some(None) => conditions.push("region_id IS NULL".to_owned()),
        Some(Some(r)) => {
            conditions.push(format!("(region_id IS NULL OR region_id = {})", param(Some(r.to_owned()), &mut binds)))
        }
    }
    if let Some(day) = &q.published_on {
        let p = param(Some(day.clone()), &mut binds);
        conditions.push(format!("status = 'gepubliceerd' AND (publish_on IS NULL OR publish_on <= {p})"));
        if !q.members {
            conditions.push("members_only = 0".to_owned());
        }
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let limit = q.limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    let sql = format!("{SELECT}{filter} ORDER BY sort_date DESC, id DESC{limit}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// What changes with every edit: (items, the latest change), the key of caches built on them.
pub async fn generation(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), 0) AS latest FROM content_items")
        .fetch_one(conn)
        .await?;
    Ok((row.try_get("n")?, row.try_get("latest")?))
}

/// A version of a document's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileVersion {
    pub version: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub note: String,
    pub uploaded_at: i64,
}

pub async fn add_file(conn: &mut AnyConnection, item_id: &str, f: &FileVersion, user_id: Option<&str>) -> Result<i64> {
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM content_files WHERE item_id = $1")
        .bind(item_id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO content_files (item_id, version, file_name, content_type, size, sha256, note, uploaded_at, \
         uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(item_id)
    .bind(next)
    .bind(&f.file_name)
    .bind(&f.content_type)
    .bind(f.size)
    .bind(&f.sha256)
    .bind(&f.note)
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(next)
}

/// A document's file versions, newest first.
pub async fn files(conn: &mut AnyConnection, item_id: &str) -> Result<Vec<FileVersion>> {
    let rows = sqlx::query(
        "SELECT version, file_name, content_type, size, sha256, note, uploaded_at FROM content_files \
         WHERE item_id = $1 ORDER BY version DESC",
    )
    .bind(item_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FileVersion {
                version: r.try_get("version")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                note: r.try_get("note")?,
                uploaded_at: r.try_get("uploaded_at")?,
            })
        })
        .collect()
}
