//! The programme's public knowledge base: news, agenda, webinars, frequently asked questions,
//! documents and inspiration. One item type with the fields every kind shares (title, summary,
//! Markdown body, national or one region's, draft or published from a date) and the few that
//! are the kind's own.

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use crate::FieldErrors;

/// What an item is; the code is its Dutch path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Nieuws,
    Agenda,
    Webinar,
    Vraag,
    Document,
    Inspiratie,
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Kind::Nieuws, Kind::Agenda, Kind::Webinar, Kind::Vraag, Kind::Document, Kind::Inspiratie];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Nieuws => "nieuws",
            Kind::Agenda => "agenda",
            Kind::Webinar => "webinar",
            Kind::Vraag => "vraag",
            Kind::Document => "document",
            Kind::Inspiratie => "inspiratie",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Where the kind's public pages live.
    pub fn path(self) -> &'static str {
        match self {
            Kind::Nieuws => "/nieuws",
            Kind::Agenda => "/agenda",
            Kind::Webinar => "/webinars",
            Kind::Vraag => "/veelgestelde-vragen",
            Kind::Document => "/documenten",
            Kind::Inspiratie => "/inspiratie",
        }
    }

    /// "Nieuwsbericht", "Activiteit", … as a label for one item.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Nieuws => "Nieuwsbericht",
            Kind::Agenda => "Activiteit in de agenda",
            Kind::Webinar => "Webinar",
            Kind::Vraag => "Veelgestelde vraag",
            Kind::Document => "Document",
            Kind::Inspiratie => "Inspiratie",
        }
    }
}

/// The categories of the documents library (seed `000`).
pub const DOCUMENT_CATEGORIES: [(&str, &str); 6] = [
    ("sto", "STO-documenten"),
    ("wetten", "Wetten en regelingen"),
    ("data", "Data"),
    ("verantwoording", "Verantwoording"),
    ("samenwerking", "Samenwerking (regio)"),
    ("presentaties", "Presentaties"),
];

/// The topics and phases a question can be filed under.
pub const FAQ_TOPICS: [(&str, &str); 5] = [
    ("aanvraag", "Aanvraag en begroting"),
    ("regeling", "Regeling en voorwaarden"),
    ("onderwijs", "Onderwijs en examens"),
    ("kosten", "Kosten en tarieven"),
    ("verantwoording", "Uitvoering en verantwoording"),
];
pub const FAQ_PHASES: [(&str, &str); 4] = [
    ("voorbereiding", "Voorbereiding"),
    ("aanvraag", "Aanvraag"),
    ("uitvoering", "Uitvoering"),
    ("verantwoording", "Verantwoording"),
];

/// The kinds of inspiration and its themes (the regulation's three themes and the programme's own).
pub const INSPIRATION_TYPES: [(&str, &str); 4] =
    [("handreiking", "Handreiking"), ("voorbeeld", "Voorbeeld"), ("techlab", "Techlab"), ("hotspot", "Hotspot")];
pub const INSPIRATION_THEMES: [(&str, &str); 5] = [
    ("personeel", "Technisch onderwijspersoneel"),
    ("inclusie", "Meisjes en inclusie"),
    ("duurzaamheid", "Technologie en duurzaamheid"),
    ("samenwerking", "Regionale samenwerking"),
    ("borging", "Borging"),
];
pub const PROVINCES: [&str; 12] = [
    "Drenthe",
    "Flevoland",
    "Friesland",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
];

/// The fields of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Details {
    Nieuws,
    Agenda {
        /// Local time in Europe/Amsterdam.
        starts: DateTime,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends: Option<DateTime>,
        #[serde(default)]
        place: String,
        #[serde(default)]
        online_url: String,
        #[serde(default)]
        registration_url: String,
    },
    Webinar {
        date: Date,
        #[serde(default)]
        speakers: Vec<String>,
        #[serde(default)]
        recording_url: String,
    },
    Vraag {
        topic: String,
        phase: String,
    },
    Document {
        category: String,
        /// Only signed-in people of the programme see it.
        #[serde(default)]
        members_only: bool,
    },
    Inspiratie {
        #[serde(rename = "type")]
        kind: String,
        theme: String,
        #[serde(default)]
        province: String,
        #[serde(default)]
        url: String,
    },
}

