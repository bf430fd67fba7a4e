//! The knowledge base: who reads and writes which item, the agenda with the regulation's
//! deadlines in it, and document files with their versions.

use domain::content::{Details, Draft, Item, Kind};
use domain::{Action, Actor, Region};
use serde_json::json;
use store::{audit, content as repo, regions};

use crate::{App, Result, ServiceError};

/// Today in Europe/Amsterdam (the app's clock).
pub fn today(app: &App) -> jiff::civil::Date {
    domain::fmt::date_in_amsterdam(app.now())
}

/// Whether the actor may see the item: the public what is published; signed-in members also
/// members-only documents; editors everything they may edit.
pub fn may_see(app: &App, actor: &Actor, item: &Item) -> bool {
    may_edit(actor, item.region_id.as_deref())
        || item.is_public_on(today(app))
        || (actor.permits(Action::ViewMembersContent)
            && item.draft.status == domain::content::Status::Gepubliceerd
            && item.draft.publish_on.is_none_or(|d| d <= today(app)))
}

pub fn may_edit(actor: &Actor, region_id: Option<&str>) -> bool {
    actor.permits(Action::EditContent { region_id })
}

/// Which items a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub kind: Option<Kind>,
    /// `Some(None)`: national only; `Some(Some(id))`: national and this region's; `None`: all.
    pub region: Option<Option<&'a str>>,
    /// At most this many (the newest).
    pub limit: Option<i64>,
}

/// The items the actor may see, newest first: what is published today (with members-only
/// documents for members), and everything of the scopes the actor edits.
pub async fn list(app: &App, actor: &Actor, filter: &Filter<'_>) -> Result<Vec<Item>> {
    let edits_any = may_edit(actor, None) || actor.managed_regions().next().is_some();
    let query = store::content::ListQuery {
        kind: filter.kind,
        region: filter.region,
        // Editors read drafts too (then filtered per scope below); everyone else only what is out.
        published_on: (!edits_any).then(|| today(app).to_string()),
        members: actor.permits(Action::ViewMembersContent),
        limit: if edits_any { None } else { filter.limit },
    };
    let mut conn = app.db.conn().await?;
    let mut items: Vec<Item> =
        repo::list(&mut conn, &query).await?.into_iter().filter(|i| may_see(app, actor, i)).collect();
    if let Some(n) = filter.limit {
        items.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    Ok(items)
}

/// Every item the actor may edit (drafts included), newest first.
pub async fn editable(app: &App, actor: &Actor) -> Result<Vec<Item>> {
    let mut conn = app.db.conn().await?;
    let all = repo::list(&mut conn, &store::content::ListQuery::default()).await?;
    Ok(all.into_iter().filter(|i| may_edit(actor, i.region_id.as_deref())).collect())
}

/// One item by kind and slug, when the actor may see it.
pub async fn get(app: &App, actor: &Actor, kind: Kind, slug: &str) -> Result<Item> {
    let mut conn = app.db.conn().await?;
    let item = repo::by_slug(&mut conn, kind, slug).await?.ok_or(ServiceError::NotFound)?;
    if may_see(app, actor, &item) { Ok(item) } else { Err(ServiceError::NotFound) }
}

pub async fn by_id(app: &App, actor: &Actor, id: &str) -> Result<Item> {
    let mut conn = app.db.conn().await?;
    let item = repo::by_id(&mut conn, id).await?.ok_or(ServiceError::NotFound)?;
    if may_see(app, actor, &item) { Ok(item) } else { Err(ServiceError::NotFound) }
}

/// Whether the actor may change item `id`: asked before an upload is read.
pub async fn authorize_edit(app: &App, actor: &Actor, id: &str) -> Result<()> {
    let mut conn = app.db.conn().await?;
    let item = repo::by_id(&mut conn, id).await?.ok_or(ServiceError::NotFound)?;
    Ok(actor.require(Action::EditContent { region_id: item.region_id.as_deref() })?)
}

/// The region of a slug, for regional content.
async fn region(app: &App, slug: &str) -> Result<Region> {
    let mut conn = app.db.conn().await?;
    regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)
}

/// Writes a new item, national (`region_slug` `None`) or a region's.
pub async fn create(app: &App, actor: &Actor, region_slug: Option<&str>, draft: Draft) -> Result<Item> {
    let region_id = match region_slug {
        Some(s) => Some(region(app, s).await?.id),
        None => None,
    };
    actor.require(Action::EditContent { region_id: region_id.as_deref() })?;
    let draft = draft.validate()?;
    let mut tx = app.db.begin().await?;
    let item = repo::insert(&mut tx, region_id.as_deref(), &draft, actor.user_id.as_deref()).await?;
    let detail = json!({ "after": item });
    audit::append(&mut tx, actor.user_id.as_deref(), "content.create", "content", &item.id, &detail).await?;
    tx.commit().await?;
    Ok(item)
}

