//! The public knowledge base (news, agenda, webinars, questions, documents, inspiration), its
//! feeds, and the editors' pages.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::content::{
    DOCUMENT_CATEGORIES, Details, Draft, FAQ_PHASES, FAQ_TOPICS, Facets, INSPIRATION_THEMES, INSPIRATION_TYPES, Item,
    Kind, PROVINCES, Status,
};
use domain::fmt::{amsterdam, date_nl};
use services::content::{AgendaEntry, Filter};

use crate::AppState;
use crate::form::Pairs;
use crate::pages::{Page, html};
use crate::session::Ctx;
use crate::views::{Choice, Layout};

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

fn label(list: &[(&str, &str)], code: &str) -> String {
    list.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l).to_owned()
}

/// "19 juni 2024, 15:00" (and "–16:30" when it ends the same day).
fn when(starts: jiff::civil::DateTime, ends: Option<jiff::civil::DateTime>) -> String {
    let start = format!("{}, {:02}:{:02}", date_nl(starts.date()), starts.hour(), starts.minute());
    match ends {
        Some(e) if e.date() == starts.date() => format!("{start}–{:02}:{:02}", e.hour(), e.minute()),
        Some(e) => format!("{start} tot {}, {:02}:{:02}", date_nl(e.date()), e.hour(), e.minute()),
        None => start,
    }
}

/// An item as pages show it.
pub struct ItemView {
    pub kind: Kind,
    pub href: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub date: String,
    /// (slug, name) of the region; `None`: national.
    pub region: Option<(String, String)>,
    /// The kind's own facts, one line each.
    pub facts: Vec<String>,
    /// (label, address) of links to elsewhere.
    pub links: Vec<(String, String)>,
    pub draft: bool,
}

type Regions = HashMap<String, (String, String)>;

async fn regions(st: &AppState) -> Result<Regions, crate::error::WebError> {
    Ok(services::regions::all(&st.app).await?.into_iter().map(|r| (r.id, (r.slug, r.name))).collect())
}

fn view(item: &Item, regions: &Regions) -> ItemView {
    let d = &item.draft;
    let mut facts = Vec::new();
    let mut links = Vec::new();
    match &d.details {
        Details::Nieuws => {}
        Details::Agenda { starts, ends, place, online_url, registration_url } => {
            facts.push(when(*starts, *ends));
            facts.push(if place.is_empty() { "Online".to_owned() } else { format!("Plaats: {place}") });
            if !online_url.is_empty() {
                links.push(("Online meedoen".to_owned(), online_url.clone()));
            }
            if !registration_url.is_empty() {
                links.push(("Aanmelden".to_owned(), registration_url.clone()));
            }
        }
        Details::Webinar { date, speakers, recording_url } => {
            facts.push(date_nl(*date));
            if !speakers.is_empty() {
                facts.push(format!("Sprekers: {}", speakers.join(", ")));
            }
            if !recording_url.is_empty() {
                links.push(("Terugkijken".to_owned(), recording_url.clone()));
            }
        }
        Details::Vraag { topic, phase } => {
            facts.push(format!("Onderwerp: {}", label(&FAQ_TOPICS, topic)));
            facts.push(format!("Fase: {}", label(&FAQ_PHASES, phase)));
        }
        Details::Document { category, members_only } => {
            facts.push(label(&DOCUMENT_CATEGORIES, category));
            if *members_only {
                facts.push("Alleen voor deelnemers (ingelogd)".to_owned());
            }
        }
        Details::Inspiratie { kind, theme, province, url } => {
            facts.push(label(&INSPIRATION_TYPES, kind));
            facts.push(label(&INSPIRATION_THEMES, theme));
            if !province.is_empty() {
                facts.push(province.clone());
            }
            if !url.is_empty() {
                links.push(("Meer informatie".to_owned(), url.clone()));
            }
        }
    }
    ItemView {
        kind: item.kind(),
        href: format!("{}/{}", item.kind().path(), item.slug),
        title: d.title.clone(),
        summary: d.summary.clone(),
        body_html: crate::markdown::to_html(&d.body),
        date: date_nl(item.date()),
        region: item.region_id.as_ref().and_then(|id| regions.get(id).cloned()),
        facts,
        links,
        draft: d.status == Status::Concept,
    }
}