impl Details {
    pub fn kind(&self) -> Kind {
        match self {
            Details::Nieuws => Kind::Nieuws,
            Details::Agenda { .. } => Kind::Agenda,
            Details::Webinar { .. } => Kind::Webinar,
            Details::Vraag { .. } => Kind::Vraag,
            Details::Document { .. } => Kind::Document,
            Details::Inspiratie { .. } => Kind::Inspiratie,
        }
    }
}

/// Draft or published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Concept,
    Gepubliceerd,
}

/// What an editor writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    pub details: Details,
    pub status: Status,
    /// From when a published item shows (local date in Europe/Amsterdam); `None`: at once.
    #[serde(default)]
    pub publish_on: Option<Date>,
}

fn web_address(e: &mut FieldErrors, field: &str, url: &str) {
    let u = url.trim().to_ascii_lowercase();
    if !(u.is_empty() || u.starts_with("https://") || u.starts_with("http://")) {
        e.add(field, "Vul een webadres in dat begint met https://.");
    }
}

fn one_of(e: &mut FieldErrors, field: &str, value: &str, list: &[(&str, &str)], what: &str) {
    if !list.iter().any(|(code, _)| *code == value) {
        e.add(field, format!("Kies {what}."));
    }
}

impl Draft {
    /// The date a list sorts it by: an event's or webinar's own date, else its publish date, else
    /// the day it was saved (`saved`).
    pub fn date(&self, saved: jiff::Timestamp) -> Date {
        match &self.details {
            Details::Agenda { starts, .. } => starts.date(),
            Details::Webinar { date, .. } => *date,
            _ => self.publish_on.unwrap_or_else(|| crate::fmt::date_in_amsterdam(saved)),
        }
    }

    /// The draft with its text trimmed, or what is wrong, per field.
    pub fn validate(mut self) -> Result<Draft, FieldErrors> {
        let mut e = FieldErrors::default();
        self.title = self.title.trim().to_owned();
        self.summary = self.summary.trim().to_owned();
        if self.title.is_empty() {
            e.add("title", "Vul een titel in.");
        } else if self.title.chars().count() > 200 {
            e.add("title", "De titel is langer dan 200 tekens.");
        }
        if self.summary.chars().count() > 600 {
            e.add("summary", "De samenvatting is langer dan 600 tekens.");
        }
        if self.body.len() > 100_000 {
            e.add("body", "De tekst is langer dan 100.000 tekens.");
        }
        match &self.details {
            Details::Nieuws => {}
            Details::Agenda { starts, ends, online_url, registration_url, place } => {
                if ends.is_some_and(|end| end < *starts) {
                    e.add("ends", "Het einde ligt vóór het begin.");
                }
                if place.trim().is_empty() && online_url.trim().is_empty() {
                    e.add("place", "Vul een plaats of een link naar de online bijeenkomst in.");
                }
                web_address(&mut e, "online_url", online_url);
                web_address(&mut e, "registration_url", registration_url);
            }
            Details::Webinar { recording_url, .. } => web_address(&mut e, "recording_url", recording_url),
            Details::Vraag { topic, phase } => {
                one_of(&mut e, "topic", topic, &FAQ_TOPICS, "een onderwerp");
                one_of(&mut e, "phase", phase, &FAQ_PHASES, "een fase");
            }
            Details::Document { category, .. } => {
                one_of(&mut e, "category", category, &DOCUMENT_CATEGORIES, "een categorie");
            }
            Details::Inspiratie { kind, theme, province, url } => {
                one_of(&mut e, "type", kind, &INSPIRATION_TYPES, "een soort");
                one_of(&mut e, "theme", theme, &INSPIRATION_THEMES, "een thema");
                if !province.is_empty() && !PROVINCES.contains(&province.as_str()) {
                    e.add("province", "Kies een provincie.");
                }
                web_address(&mut e, "url", url);
            }
        }
        e.into_result(self)
    }
}

