//! Formatted text (a Markdown subset: headings, lists, emphasis, links) rendered safely: raw HTML
//! is shown as text and only http(s), mailto and links within Sterk (`/regeling/…`) are kept.

pub use pulldown_cmark::HeadingLevel;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

fn safe_link(dest: &str) -> bool {
    let d = dest.trim().to_ascii_lowercase();
    d.starts_with("https://") || d.starts_with("http://") || d.starts_with("mailto:") || within_sterk(&d)
}

/// A path on this site: `/regeling/…`. Only a letter or digit may follow the slash: `//host`,
/// `/\host` and `/<tab>/host` are read by browsers as another site.
fn within_sterk(d: &str) -> bool {
    let mut chars = d.chars();
    chars.next() == Some('/') && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// HTML for a text written by a user; safe to insert without further escaping. The text's
/// headings fit the page's outline: its highest becomes `first` (the level below the heading the
/// text sits under) and none skips a level, whatever the writer typed.
pub fn to_html(text: &str, first: HeadingLevel) -> String {
    let mut dropped_links = 0usize;
    let events: Vec<Event> = Parser::new_ext(text, Options::empty())
        .filter_map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::Link { dest_url, .. }) if !safe_link(&dest_url) => {
                dropped_links += 1;
                None
            }
            Event::End(TagEnd::Link) if dropped_links > 0 => {
                dropped_links -= 1;
                None
            }
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            other => Some(other),
        })
        .collect();
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    // The level each heading gets: its depth below the text's highest, from `first`, at most one
    // deeper than the heading before it, and never past h6.
    let mut previous = first as usize - 1;
    let mut open = Vec::new();
    let events = events.into_iter().map(|event| match event {
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            let wanted = first as usize + (level as usize - top);
            previous = wanted.min(previous + 1).min(6);
            let level = HeadingLevel::try_from(previous).unwrap_or(HeadingLevel::H6);
            open.push(level);
            Event::Start(Tag::Heading { level, id, classes, attrs })
        }
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Heading(open.pop().unwrap_or(HeadingLevel::H6))),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::{HeadingLevel, to_html};

    #[test]
    fn headings_fit_the_pages_outline_without_skipping_a_level() {
        let html = to_html("## Eerst\n\n#### Dan\n\n## Weer\n\n### Onder", HeadingLevel::H2);
        assert_eq!(html.matches("<h2>").count(), 2, "{html}");
        assert!(html.contains("<h3>Dan</h3>") && html.contains("<h3>Onder</h3>"), "{html}");
        assert!(!html.contains("<h4>"), "{html}");
    }

    #[test]
    fn formatting_is_kept_and_script_is_not() {
        let html = to_html(
            "# Visie\n\n- *één*\n- [STO](https://www.sterktechniekonderwijs.nl)\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(1))",
            HeadingLevel::H3,
        );
        assert!(html.contains("<h3>Visie</h3>"));
        assert!(html.contains("<li><em>één</em></li>"));
        assert!(html.contains("<a href=\"https://www.sterktechniekonderwijs.nl\">STO</a>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("klik"));
    }

    #[test]
    fn links_within_sterk_are_kept_and_other_sites_in_disguise_are_not() {
        let html = to_html(
            "[de regeling](/regeling/sto-2025-2028) [a](//evil.example) [b](/\\evil.example) [c](</\t/evil.example>)",
            HeadingLevel::H2,
        );
        assert!(html.contains("<a href=\"/regeling/sto-2025-2028\">de regeling</a>"), "{html}");
        assert!(!html.contains("evil.example\""), "{html}");
    }
}
