//! News and agenda cards, as the knowledge base and a region's page show them.

use crate::AppState;
use crate::session::Ctx;
use domain::content::{
    DOCUMENT_CATEGORIES, Details, FAQ_PHASES, FAQ_TOPICS, INSPIRATION_THEMES, INSPIRATION_TYPES, Item, Kind, Status,
};
use domain::fmt::date_nl;
use services::content::{AgendaEntry, Filter};
use std::collections::HashMap;

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

pub(crate) async fn regions(st: &AppState) -> Result<Regions, crate::error::WebError> {
    Ok(services::regions::all(&st.app).await?.into_iter().map(|r| (r.id, (r.slug, r.name))).collect())
}

pub(crate) fn view(item: &Item, regions: &Regions) -> ItemView {
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
        body_html: crate::markdown::to_html(&d.body, crate::markdown::HeadingLevel::H2),
        date: date_nl(item.date()),
        region: item.region_id.as_ref().and_then(|id| regions.get(id).cloned()),
        facts,
        links,
        draft: d.status == Status::Concept,
    }
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

pub(crate) fn entry_view(e: &AgendaEntry, regions: &Regions) -> EntryView {
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