/// The sections of the knowledge base, for its sub-navigation.
pub struct Section {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

fn sections(current: Option<Kind>) -> Vec<Section> {
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
        l: Layout::new(heading(kind), ctx, "kennisbank"),
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
async fn file_views(st: &AppState, ctx: &Ctx, item: &Item) -> Result<Vec<FileView>, crate::error::WebError> {
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

/// An agenda line as the page shows it.
pub struct EntryView {
    pub title: String,
    pub href: Option<String>,
    pub when: String,
    pub place: String,
    pub summary: String,
    pub region: Option<(String, String)>,
    pub deadline: bool,
    pub registration_url: String,
}

#[derive(Template)]
#[template(path = "content/agenda.html")]
pub struct AgendaPage {
    pub l: Layout,
    pub sections: Vec<Section>,
    pub upcoming: Vec<EntryView>,
    pub past: Vec<EntryView>,
}

fn entry_view(e: &AgendaEntry, regions: &Regions) -> EntryView {
    EntryView {
        title: e.title.clone(),
        href: e.slug.as_ref().map(|s| format!("/agenda/{s}")),
        when: when(e.starts, e.ends),
        place: match (e.slug.is_some(), e.place.is_empty()) {
            (false, _) => "Indienen bij DUS-I".to_owned(),
            (true, true) => "Online".to_owned(),
            (true, false) => e.place.clone(),
        },
        summary: e.summary.clone(),
        region: e.region_id.as_ref().and_then(|id| regions.get(id).cloned()),
        deadline: e.slug.is_none(),
        registration_url: e.registration_url.clone(),
    }
}

pub async fn agenda(State(st): State<AppState>, ctx: Ctx) -> Page {
    let entries = services::content::agenda(&st.app, &ctx.actor, None).await?;
    let regions = regions(&st).await?;
    let now = st.app.now().to_zoned_datetime(amsterdam()).datetime();
    let (past, upcoming): (Vec<&AgendaEntry>, Vec<&AgendaEntry>) =
        entries.iter().partition(|e| e.ends.unwrap_or(e.starts) < now);
    html(AgendaPage {
        l: Layout::new("Agenda", &ctx, "kennisbank"),
        sections: sections(Some(Kind::Agenda)),
        upcoming: upcoming.into_iter().map(|e| entry_view(e, &regions)).collect(),
        past: past.into_iter().rev().take(50).map(|e| entry_view(e, &regions)).collect(),
    })
}

fn base_url(st: &AppState) -> &str {
    st.app.base_url.trim_end_matches('/')
}

async fn calendar(st: &AppState, ctx: &Ctx, region: Option<(String, String)>) -> Page {
    let (region_id, name) = match &region {
        Some((id, name)) => (Some(id.as_str()), format!("Agenda Sterk Techniekonderwijs: {name}")),
        None => (None, "Agenda Sterk Techniekonderwijs".to_owned()),
    };
    let entries = services::content::agenda(&st.app, &ctx.actor, Some(region_id)).await?;
    let base = base_url(st);
    let now = st.app.now();
    let events: Vec<docs::feeds::CalendarEvent> = entries
        .iter()
        .map(|e| docs::feeds::CalendarEvent {
            uid: format!(
                "{}@sterk",
                e.slug.clone().unwrap_or_else(|| domain::slugify(&format!("{} {}", e.title, e.starts)))
            ),
            title: e.title.clone(),
            description: e.summary.clone(),
            starts: e.starts,
            ends: e.ends,
            location: if e.place.is_empty() { e.online_url.clone() } else { e.place.clone() },
            url: e.slug.as_ref().map(|s| format!("{base}/agenda/{s}")).unwrap_or_default(),
            updated: now,
        })
        .collect();
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], docs::feeds::icalendar(&name, &events))
        .into_response())
}

pub async fn agenda_ics(State(st): State<AppState>, ctx: Ctx) -> Page {
    calendar(&st, &ctx, None).await
}

pub async fn region_agenda_ics(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let r = services::regions::page(&st.app, &ctx.actor, &slug).await?.region;
    calendar(&st, &ctx, Some((r.id, r.name))).await
}

