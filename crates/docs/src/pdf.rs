//! The application as a PDF, typeset with Typst (fonts embedded in the binary; nothing is
//! fetched at run time). Every text from the application enters the Typst source as a string
//! literal, so it is shown as written and never read as markup.

use std::sync::LazyLock;

use domain::fmt::{date_nl, decimal_nl, euro_nl, percent_nl};
use domain::regulation::application::{Application, FundingSource};
use domain::regulation::check::{self, CheckError};
use domain::regulation::{Regulation, Severity};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("{0}")]
    Check(#[from] CheckError),
    #[error("PDF opmaken mislukt: {0}")]
    Typeset(String),
}

static FONTS: LazyLock<Vec<Font>> =
    LazyLock::new(|| typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect());
static BOOK: LazyLock<LazyHash<FontBook>> = LazyLock::new(|| LazyHash::new(FontBook::from_fonts(FONTS.iter())));
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// A world of one source file and the embedded fonts.
struct DocWorld {
    source: Source,
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &BOOK
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() { Ok(self.source.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A Typst string literal: shown as written, never interpreted.
pub(crate) fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `#text(...)` of a literal, for use in markup.
pub(crate) fn t(s: &str) -> String {
    format!("#{}", lit(s))
}

/// What the cover says about the version: "Concept" or "Versie 2", with the SHA-256.
pub struct VersionLabel {
    pub label: String,
    pub sha256: String,
}

/// Typesets the whole application: cover, vision, activities, budget, check results.
pub fn application_pdf(reg: &Regulation, app: &Application, version: &VersionLabel) -> Result<Vec<u8>, PdfError> {
    let dated = app.submitted_at.to_zoned_datetime(reg.time_zone()).date();
    compile(typst_source(reg, app, version)?, dated)
}

/// Typesets a Typst source with the embedded fonts, as a document dated `dated` (PDF/A records a
/// document's date; the document's own date keeps the bytes the same however often it is made).
pub(crate) fn compile(source: String, dated: jiff::civil::Date) -> Result<Vec<u8>, PdfError> {
    let source = format!(
        "#set document(date: datetime(year: {}, month: {}, day: {}))\n{source}",
        dated.year(),
        dated.month(),
        dated.day()
    );
    let world = DocWorld { source: Source::detached(source) };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| {
        PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    typst_pdf::pdf(&document, &pdf_options()?).map_err(|errors| {
        PdfError::Typeset(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })
}

/// Every PDF Sterk hands out declares and meets PDF/A-2a (archived government records: embedded
/// fonts, an sRGB output intent, XMP metadata, tagged structure) and PDF/UA-1 (accessible: a title
/// shown in the window, tags with a reading order, the document's language).
fn pdf_options() -> Result<typst_pdf::PdfOptions, PdfError> {
    use typst_pdf::{PdfStandard, PdfStandards};
    let standards = PdfStandards::new(&[PdfStandard::A_2a, PdfStandard::Ua_1])
        .map_err(|e| PdfError::Typeset(e.message().to_string()))?;
    Ok(typst_pdf::PdfOptions { standards, ..typst_pdf::PdfOptions::default() })
}

fn typst_source(reg: &Regulation, app: &Application, version: &VersionLabel) -> Result<String, PdfError> {
    let (report, lines) = check::check_with_lines(reg, app)?;
    let phase = reg.phase(&app.phase).map_or(app.phase.clone(), |p| p.label.clone());
    let t_ = &report.totals;
    let mut s = String::new();
    s.push_str("#set document(title: \"Aanvraag Sterk Techniekonderwijs\")\n");
    s.push_str("#set page(paper: \"a4\", margin: 2cm, numbering: \"1\")\n");
    s.push_str("#set text(lang: \"nl\", size: 10pt)\n#set par(justify: false)\n");
    s.push_str("#show heading: set block(above: 1.2em, below: 0.6em)\n#set table(inset: 4pt)\n#show table: set text(size: 8pt)\n#set text(hyphenate: true)\n");
    s.push_str(&format!("#align(center)[#v(4cm)#text(size: 24pt, weight: \"bold\")[{}]\n\n#text(size: 18pt)[{}]\n\n#text(size: 14pt)[{}]\n\n", t(&app.region.name), t(&phase), t(&reg.title)));
    s.push_str(&format!("#v(1cm)#text(size: 12pt)[{}]\n\n", t(&version.label)));
    s.push_str(&format!(
        "#text(size: 9pt, font: \"DejaVu Sans Mono\")[{}]]\n",
        t(&format!("SHA-256 {}", version.sha256))
    ));
    s.push_str("#pagebreak()\n");

    s.push_str("= Samenvatting\n");
    s.push_str("#table(columns: (auto, auto), stroke: 0.4pt,\n");
    let rows = [
        ("Subsidiabele kosten", euro_nl(t_.eligible_costs.0)),
        ("Gevraagde subsidie", euro_nl(t_.subsidy_requested.0)),
        (
            "Cofinanciering door bedrijven",
            format!("{} ({})", euro_nl(t_.cofinancing.0), percent_nl(t_.cofinancing_share.0)),
        ),
        ("Maximum van de regio", t_.region_maximum.map_or("onbekend".into(), |m| euro_nl(m.0))),
        (
            "Uitslag van de controle",
            if report.passed {
                "voldoet aan alle blokkerende regels".into()
            } else {
                "voldoet niet aan alle blokkerende regels".into()
            },
        ),
    ];
    for (k, v) in rows {
        s.push_str(&format!("  [{}], [{}],\n", t(k), t(&v)));
    }
    s.push_str(")\n");

    s.push_str("= Regiovisie\n");
    let vision = app.vision.as_deref().unwrap_or("Nog geen regiovisie.");
    for para in vision.split("\n\n") {
        s.push_str(&format!("{}\n\n", t(para.trim())));
    }

    s.push_str("= Activiteiten\n");
    for a in &app.activities {
        s.push_str(&format!("== {}\n", t(&a.title)));
        if !a.description.is_empty() {
            s.push_str(&format!("{}\n\n", t(&a.description)));
        }
        if !a.goals.is_empty() {
            s.push_str(&format!("*Doelen:* {}\n\n", t(&a.goals)));
        }
        let themes: Vec<String> = a
            .themes
            .iter()
            .map(|id| reg.themes.iter().find(|th| &th.id == id).map_or(id.clone(), |th| th.label.clone()))
            .collect();
        s.push_str(&format!("*Thema's:* {}\n\n", t(&themes.join("; "))));
        for m in &a.milestones {
            s.push_str(&format!("- {}\n", t(&format!("Mijlpaal: {} ({})", m.title, date_nl(m.due)))));
        }
        s.push('\n');
    }

    s.push_str("= Begroting\n");
    let years: Vec<i16> = reg.phase(&app.phase).map(|p| p.years.clone()).unwrap_or_default();
    for year in years {
        let year_lines: Vec<_> = lines.iter().filter(|l| l.line.year == year).collect();
        if year_lines.is_empty() {
            continue;
        }
        s.push_str(&format!("== {year}\n"));
        s.push_str("#table(columns: (20%, 27%, 15%, 12%, 12%, 14%), stroke: 0.4pt, align: (left, left, right, right, right, left),\n");
        s.push_str("  table.header([*Activiteit*], [*Omschrijving*], [*Aantal × prijs*], [*Bedrag*], [*Subsidiabel*], [*Financier*]),\n");
        for l in &year_lines {
            let activity = app
                .activities
                .iter()
                .find(|a| a.id == l.line.activity)
                .map_or(l.line.activity.as_str(), |a| a.title.as_str());
            let funder = match (&l.line.funding.source, &l.line.funding.by) {
                (FundingSource::Cofinancing, Some(by)) => app.organisation(by).map_or(by.clone(), |o| o.name.clone()),
                _ => "Subsidie".to_owned(),
            };
            s.push_str(&format!(
                "  [{}], [{}], [{}], [{}], [{}], [{}],\n",
                t(activity),
                t(&l.line.description),
                t(&format!("{} × {}", decimal_nl(l.line.quantity.0), euro_nl(l.line.unit_price_eur.0))),
                t(&euro_nl(l.amount)),
                t(&euro_nl(l.eligible)),
                t(&funder)
            ));
        }
        let total: rust_decimal::Decimal = year_lines.iter().map(|l| l.amount).sum();
        let eligible: rust_decimal::Decimal = year_lines.iter().map(|l| l.eligible).sum();
        s.push_str(&format!(
            "  [*Totaal*], [], [], [*{}*], [*{}*], [],\n)\n",
            t(&euro_nl(total)),
            t(&euro_nl(eligible))
        ));
    }
    let total: rust_decimal::Decimal = lines.iter().map(|l| l.amount).sum();
    s.push_str(&format!("*Begroting totaal:* {}\n\n", t(&euro_nl(total))));

    s.push_str("= Controle tegen de regeling\n");
    for f in &report.findings {
        let mark = match (f.applicable, f.passed, f.severity) {
            (false, _, _) => "n.v.t.",
            (true, true, _) => "Voldoet",
            (true, false, Severity::Blocking) => "Voldoet niet",
            (true, false, Severity::Warning) => "Let op",
        };
        s.push_str(&format!(
            "- *{}* {}: {} #text(size: 8pt)[{}]\n",
            t(mark),
            t(&f.title),
            t(&f.message),
            t(&format!("(bron: {})", f.source))
        ));
    }
    Ok(s)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn literals_cannot_escape_into_markup() {
        assert_eq!(lit("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(t("#set page(width: 1cm)"), "#\"#set page(width: 1cm)\"");
    }

    #[test]
    fn the_pdf_is_a_pdf_with_the_region_and_hash() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app =
            Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        app.vision = Some("Visie met #hekje, *sterretjes* en \"aanhalingstekens\".".into());
        let pdf =
            application_pdf(&reg, &app, &VersionLabel { label: "Versie 1".into(), sha256: "ab".repeat(32) }).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // It says what it meets in its XMP metadata (kept unfiltered, as PDF/A asks).
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            raw.contains("<pdfaid:part>2</pdfaid:part>") && raw.contains("<pdfaid:conformance>A</pdfaid:conformance>")
        );
        assert!(raw.contains("<pdfuaid:part>1</pdfuaid:part>"));
        let text = pdf_text(&pdf);
        assert!(text.contains("Voorbeeldregio"), "{text}");
        assert!(text.contains(&"ab".repeat(32)), "the version hash is on the cover");
        assert!(text.contains("Begroting totaal: € 181.000,00"), "{text}");
        assert!(
            text.contains("Visie met #hekje, *sterretjes* en \"aanhalingstekens\"."),
            "user text is shown as written"
        );
    }

    /// The PDF's text, extracted by poppler's pdftotext (installed by scripts/test-all).
    pub(crate) fn pdf_text(pdf: &[u8]) -> String {
        let path = std::env::temp_dir().join(format!("sterk-pdf-{}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        std::fs::remove_file(&path).ok();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}
