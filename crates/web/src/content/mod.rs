//! The public knowledge base (news, agenda, webinars, questions, documents, inspiration), its
//! feeds, and the editors' pages.

pub mod api;
pub mod editor;
pub mod feeds;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use domain::content::{
    DOCUMENT_CATEGORIES, FAQ_PHASES, FAQ_TOPICS, Facets, INSPIRATION_THEMES, INSPIRATION_TYPES, Item, Kind, PROVINCES,
};
use domain::fmt::date_nl;
use services::content::Filter;

use crate::AppState;
use crate::cards::ItemView;
use crate::cards::regions;
use crate::cards::view;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;

fn heading(kind: Kind) -> &'static str {
    match kind {
        Kind::Nieuws => "Nieuws",
        Kind::Agenda => "Agenda",
        Kind::Webinar => "Webinars terugkijken",
        Kind::Vraag => "Veelgestelde vragen",
        Kind::Document => "Documenten",
        Kind::Inspiratie => "Inspiratie",
    }
}

/// The sections of the knowledge base, for its sub-navigation.
pub struct Section {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub(crate) fn sections(current: Option<Kind>) -> Vec<Section> {
    Kind::ALL.into_iter().map(|k| Section { href: k.path(), label: heading(k), current: Some(k) == current }).collect()
}

/// A filter of a list: (query name, label, choices).
pub struct FilterView {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: Vec<Choice>,
}

fn filter(name: &'static str, label: &'static str, list: &[(&str, &str)], q: &HashMap<String, String>) -> FilterView {
    let current = q.get(name).map(String::as_str).unwrap_or("");
    let mut choices = vec![Choice { value: String::new(), label: "Alle".into(), selected: current.is_empty() }];
    choices.extend(Choice::list(list.iter().copied(), current));
    FilterView { name, label, choices }
}

#[derive(Template)]
#[template(path = "content/list.html")]
pub struct ListPage {
    pub l: Layout,
    pub kind: Kind,
    pub heading: &'static str,
    pub sections: Vec<Section>,
    pub filters: Vec<FilterView>,
    pub q: String,
    pub items: Vec<ItemView>,
    pub feed: Option<&'static str>,
}

/// The facets a list page's query names (Dutch query names, as in the page's address).
fn facets(q: &HashMap<String, String>) -> Facets<'_> {
    let get = |name: &str| q.get(name).map(String::as_str).filter(|v| !v.is_empty());
    Facets {
        text: get("q"),
        topic: get("onderwerp"),
        phase: get("fase"),
        category: get("categorie"),
        kind: get("soort"),
        theme: get("thema"),
        province: get("provincie"),
    }
}

async fn list(st: &AppState, ctx: &Ctx, kind: Kind, q: HashMap<String, String>) -> Page {
    let items =
        services::content::list(&st.app, &ctx.actor, &Filter { kind: Some(kind), region: None, limit: None }).await?;
    let regions = regions(st).await?;
    let provinces: Vec<(&str, &str)> = PROVINCES.iter().map(|p| (*p, *p)).collect();
    let filters = match kind {
        Kind::Vraag => vec![filter("onderwerp", "Onderwerp", &FAQ_TOPICS, &q), filter("fase", "Fase", &FAQ_PHASES, &q)],
        Kind::Document => vec![filter("categorie", "Categorie", &DOCUMENT_CATEGORIES, &q)],
        Kind::Inspiratie => vec![
            filter("soort", "Soort", &INSPIRATION_TYPES, &q),
            filter("thema", "Thema", &INSPIRATION_THEMES, &q),
            filter("provincie", "Provincie", &provinces, &q),
        ],
        _ => Vec::new(),
    };
    html(ListPage {
        l: match kind {
            Kind::Nieuws => Layout::new(heading(kind), ctx, "kennisbank")
                .with_atom("Nieuws Sterk Techniekonderwijs", "/nieuws.atom"),
            _ => Layout::new(heading(kind), ctx, "kennisbank"),
        },
        kind,
        heading: heading(kind),
        sections: sections(Some(kind)),
        filters,
        q: q.get("q").cloned().unwrap_or_default(),
        items: items.iter().filter(|i| i.matches(&facets(&q))).map(|i| view(i, &regions)).collect(),
        feed: (kind == Kind::Nieuws).then_some("/nieuws.atom"),
    })
}