async fn news_feed(st: &AppState, ctx: &Ctx, region: Option<(String, String, String)>) -> Page {
    let base = base_url(st);
    let (region_id, title, link) = match &region {
        Some((id, slug, name)) => {
            (Some(id.as_str()), format!("Nieuws Sterk Techniekonderwijs: {name}"), format!("{base}/regios/{slug}"))
        }
        None => (None, "Nieuws Sterk Techniekonderwijs".to_owned(), format!("{base}/nieuws")),
    };
    let filter = Filter { kind: Some(Kind::Nieuws), region: Some(region_id), limit: Some(50) };
    let items = services::content::list(&st.app, &ctx.actor, &filter).await?;
    let published = |i: &Item| {
        i.draft
            .publish_on
            .and_then(|d| d.to_datetime(jiff::civil::Time::midnight()).to_zoned_datetime(amsterdam()).ok())
            .map_or(i.updated_at, |z| z.timestamp())
    };
    let entries: Vec<docs::feeds::FeedEntry> = items
        .iter()
        .take(50)
        .map(|i| docs::feeds::FeedEntry {
            id: format!("{base}/nieuws/{}", i.slug),
            title: i.draft.title.clone(),
            summary: i.draft.summary.clone(),
            content_html: crate::markdown::to_html(&i.draft.body),
            link: format!("{base}/nieuws/{}", i.slug),
            published: published(i),
            updated: i.updated_at.max(published(i)),
        })
        .collect();
    let self_link = match &region {
        Some((_, slug, _)) => format!("{base}/regios/{slug}/nieuws.atom"),
        None => format!("{base}/nieuws.atom"),
    };
    let feed = docs::feeds::Feed {
        id: self_link.clone(),
        title,
        link,
        self_link,
        updated: entries.iter().map(|e| e.updated).max().unwrap_or(jiff::Timestamp::UNIX_EPOCH),
    };
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], docs::feeds::atom(&feed, &entries))
        .into_response())
}

pub async fn news_atom(State(st): State<AppState>, ctx: Ctx) -> Page {
    news_feed(&st, &ctx, None).await
}

pub async fn region_news_atom(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let r = services::regions::page(&st.app, &ctx.actor, &slug).await?.region;
    news_feed(&st, &ctx, Some((r.id, r.slug, r.name))).await
}

/// A region's own news and coming events, for its page.
pub async fn for_region(
    st: &AppState,
    ctx: &Ctx,
    region_id: &str,
) -> Result<(Vec<ItemView>, Vec<EntryView>), crate::error::WebError> {
    let regions = regions(st).await?;
    let news = services::content::list(
        &st.app,
        &ctx.actor,
        &Filter { kind: Some(Kind::Nieuws), region: Some(Some(region_id)), limit: Some(5) },
    )
    .await?;
    let today = services::content::today(&st.app);
    let events = services::content::agenda(&st.app, &ctx.actor, Some(Some(region_id)))
        .await?
        .into_iter()
        .filter(|e| e.starts.date() >= today && e.slug.is_some())
        .take(5)
        .map(|e| entry_view(&e, &regions))
        .collect();
    Ok((news.iter().take(5).map(|i| view(i, &regions)).collect(), events))
}

// ---- Editors ----

#[derive(Template)]
#[template(path = "content/editor_index.html")]
pub struct EditorIndex {
    pub l: Layout,
    pub items: Vec<(ItemView, String)>,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// (slug, name) of the regions the editor writes for; national first when allowed.
    pub scopes: Vec<(String, String)>,
}

