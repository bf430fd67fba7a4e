//! Feeds people subscribe to: the agenda as iCalendar (RFC 5545, with the Europe/Amsterdam time
//! zone so Outlook and Google Calendar show local times) and news as Atom (RFC 4287).

use jiff::Timestamp;
use jiff::civil::DateTime;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// An event in a calendar feed; times are local in Europe/Amsterdam.
#[derive(Debug, Clone)]
pub struct CalendarEvent {
    pub uid: String,
    pub title: String,
    pub description: String,
    pub starts: DateTime,
    pub ends: Option<DateTime>,
    pub location: String,
    pub url: String,
    pub updated: Timestamp,
}

/// The zone's rules since 1996 (EU summer time: last Sunday of March to last Sunday of October).
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// Text as an iCalendar TEXT value: backslash, semicolon, comma and newlines escaped.
fn ical_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character), ended by CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn local(d: DateTime) -> String {
    d.strftime("%Y%m%dT%H%M%S").to_string()
}

/// A calendar named `name` with `events`.
pub fn icalendar(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sterk//Sterk Techniekonderwijs//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, l);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", ical_text(name)));
    push_line(&mut out, "X-WR-TIMEZONE:Europe/Amsterdam");
    out.push_str(VTIMEZONE);
    for e in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", ical_text(&e.uid)));
        push_line(&mut out, &format!("DTSTAMP:{}", e.updated.strftime("%Y%m%dT%H%M%SZ")));
        push_line(&mut out, &format!("DTSTART;TZID=Europe/Amsterdam:{}", local(e.starts)));
        if let Some(end) = e.ends {
            push_line(&mut out, &format!("DTEND;TZID=Europe/Amsterdam:{}", local(end)));
        }
        push_line(&mut out, &format!("SUMMARY:{}", ical_text(&e.title)));
        if !e.description.is_empty() {
            push_line(&mut out, &format!("DESCRIPTION:{}", ical_text(&e.description)));
        }
        if !e.location.is_empty() {
            push_line(&mut out, &format!("LOCATION:{}", ical_text(&e.location)));
        }
        if !e.url.is_empty() {
            push_line(&mut out, &format!("URL:{}", e.url));
        }
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

/// An entry of a news feed.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// Safe HTML of the body.
    pub content_html: String,
    pub link: String,
    pub published: Timestamp,
    pub updated: Timestamp,
}