/// What a list is narrowed to: words in the text and the kinds' own facets (`None`: any).
#[derive(Debug, Clone, Copy, Default)]
pub struct Facets<'a> {
    pub text: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub phase: Option<&'a str>,
    pub category: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub theme: Option<&'a str>,
    pub province: Option<&'a str>,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub slug: String,
    /// `None`: national.
    pub region_id: Option<String>,
    #[serde(flatten)]
    pub draft: Draft,
    pub version: i64,
    pub updated_at: jiff::Timestamp,
}

impl Item {
    pub fn kind(&self) -> Kind {
        self.draft.details.kind()
    }

    /// Whether the public sees it on `today` (Europe/Amsterdam).
    pub fn is_public_on(&self, today: Date) -> bool {
        self.draft.status == Status::Gepubliceerd
            && self.draft.publish_on.is_none_or(|d| d <= today)
            && !matches!(self.draft.details, Details::Document { members_only: true, .. })
    }

    /// The date a list sorts it by (see [`Draft::date`]).
    pub fn date(&self) -> Date {
        self.draft.date(self.updated_at)
    }

    /// Whether the item's text holds `facets.text` (any case) and its own fields the facets given.
    pub fn matches(&self, facets: &Facets<'_>) -> bool {
        let is = |wanted: Option<&str>, value: &str| wanted.is_none_or(|w| w == value);
        let d = &self.draft;
        let has_text = facets
            .text
            .map(|t| t.trim().to_lowercase())
            .is_none_or(|t| [&d.title, &d.summary, &d.body].iter().any(|field| field.to_lowercase().contains(&t)));
        has_text
            && match &d.details {
                Details::Vraag { topic, phase } => is(facets.topic, topic) && is(facets.phase, phase),
                Details::Document { category, .. } => is(facets.category, category),
                Details::Inspiratie { kind, theme, province, .. } => {
                    is(facets.kind, kind) && is(facets.theme, theme) && is(facets.province, province)
                }
                _ => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn draft(details: Details) -> Draft {
        Draft {
            title: "  Webinar: Gorinchem en Altena  ".into(),
            summary: String::new(),
            body: String::new(),
            details,
            status: Status::Gepubliceerd,
            publish_on: None,
        }
    }

    #[test]
    fn an_event_needs_a_place_or_link_and_ends_after_it_starts() {
        let bad = draft(Details::Agenda {
            starts: date(2024, 6, 19).at(15, 0, 0, 0),
            ends: Some(date(2024, 6, 19).at(14, 0, 0, 0)),
            place: String::new(),
            online_url: String::new(),
            registration_url: "javascript:alert(1)".into(),
        });
        let e = bad.validate().unwrap_err();
        assert_eq!(e.get("ends"), Some("Het einde ligt vóór het begin."));
        assert!(e.get("place").is_some());
        assert!(e.get("registration_url").is_some());
        let ok = draft(Details::Agenda {
            starts: date(2024, 6, 19).at(15, 0, 0, 0),
            ends: None,
            place: String::new(),
            online_url: "https://example.nl/live".into(),
            registration_url: String::new(),
        })
        .validate()
        .unwrap();
        assert_eq!(ok.title, "Webinar: Gorinchem en Altena");
    }

    #[test]
    fn drafts_later_publish_dates_and_members_only_documents_are_not_public() {
        let mut item = Item {
            id: "1".into(),
            slug: "x".into(),
            region_id: None,
            draft: draft(Details::Document { category: "sto".into(), members_only: false }),
            version: 1,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let today = date(2026, 9, 15);
        assert!(item.is_public_on(today));
        item.draft.publish_on = Some(date(2026, 9, 16));
        assert!(!item.is_public_on(today));
        item.draft.publish_on = None;
        item.draft.status = Status::Concept;
        assert!(!item.is_public_on(today));
        item.draft.status = Status::Gepubliceerd;
        item.draft.details = Details::Document { category: "sto".into(), members_only: true };
        assert!(!item.is_public_on(today));
    }

    #[test]
    fn details_are_json_tagged_by_kind() {
        let d = Details::Vraag { topic: "aanvraag".into(), phase: "aanvraag".into() };
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, r#"{"kind":"vraag","topic":"aanvraag","phase":"aanvraag"}"#);
        assert_eq!(serde_json::from_str::<Details>(&json).unwrap().kind(), Kind::Vraag);
    }
}
