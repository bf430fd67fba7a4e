//! The command-line imports of DUO's files, with a progress bar.

use anyhow::Context;
use domain::Actor;
use services::{App, ServiceError};

use crate::{Cli, open, regulations};

/// A progress bar on standard error: `[#####     ] 6.000 van 12.782 regels`.
/// Imports a DUO file with a progress bar: the exam file (`pupils_year: None`) or the pupils
/// file (`Some(school year if known)`).
pub(crate) async fn import_duo(
    cli: &Cli,
    file: &std::path::Path,
    pupils_year: Option<Option<String>>,
) -> anyhow::Result<()> {
    let (db, _) = open(cli).await?;
    let app = App::with_regulations(db, regulations(cli)?);
    let bytes = std::fs::read(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
    let total = bytes.iter().filter(|b| **b == b'\n').count().saturating_sub(1).max(1);
    let progress = |n| progress_bar(n, total);
    let actor = Actor::system();
    let summary = match &pupils_year {
        None => services::monitoring::import_exams(&app, &actor, &bytes, progress).await,
        Some(year) => services::monitoring::import_pupils(&app, &actor, &bytes, year.as_deref(), progress).await,
    }
    .map_err(|e| match e {
        ServiceError::Invalid(errors) => anyhow::anyhow!("{}: niets ingelezen.\n{errors}", file.display()),
        e => e.into(),
    })?;
    eprintln!();
    println!(
        "Ingelezen: {} regels, {} vestigingen, schooljaren {}, {} gemaskeerde cellen (1 tot 4).",
        domain::fmt::integer_nl(summary.lines as i64),
        domain::fmt::integer_nl(summary.locations as i64),
        summary.years.join(", "),
        domain::fmt::integer_nl(summary.masked_cells as i64)
    );
    Ok(())
}

/// The count year in a DUO file name (`01.-leerlingen-vo-per-vestiging-naar-onderwijstype-2023.csv`).
pub(crate) fn year_in_file_name(file: &std::path::Path) -> Option<String> {
    let stem = file.file_stem()?.to_str()?;
    let last = stem.rsplit(['-', '_', ' ']).next()?;
    (last.len() == 4 && last.chars().all(|c| c.is_ascii_digit())).then(|| last.to_owned())
}

fn progress_bar(done: usize, total: usize) {
    let filled = (done * 30 / total).min(30);
    eprint!(
        "\rInlezen [{}{}] {} van {} regels",
        "#".repeat(filled),
        " ".repeat(30 - filled),
        domain::fmt::integer_nl(done as i64),
        domain::fmt::integer_nl(total as i64)
    );
}

/// A region's hours from a file, all or nothing: every row checked against the approved plan
/// before one is stored, in one transaction (an interrupted import stores none).
pub(crate) async fn import_hours(cli: &Cli, slug: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let (db, _) = open(cli).await?;
    let app = App::with_regulations(db, regulations(cli)?);
    let bytes = std::fs::read(file).with_context(|| format!("kan {} niet lezen", file.display()))?;
    eprintln!("Inlezen van {} …", file.display());
    let kind = domain::execution::RecordKind::Hours;
    let count = services::execution::import(&app, &Actor::system(), slug, kind, &bytes).await.map_err(|e| match e {
        ServiceError::Invalid(errors) => anyhow::anyhow!("{}: niets ingelezen.\n{errors}", file.display()),
        ServiceError::NotFound => anyhow::anyhow!("er is geen regio \"{slug}\""),
        e => e.into(),
    })?;
    println!("Ingelezen: {} regels uren voor {slug}.", domain::fmt::integer_nl(count as i64));
    Ok(())
}