/// The feed's own fields.
#[derive(Debug, Clone)]
pub struct Feed {
    pub id: String,
    pub title: String,
    /// The page the feed belongs to, and the feed's own address.
    pub link: String,
    pub self_link: String,
    pub updated: Timestamp,
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An Atom feed; every text is XML-escaped by the writer.
pub fn atom(feed: &Feed, entries: &[FeedEntry]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let text = |w: &mut Writer<Vec<u8>>, name: &str, value: &str| {
        let _ = w.write_event(Event::Start(BytesStart::new(name)));
        let _ = w.write_event(Event::Text(BytesText::new(value)));
        let _ = w.write_event(Event::End(BytesEnd::new(name)));
    };
    let link = |w: &mut Writer<Vec<u8>>, rel: &str, href: &str| {
        let _ = w.write_event(Event::Empty(BytesStart::new("link").with_attributes([("rel", rel), ("href", href)])));
    };
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let _ = w.write_event(Event::Start(
        BytesStart::new("feed").with_attributes([("xmlns", "http://www.w3.org/2005/Atom"), ("xml:lang", "nl")]),
    ));
    text(&mut w, "id", &feed.id);
    text(&mut w, "title", &feed.title);
    text(&mut w, "updated", &rfc3339(feed.updated));
    link(&mut w, "alternate", &feed.link);
    link(&mut w, "self", &feed.self_link);
    let _ = w.write_event(Event::Start(BytesStart::new("author")));
    text(&mut w, "name", "Sterk Techniekonderwijs");
    let _ = w.write_event(Event::End(BytesEnd::new("author")));
    for e in entries {
        let _ = w.write_event(Event::Start(BytesStart::new("entry")));
        text(&mut w, "id", &e.id);
        text(&mut w, "title", &e.title);
        link(&mut w, "alternate", &e.link);
        text(&mut w, "published", &rfc3339(e.published));
        text(&mut w, "updated", &rfc3339(e.updated));
        if !e.summary.is_empty() {
            text(&mut w, "summary", &e.summary);
        }
        let _ = w.write_event(Event::Start(BytesStart::new("content").with_attributes([("type", "html")])));
        let _ = w.write_event(Event::Text(BytesText::new(&e.content_html)));
        let _ = w.write_event(Event::End(BytesEnd::new("content")));
        let _ = w.write_event(Event::End(BytesEnd::new("entry")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("feed")));
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{Component, DatePerhapsTime};
    use jiff::civil::date;

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "1@sterk".into(),
            title: "STO LIVE-webinar: Gorinchem, Altena; een actieve regio".into(),
            description:
                "Regel één\nRegel twee met \\ en een heel lange tekst die zeker langer is dan vijfenzeventig octetten"
                    .into(),
            starts: date(2024, 6, 19).at(15, 0, 0, 0),
            ends: Some(date(2024, 6, 19).at(16, 30, 0, 0)),
            location: "Online".into(),
            url: "https://example.nl/webinar".into(),
            updated: "2024-06-01T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn the_calendar_parses_with_local_times_in_amsterdam_and_escaped_text() {
        let ics = icalendar("Agenda Sterk", &[event()]);
        assert!(ics.lines().all(|l| l.len() <= 76), "folded at 75 octets (plus CR)");
        let parsed: icalendar::Calendar = ics.parse().expect("a valid iCalendar");
        let events: Vec<&icalendar::Event> = parsed.components.iter().filter_map(|c| c.as_event()).collect();
        assert_eq!(events.len(), 1);
        let e = events[0];
        assert_eq!(e.get_summary(), Some("STO LIVE-webinar: Gorinchem, Altena; een actieve regio"));
        assert_eq!(
            e.get_description(),
            Some(
                "Regel één\nRegel twee met \\ en een heel lange tekst die zeker langer is dan vijfenzeventig octetten"
            )
        );
        match e.get_start() {
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone { date_time, tzid })) => {
                assert_eq!(tzid, "Europe/Amsterdam");
                assert_eq!(date_time.to_string(), "2024-06-19 15:00:00");
            }
            other => panic!("start with a time zone: {other:?}"),
        }
        assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam"));
    }

    #[test]
    fn the_news_feed_parses_and_escapes_markup() {
        let feed = Feed {
            id: "https://sterk.example/nieuws".into(),
            title: "Nieuws <Sterk> & co".into(),
            link: "https://sterk.example/nieuws".into(),
            self_link: "https://sterk.example/nieuws.atom".into(),
            updated: "2024-06-01T10:00:00Z".parse().unwrap(),
        };
        let entry = FeedEntry {
            id: "https://sterk.example/nieuws/borging".into(),
            title: "Handreiking: <script>alert(1)</script> borgen".into(),
            summary: "Borging & regionale samenwerking".into(),
            content_html: "<p>Tekst</p>".into(),
            link: "https://sterk.example/nieuws/borging".into(),
            published: "2024-05-01T08:00:00Z".parse().unwrap(),
            updated: "2024-05-02T08:00:00Z".parse().unwrap(),
        };
        let xml = atom(&feed, &[entry]);
        assert!(!xml.contains("<script>"), "{xml}");
        let parsed = atom_syndication::Feed::read_from(xml.as_bytes()).expect("valid Atom");
        assert_eq!(parsed.title().as_str(), "Nieuws <Sterk> & co");
        assert_eq!(parsed.entries()[0].title().as_str(), "Handreiking: <script>alert(1)</script> borgen");
        assert_eq!(parsed.entries()[0].content().and_then(|c| c.value()), Some("<p>Tekst</p>"));
        assert_eq!(parsed.entries()[0].updated().to_rfc3339(), "2024-05-02T08:00:00+00:00");
    }
}
