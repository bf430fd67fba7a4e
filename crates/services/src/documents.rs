//! Every file Sterk makes of an application (the exchange JSON, the budget workbook, the PDF),
//! made here once for the pages, the API and the command line alike: the same version gives the
//! same bytes wherever it is asked for. Typesetting and workbooks are CPU work, done on the
//! bounded pool off the async workers.

use domain::Actor;
use domain::regulation::application::{Application, BudgetLine};

use crate::applications::{self, VersionInfo};
use crate::{App, Result, ServiceError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xlsx,
    Pdf,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }
}

/// A file to hand out: its name, type and bytes.
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The application of `slug` for `phase` as a file: `number` 0 is the current draft, else that
/// submitted version.
pub async fn application(
    app: &App,
    actor: &Actor,
    (slug, phase): (&str, &str),
    number: i64,
    format: Format,
) -> Result<Document> {
    let (application, info) = applications::content(app, actor, slug, phase, number).await?;
    let reg = app.current_regulation()?.clone();
    let label = version_label(info.as_ref());
    let sha256 = info.map_or_else(|| crate::auth::sha256_hex(&application.canonical_json()), |v| v.sha256);
    let corrupt = |e: String| ServiceError::File(e);
    let bytes = match format {
        Format::Json => serde_json::to_string_pretty(&application)
            .map(|s| s + "\n")
            .map_err(|e| corrupt(e.to_string()))?
            .into_bytes(),
        Format::Xlsx => crate::cpu::run(move || docs::xlsx::write_budget(&reg, &application))
            .await?
            .map_err(|e| corrupt(e.to_string()))?,
        Format::Pdf => {
            let version = docs::pdf::VersionLabel { label, sha256 };
            crate::cpu::run(move || docs::pdf::application_pdf(&reg, &application, &version))
                .await?
                .map_err(|e| corrupt(e.to_string()))?
        }
    };
    let stem = if format == Format::Xlsx { "begroting" } else { "aanvraag" };
    let suffix = match (number, format) {
        (0, Format::Pdf) => "-concept".to_owned(),
        (0, _) => String::new(),
        (n, _) => format!("-versie-{n}"),
    };
    Ok(Document {
        name: format!("{stem}-{slug}-{phase}{suffix}.{}", format.extension()),
        content_type: format.content_type(),
        bytes,
    })
}

/// "Versie 2, ingediend 1 oktober 2024 om 14:05", or for the draft "Concept (niet ingediend)".
fn version_label(info: Option<&VersionInfo>) -> String {
    match info {
        Some(v) => {
            let at = jiff::Timestamp::from_millisecond(v.submitted_at).map(domain::fmt::instant_nl).unwrap_or_default();
            format!("Versie {}, ingediend {at}", v.number)
        }
        None => "Concept (niet ingediend)".to_owned(),
    }
}

/// The budget read back from its workbook (as made above and edited in Excel), on the CPU pool:
/// every line, or every wrong cell (the workbook is taken whole or not at all).
pub async fn budget_from_workbook(
    app: &App,
    bytes: Vec<u8>,
    application: &Application,
) -> Result<std::result::Result<Vec<BudgetLine>, Vec<import::budget::CellError>>> {
    let reg = app.current_regulation()?.clone();
    let application = application.clone();
    crate::cpu::run(move || import::budget::read(&bytes, &reg, &application)).await
}