/// The scopes an actor writes for: ("", "Landelijk") and (slug, name) per managed region.
async fn scopes(st: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, crate::error::WebError> {
    let mut out = Vec::new();
    if services::content::may_edit(&ctx.actor, None) {
        out.push((String::new(), "Landelijk".to_owned()));
    }
    for r in services::regions::all(&st.app).await? {
        if !r.archived && services::content::may_edit(&ctx.actor, Some(&r.id)) {
            out.push((r.slug, r.name));
        }
    }
    Ok(out)
}

pub async fn editor_index(State(st): State<AppState>, ctx: Ctx) -> Page {
    let scopes = scopes(&st, &ctx).await?;
    if scopes.is_empty() {
        return Err(crate::error::WebError::Forbidden);
    }
    let regions = regions(&st).await?;
    let items = services::content::editable(&st.app, &ctx.actor)
        .await?
        .iter()
        .map(|i| (view(i, &regions), i.id.clone()))
        .collect();
    html(EditorIndex {
        l: Layout::new("Kennisbank bewerken", &ctx, "beheer"),
        items,
        kinds: Kind::ALL.into_iter().map(|k| (k.code(), k.label())).collect(),
        scopes,
    })
}

#[derive(Template)]
#[template(path = "content/edit.html")]
pub struct EditPage {
    pub l: Layout,
    pub kind: Kind,
    pub action: String,
    pub id: Option<String>,
    pub version: i64,
    pub scope: String,
    pub scopes: Vec<(String, String)>,
    pub f: HashMap<String, String>,
    pub topics: Vec<Choice>,
    pub phases: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub types: Vec<Choice>,
    pub themes: Vec<Choice>,
    pub provinces: Vec<Choice>,
    pub errors: Vec<(String, String)>,
    pub preview: Option<ItemView>,
    pub notice: Option<String>,
    pub view_href: Option<String>,
    pub files: Vec<FileView>,
}

impl EditPage {
    pub fn value(&self, name: &str) -> &str {
        self.f.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.as_str())
    }
}

/// The form's fields of an item.
fn fields(item: &Item) -> HashMap<String, String> {
    let d = &item.draft;
    let mut f: HashMap<String, String> = HashMap::from([
        ("title".into(), d.title.clone()),
        ("summary".into(), d.summary.clone()),
        ("body".into(), d.body.clone()),
        ("status".into(), if d.status == Status::Gepubliceerd { "gepubliceerd" } else { "concept" }.into()),
        ("publish_on".into(), d.publish_on.map(|x| x.to_string()).unwrap_or_default()),
    ]);
    let mut set = |k: &str, v: String| {
        f.insert(k.to_owned(), v);
    };
    match &d.details {
        Details::Nieuws => {}
        Details::Agenda { starts, ends, place, online_url, registration_url } => {
            set("starts", starts.strftime("%Y-%m-%dT%H:%M").to_string());
            set("ends", ends.map(|e| e.strftime("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default());
            set("place", place.clone());
            set("online_url", online_url.clone());
            set("registration_url", registration_url.clone());
        }
        Details::Webinar { date, speakers, recording_url } => {
            set("date", date.to_string());
            set("speakers", speakers.join(", "));
            set("recording_url", recording_url.clone());
        }
        Details::Vraag { topic, phase } => {
            set("topic", topic.clone());
            set("phase", phase.clone());
        }
        Details::Document { category, members_only } => {
            set("category", category.clone());
            set("members_only", if *members_only { "1" } else { "" }.into());
        }
        Details::Inspiratie { kind, theme, province, url } => {
            set("type", kind.clone());
            set("theme", theme.clone());
            set("province", province.clone());
            set("url", url.clone());
        }
    }
    f
}

/// The draft a form describes, or the fields it could not read.
fn draft_from(kind: Kind, f: &HashMap<String, String>) -> Result<Draft, Vec<(String, String)>> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let mut errors = Vec::new();
    let mut datetime = |k: &str, required: bool| -> Option<jiff::civil::DateTime> {
        let v = get(k);
        if v.is_empty() {
            if required {
                errors.push((k.to_owned(), "Vul een datum en tijd in.".to_owned()));
            }
            return None;
        }
        v.parse::<jiff::civil::DateTime>().ok().or_else(|| {
            errors.push((k.to_owned(), "Vul een datum en tijd in als 2024-06-19 15:00.".to_owned()));
            None
        })
    };
    let details = match kind {
        Kind::Nieuws => Some(Details::Nieuws),
        Kind::Agenda => {
            let starts = datetime("starts", true);
            let ends = datetime("ends", false);
            starts.map(|starts| Details::Agenda {
                starts,
                ends,
                place: get("place"),
                online_url: get("online_url"),
                registration_url: get("registration_url"),
            })
        }
        Kind::Webinar => match get("date").parse::<jiff::civil::Date>() {
            Ok(date) => Some(Details::Webinar {
                date,
                speakers: get("speakers").split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
                recording_url: get("recording_url"),
            }),
            Err(_) => {
                errors.push(("date".into(), "Vul een datum in.".into()));
                None
            }
        },
        Kind::Vraag => Some(Details::Vraag { topic: get("topic"), phase: get("phase") }),
        Kind::Document => {
            Some(Details::Document { category: get("category"), members_only: !get("members_only").is_empty() })
        }
        Kind::Inspiratie => Some(Details::Inspiratie {
            kind: get("type"),
            theme: get("theme"),
            province: get("province"),
            url: get("url"),
        }),
    };
    let publish_on = match get("publish_on") {
        v if v.is_empty() => None,
        v => match v.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(("publish_on".into(), "Vul een datum in als 2024-06-19.".into()));
                None
            }
        },
    };
    match details {
        Some(details) if errors.is_empty() => Ok(Draft {
            title: get("title"),
            summary: get("summary"),
            body: f.get("body").cloned().unwrap_or_default(),
            details,
            status: if get("status") == "gepubliceerd" { Status::Gepubliceerd } else { Status::Concept },
            publish_on,
        }),
        _ => Err(errors),
    }
}