/// Changes an item when `version` is still the stored one (else `Conflict`: someone else saved).
pub async fn update(app: &App, actor: &Actor, id: &str, version: i64, draft: Draft) -> Result<Item> {
    let mut tx = app.db.begin().await?;
    let before = repo::by_id(&mut tx, id).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::EditContent { region_id: before.region_id.as_deref() })?;
    if before.kind() != draft.details.kind() {
        return Err(crate::invalid("kind", "De soort van een item verandert niet."));
    }
    let draft = draft.validate()?;
    let after = repo::update(&mut tx, id, version, &draft, actor.user_id.as_deref()).await?;
    let detail = json!({ "before": before, "after": after });
    audit::append(&mut tx, actor.user_id.as_deref(), "content.update", "content", id, &detail).await?;
    tx.commit().await?;
    Ok(after)
}

/// One line of the agenda: an event of the knowledge base or a deadline of the regulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaEntry {
    /// The item's slug for events; `None` for deadlines.
    pub slug: Option<String>,
    pub title: String,
    pub summary: String,
    /// Local time in Europe/Amsterdam.
    pub starts: jiff::civil::DateTime,
    pub ends: Option<jiff::civil::DateTime>,
    pub place: String,
    pub online_url: String,
    pub registration_url: String,
    /// `None`: national.
    pub region_id: Option<String>,
}

/// The agenda of a scope (as in [`Filter::region`]): its published events and the deadlines of
/// every regulation, by date.
pub async fn agenda(app: &App, actor: &Actor, region: Option<Option<&str>>) -> Result<Vec<AgendaEntry>> {
    let filter = Filter { kind: Some(Kind::Agenda), region, limit: None };
    let mut out: Vec<AgendaEntry> = list(app, actor, &filter)
        .await?
        .into_iter()
        .filter_map(|i| match i.draft.details {
            Details::Agenda { starts, ends, place, online_url, registration_url } => Some(AgendaEntry {
                slug: Some(i.slug),
                title: i.draft.title,
                summary: i.draft.summary,
                starts,
                ends,
                place,
                online_url,
                registration_url,
                region_id: i.region_id,
            }),
            _ => None,
        })
        .collect();
    for reg in &app.regulations.all {
        for phase in &reg.phases {
            out.push(AgendaEntry {
                slug: None,
                title: format!("Uiterste indiening: {}", phase.label),
                summary: format!("{}: {}.", reg.title, phase.label),
                starts: phase.closes,
                ends: None,
                place: String::new(),
                online_url: String::new(),
                registration_url: String::new(),
                region_id: None,
            });
        }
    }
    out.sort_by(|a, b| a.starts.cmp(&b.starts).then(a.title.cmp(&b.title)));
    Ok(out)
}

/// Adds a version of a document's file (PDF or office file, 10 MiB at most).
pub async fn add_file(app: &App, actor: &Actor, id: &str, file_name: &str, bytes: &[u8], note: &str) -> Result<i64> {
    let mut conn = app.db.begin().await?;
    let item = repo::by_id(&mut conn, id).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::EditContent { region_id: item.region_id.as_deref() })?;
    if item.kind() != Kind::Document {
        return Err(crate::invalid("file", "Alleen een document heeft een bestand."));
    }
    let checked = crate::files::check("file", file_name, bytes, &crate::files::DOCUMENTS)?;
    let sha256 = crate::files::put(&mut conn, bytes).await?;
    let version = repo::FileVersion {
        version: 0,
        file_name: checked.filename,
        content_type: checked.content_type.to_owned(),
        size: bytes.len() as i64,
        sha256,
        note: note.trim().chars().take(300).collect(),
        uploaded_at: 0,
    };
    let n = repo::add_file(&mut conn, id, &version, actor.user_id.as_deref()).await?;
    let detail = json!({ "version": n, "file_name": version.file_name, "sha256": version.sha256 });
    audit::append(&mut conn, actor.user_id.as_deref(), "content.file", "content", id, &detail).await?;
    conn.commit().await?;
    Ok(n)
}

pub use store::content::FileVersion;

/// A document's file versions, newest first, when the actor may see the document.
pub async fn files(app: &App, actor: &Actor, item: &Item) -> Result<Vec<FileVersion>> {
    if !may_see(app, actor, item) {
        return Err(ServiceError::NotFound);
    }
    let mut conn = app.db.conn().await?;
    Ok(repo::files(&mut conn, &item.id).await?)
}

/// The bytes of one version of a document's file.
pub async fn file(app: &App, actor: &Actor, item: &Item, version: i64) -> Result<(FileVersion, Vec<u8>)> {
    let v = files(app, actor, item).await?.into_iter().find(|f| f.version == version).ok_or(ServiceError::NotFound)?;
    let bytes = crate::files::get(&mut *app.db.conn().await?, &v.sha256).await?;
    Ok((v, bytes))
}
