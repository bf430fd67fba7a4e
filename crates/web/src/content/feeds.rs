//! The agenda page and the feeds: iCalendar and Atom, national and per region.

use crate::AppState;
use crate::cards::EntryView;
use crate::cards::entry_view;
use crate::cards::regions;
use crate::content::Section;
use crate::content::sections;
use crate::layout::Layout;
use crate::page::{Page, html};
use crate::session::Ctx;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use domain::content::{Item, Kind};
use domain::fmt::amsterdam;
use services::content::{AgendaEntry, Filter};

#[derive(Template)]
#[template(path = "content/agenda.html")]
pub struct AgendaPage {
    pub l: Layout,
    pub sections: Vec<Section>,
    pub upcoming: Vec<EntryView>,
    pub past: Vec<EntryView>,
}

pub async fn agenda(State(st): State<AppState>, ctx: Ctx) -> Page {
    let entries = services::content::agenda(&st.app, &ctx.actor, None).await?;
    let regions = regions(&st).await?;
    let now = st.app.now().to_zoned_datetime(amsterdam()).datetime();
    let (past, upcoming): (Vec<&AgendaEntry>, Vec<&AgendaEntry>) =
        entries.iter().partition(|e| e.ends.unwrap_or(e.starts) < now);
    html(AgendaPage {
        l: Layout::new("Agenda", &ctx, "kennisbank").with_calendar("Agenda Sterk Techniekonderwijs", "/agenda.ics"),
        sections: sections(Some(Kind::Agenda)),
        upcoming: upcoming.into_iter().map(|e| entry_view(e, &regions)).collect(),
        past: past.into_iter().rev().take(50).map(|e| entry_view(e, &regions)).collect(),
    })
}

fn base_url(st: &AppState) -> &str {
    st.app.base_url.trim_end_matches('/')
}

async fn calendar(st: &AppState, ctx: &Ctx, region: Option<(String, String)>) -> Page {
    // The national calendar carries what `/agenda` lists: national and regional events alike.
    let (scope, name) = match &region {
        Some((id, name)) => (Some(Some(id.as_str())), format!("Agenda Sterk Techniekonderwijs: {name}")),
        None => (None, "Agenda Sterk Techniekonderwijs".to_owned()),
    };
    let entries = services::content::agenda(&st.app, &ctx.actor, scope).await?;
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
    // The national feed carries what `/nieuws` lists: national and regional news alike.
    let (scope, title, link) = match &region {
        Some((id, slug, name)) => (
            Some(Some(id.as_str())),
            format!("Nieuws Sterk Techniekonderwijs: {name}"),
            format!("{base}/regios/{slug}"),
        ),
        None => (None, "Nieuws Sterk Techniekonderwijs".to_owned(), format!("{base}/nieuws")),
    };
    let filter = Filter { kind: Some(Kind::Nieuws), region: scope, limit: Some(50) };
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
            content_html: crate::markdown::to_html(&i.draft.body, crate::markdown::HeadingLevel::H2),
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