macro_rules! list_handler {
    ($name:ident, $kind:expr) => {
        pub async fn $name(State(st): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Page {
            list(&st, &ctx, $kind, q).await
        }
    };
}
list_handler!(news, Kind::Nieuws);
list_handler!(webinars, Kind::Webinar);
list_handler!(faq, Kind::Vraag);
list_handler!(documents, Kind::Document);
list_handler!(inspiration, Kind::Inspiratie);

/// A file version as the document page lists it.
pub struct FileView {
    pub version: i64,
    pub name: String,
    pub size: String,
    pub uploaded: String,
    pub note: String,
    pub href: String,
}

/// A document's file versions for its pages (nothing for other kinds).
pub(crate) async fn file_views(st: &AppState, ctx: &Ctx, item: &Item) -> Result<Vec<FileView>, crate::error::WebError> {
    if item.kind() != Kind::Document {
        return Ok(Vec::new());
    }
    Ok(services::content::files(&st.app, &ctx.actor, item)
        .await?
        .into_iter()
        .map(|f| FileView {
            version: f.version,
            size: format!("{} kB", domain::fmt::integer_nl((f.size + 1023) / 1024)),
            uploaded: date_nl(domain::fmt::date_in_amsterdam(
                jiff::Timestamp::from_millisecond(f.uploaded_at).unwrap_or_default(),
            )),
            href: format!("/documenten/{}/versies/{}", item.slug, f.version),
            name: f.file_name,
            note: f.note,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "content/item.html")]
pub struct ItemPage {
    pub l: Layout,
    pub sections: Vec<Section>,
    pub item: ItemView,
    pub id: String,
    pub files: Vec<FileView>,
    pub can_edit: bool,
}

async fn item(st: AppState, ctx: Ctx, kind: Kind, slug: String) -> Page {
    let item = services::content::get(&st.app, &ctx.actor, kind, &slug).await?;
    let files = file_views(&st, &ctx, &item).await?;
    let regions = regions(&st).await?;
    html(ItemPage {
        l: Layout::new(item.draft.title.clone(), &ctx, "kennisbank"),
        sections: sections(Some(kind)),
        can_edit: services::content::may_edit(&ctx.actor, item.region_id.as_deref()),
        id: item.id.clone(),
        item: view(&item, &regions),
        files,
    })
}

macro_rules! item_handler {
    ($name:ident, $kind:expr) => {
        pub async fn $name(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
            item(st, ctx, $kind, slug).await
        }
    };
}
item_handler!(news_item, Kind::Nieuws);
item_handler!(agenda_item, Kind::Agenda);
item_handler!(webinar_item, Kind::Webinar);
item_handler!(faq_item, Kind::Vraag);
item_handler!(document_item, Kind::Document);
item_handler!(inspiration_item, Kind::Inspiratie);

pub async fn file(State(st): State<AppState>, ctx: Ctx, Path((slug, version)): Path<(String, i64)>) -> Page {
    let item = services::content::get(&st.app, &ctx.actor, Kind::Document, &slug).await?;
    let (f, bytes) = services::content::file(&st.app, &ctx.actor, &item, version).await?;
    Ok(crate::download::file(&f.content_type, &f.file_name, bytes))
}

#[derive(Template)]
#[template(path = "content/search.html")]
pub struct SearchPage {
    pub l: Layout,
    pub q: String,
    pub hits: Vec<services::search::Hit>,
}

/// One search box over everything public; results ranked, the words found marked.
pub async fn search(State(st): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Page {
    let q = q.get("q").cloned().unwrap_or_default();
    let hits = services::search::search(&st.app, &q, 50).await?;
    html(SearchPage { l: Layout::new("Zoeken", &ctx, "zoeken"), q, hits })
}