struct Form {
    kind: Kind,
    id: Option<String>,
    version: i64,
    scope: String,
    fields: HashMap<String, String>,
}

async fn edit_page(
    st: &AppState,
    ctx: &Ctx,
    form: Form,
    errors: Vec<(String, String)>,
    preview: Option<ItemView>,
    notice: Option<String>,
) -> Page {
    let scopes = scopes(st, ctx).await?;
    let f = &form.fields;
    let pick =
        |list: &[(&str, &str)], k: &str| Choice::list(list.iter().copied(), f.get(k).map(String::as_str).unwrap_or(""));
    let provinces: Vec<(&str, &str)> =
        std::iter::once(("", "Geen (landelijk)")).chain(PROVINCES.iter().map(|p| (*p, *p))).collect();
    let (view_href, files) = match &form.id {
        Some(id) => {
            let item = services::content::by_id(&st.app, &ctx.actor, id).await?;
            let files = file_views(st, ctx, &item).await?;
            (Some(format!("{}/{}", item.kind().path(), item.slug)), files)
        }
        None => (None, Vec::new()),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = EditPage {
        l: Layout::new(format!("{} bewerken", form.kind.label()), ctx, "beheer"),
        kind: form.kind,
        action: match &form.id {
            Some(id) => format!("/beheer/inhoud/{id}"),
            None => format!("/beheer/inhoud/nieuw?soort={}", form.kind.code()),
        },
        id: form.id.clone(),
        version: form.version,
        scope: form.scope.clone(),
        scopes,
        topics: pick(&FAQ_TOPICS, "topic"),
        phases: pick(&FAQ_PHASES, "phase"),
        categories: pick(&DOCUMENT_CATEGORIES, "category"),
        types: pick(&INSPIRATION_TYPES, "type"),
        themes: pick(&INSPIRATION_THEMES, "theme"),
        provinces: pick(&provinces, "province"),
        f: form.fields,
        errors,
        preview,
        notice,
        view_href,
        files,
    }
    .render()?;
    Ok((status, axum::response::Html(page)).into_response())
}

pub async fn new_form(State(st): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Page {
    let kind = q.get("soort").and_then(|k| Kind::parse(k)).unwrap_or(Kind::Nieuws);
    let scope = q.get("regio").cloned().unwrap_or_default();
    if scopes(&st, &ctx).await?.is_empty() {
        return Err(crate::error::WebError::Forbidden);
    }
    let form = Form { kind, id: None, version: 0, scope, fields: HashMap::from([("status".into(), "concept".into())]) };
    edit_page(&st, &ctx, form, Vec::new(), None, None).await
}

pub async fn edit_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Page {
    let item = services::content::by_id(&st.app, &ctx.actor, &id).await?;
    if !services::content::may_edit(&ctx.actor, item.region_id.as_deref()) {
        return Err(crate::error::WebError::Forbidden);
    }
    let form =
        Form { kind: item.kind(), id: Some(id), version: item.version, scope: String::new(), fields: fields(&item) };
    let notice = q.get("opgeslagen").map(|_| "Opgeslagen.".to_owned());
    edit_page(&st, &ctx, form, Vec::new(), None, notice).await
}

fn form_fields(body: &axum::body::Bytes) -> HashMap<String, String> {
    let pairs = Pairs::parse(body);
    [
        "title",
        "summary",
        "body",
        "status",
        "publish_on",
        "starts",
        "ends",
        "place",
        "online_url",
        "registration_url",
        "date",
        "speakers",
        "recording_url",
        "topic",
        "phase",
        "category",
        "members_only",
        "type",
        "theme",
        "province",
        "url",
    ]
    .into_iter()
    .map(|k| (k.to_owned(), pairs.get(k)))
    .collect()
}

/// Saves a form (or shows its preview); refused input comes back with every field kept.
async fn save(st: &AppState, ctx: &Ctx, form: Form, preview: bool) -> Page {
    let draft = match draft_from(form.kind, &form.fields) {
        Ok(d) => d,
        Err(errors) => return edit_page(st, ctx, form, errors, None, None).await,
    };
    if preview {
        let shown = Item {
            id: String::new(),
            slug: String::new(),
            region_id: None,
            draft,
            version: 0,
            updated_at: st.app.now(),
        };
        let preview = view(&shown, &HashMap::new());
        return edit_page(st, ctx, form, Vec::new(), Some(preview), None).await;
    }
    let saved = match &form.id {
        Some(id) => services::content::update(&st.app, &ctx.actor, id, form.version, draft).await,
        None => {
            let scope = (!form.scope.is_empty()).then_some(form.scope.as_str());
            services::content::create(&st.app, &ctx.actor, scope, draft).await
        }
    };
    match saved {
        Ok(item) => Ok(Redirect::to(&format!("/beheer/inhoud/{}?opgeslagen=1", item.id)).into_response()),
        Err(services::ServiceError::Invalid(e)) => {
            let errors = e.iter().map(|x| (x.field.clone(), x.message.clone())).collect();
            edit_page(st, ctx, form, errors, None, None).await
        }
        Err(services::ServiceError::Conflict) => {
            let errors = vec![(
                "version".to_owned(),
                "Iemand anders heeft dit item intussen opgeslagen. Uw tekst staat hieronder nog; open het item opnieuw om de nieuwe versie te zien en breng uw wijziging daarin aan.".to_owned(),
            )];
            let page = edit_page(st, ctx, form, errors, None, None).await?;
            let (mut parts, body) = page.into_parts();
            parts.status = StatusCode::CONFLICT;
            Ok(Response::from_parts(parts, body))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
    body: axum::body::Bytes,
) -> Page {
    let kind = q.get("soort").and_then(|k| Kind::parse(k)).ok_or(crate::error::WebError::NotFound)?;
    let pairs = Pairs::parse(&body);
    let form = Form { kind, id: None, version: 0, scope: pairs.get("scope"), fields: form_fields(&body) };
    save(&st, &ctx, form, pairs.get("preview") == "1").await
}

pub async fn update(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: axum::body::Bytes) -> Page {
    let item = services::content::by_id(&st.app, &ctx.actor, &id).await?;
    let pairs = Pairs::parse(&body);
    let form = Form {
        kind: item.kind(),
        id: Some(id),
        version: pairs.version(),
        scope: String::new(),
        fields: form_fields(&body),
    };
    save(&st, &ctx, form, pairs.get("preview") == "1").await
}

pub async fn upload(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    _may: crate::guard::EditsContent,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let upload = crate::upload::read(&mut multipart).await?;
    let (name, bytes) = upload.file.unwrap_or_default();
    let note = upload.fields.into_iter().find(|(k, _)| k == "note").map(|(_, v)| v).unwrap_or_default();
    let item = services::content::by_id(&st.app, &ctx.actor, &id).await?;
    match services::content::add_file(&st.app, &ctx.actor, &id, &name, &bytes, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/beheer/inhoud/{id}?opgeslagen=1")).into_response()),
        Err(services::ServiceError::Invalid(e)) => {
            let errors = e.iter().map(|x| (x.field.clone(), x.message.clone())).collect();
            let form = Form {
                kind: item.kind(),
                id: Some(id),
                version: item.version,
                scope: String::new(),
                fields: fields(&item),
            };
            edit_page(&st, &ctx, form, errors, None, None).await
        }
        Err(e) => Err(e.into()),
    }
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
