//! Formatted text (a Markdown subset: headings, lists, emphasis, links) rendered safely: raw HTML
//! is shown as text and only http(s), mailto and links within Sterk (`/regeling/…`) are kept.

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

/// HTML for a text written by a user; safe to insert without further escaping.
pub fn to_html(text: &str) -> String {
    let mut dropped_links = 0usize;
    let events = Parser::new_ext(text, Options::empty()).filter_map(|event| match event {
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
        // Headings in a text sit below the page's own: # becomes h3.
        Event::Start(Tag::Heading { level, id, classes, attrs }) => {
            Some(Event::Start(Tag::Heading { level: shift(level), id, classes, attrs }))
        }
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(shift(level)))),
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

fn shift(level: pulldown_cmark::HeadingLevel) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        H1 => H3,
        H2 => H4,
        H3 => H5,
        _ => H6,
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn formatting_is_kept_and_script_is_not() {
        let html = to_html(
            "# Visie\n\n- *één*\n- [STO](https://www.sterktechniekonderwijs.nl)\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(1))",
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
        );
        assert!(html.contains("<a href=\"/regeling/sto-2025-2028\">de regeling</a>"), "{html}");
        assert!(!html.contains("evil.example\""), "{html}");
    }
}
