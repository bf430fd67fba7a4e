//! Files in and out of the ledger: imported hours and invoices, the reports, change letters.

use domain::execution::{self, RecordKind};
use domain::{Action, Actor, FieldErrors};
use store::regions;

use super::{
    Record, add_all, annual_note, authorize_record, explanations, milestones, notices, settle_ledger, today,
    years_to_date,
};
use crate::{App, Result, ServiceError, corrupt, invalid, live_region};

/// The columns an import file of `kind` has (the first ones required), for the page that explains it.
pub fn import_columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Hours => &import::execution::HOUR_COLUMNS,
        RecordKind::Costs => &import::execution::COST_COLUMNS,
        RecordKind::Assets | RecordKind::Contributions => &[],
    }
}

/// Imports hours or invoices from a CSV or XLSX file, all or nothing; returns how many were
/// recorded. Equipment and contributions are entered one by one (not found here).
pub async fn import(app: &App, actor: &Actor, slug: &str, kind: RecordKind, bytes: &[u8]) -> Result<usize> {
    use import::execution as imp;
    if !matches!(kind, RecordKind::Hours | RecordKind::Costs) {
        return Err(ServiceError::NotFound);
    }
    authorize_record(app, actor, slug).await?;
    let started = std::time::Instant::now();
    let bytes = bytes.to_vec();
    // Reading a workbook or a long CSV is CPU work: on the bounded pool.
    let table = crate::cpu::run(move || imp::table_of(&bytes).map_err(|e| invalid("bestand", e))).await??;
    let members = {
        let mut conn = app.db.conn().await?;
        let region = live_region(&mut conn, slug).await?;
        regions::members(&mut conn, &region.id).await?
    };
    let organisation = |cell: &str| {
        let c = cell.trim().to_lowercase();
        members
            .iter()
            .find(|m| {
                m.id == cell.trim()
                    || m.duo_code.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(&c))
                    || m.name.to_lowercase() == c
            })
            .map(|m| m.id.clone())
    };
    let reg = app.current_regulation()?;
    let row_errors = |errors: Vec<imp::RowError>| {
        let mut e = FieldErrors::default();
        for r in errors {
            e.add(&format!("rij {}", r.row), r.to_string());
        }
        ServiceError::Invalid(e)
    };
    let first = table.first_row;
    let labelled: Vec<(String, Record)> = match kind {
        RecordKind::Hours => {
            imp::hours(&table, organisation).map_err(row_errors)?.into_iter().map(Record::Hours).collect::<Vec<_>>()
        }
        _ => {
            let category = |cell: &str| {
                let c = cell.trim().to_lowercase();
                reg.categories.iter().find(|k| k.id == c || k.label.to_lowercase() == c).map(|k| k.id.clone())
            };
            imp::costs(&table, organisation, category).map_err(row_errors)?.into_iter().map(Record::Cost).collect()
        }
    }
    .into_iter()
    .enumerate()
    .map(|(i, r)| (format!("rij {}", first + i), r))
    .collect();
    if labelled.is_empty() {
        return Err(invalid("bestand", "Het bestand bevat geen regels."));
    }
    let count = labelled.len();
    add_all(app, actor, slug, labelled, None).await?;
    app.metrics.import(kind.api_name(), started);
    Ok(count)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Pdf,
    Xlsx,
}

/// The progress report for a year, or the final accounts, as a file: (file name, bytes).
pub async fn report(
    app: &App,
    actor: &Actor,
    slug: &str,
    kind: docs::report::ReportKind,
    format: ReportFormat,
) -> Result<(String, Vec<u8>)> {
    let reg = app.current_regulation()?;
    let (ledger, list) = milestones(app, actor, slug).await?;
    actor.require(Action::ViewAllRecords { region_id: &ledger.region.id })?;
    let all = ledger.records();
    let today = today(app)?;
    let (approved, records, years) = match kind {
        docs::report::ReportKind::Progress(year) => {
            if !reg.years.contains(&year) {
                return Err(invalid("period", format!("{year} valt buiten de looptijd van de regeling.")));
            }
            let (a, r) = execution::for_year(&ledger.approved, &all, year);
            (a, r, vec![year])
        }
        // Depreciation of years not yet begun is no realised cost: the same years as the settlement.
        docs::report::ReportKind::Final => (ledger.approved.clone(), all, years_to_date(app)?),
    };
    let realisation = execution::realisation(reg, &approved, &records, (&years, today)).map_err(corrupt)?;
    let settlement = settle_ledger(app, actor, &ledger).await?;
    let annual = annual_note(app, &ledger).await?;
    let explanations = explanations(app, &ledger.region.id).await?;
    let rows: Vec<docs::report::MilestoneRow> = list
        .into_iter()
        .filter(|m| match kind {
            docs::report::ReportKind::Progress(year) => m.due.year() == year,
            docs::report::ReportKind::Final => true,
        })
        .map(|m| docs::report::MilestoneRow {
            activity: m.activity,
            title: m.title,
            due: m.due,
            state: m.state.label(),
            achieved_on: m.achieved_on,
            evidence: m.evidence,
        })
        .collect();
    let stem = match kind {
        docs::report::ReportKind::Progress(year) => format!("voortgangsrapportage-{}-{year}", ledger.region.slug),
        docs::report::ReportKind::Final => format!("eindverantwoording-{}", ledger.region.slug),
    };
    let obligation = reg.reports.iter().find(|o| match kind {
        docs::report::ReportKind::Progress(year) => o.year == Some(year),
        docs::report::ReportKind::Final => o.is_final(),
    });
    let plans = match obligation {
        Some(o) => {
            let mut conn = app.db.conn().await?;
            crate::plan_reports::rollup(&mut conn, &ledger.region.id, &o.id, (&approved, &realisation)).await?
        }
        None => Vec::new(),
    };
    let (reg, region) = (reg.clone(), ledger.region.name.clone());
    let bytes = crate::cpu::run(move || {
        let input = docs::report::ReportInput {
            reg: &reg,
            region: &region,
            kind,
            approved: &approved,
            records: &records,
            realisation: &realisation,
            years: &years,
            settlement: (kind == docs::report::ReportKind::Final).then_some(&settlement),
            annual: &annual,
            milestones: &rows,
            explanations: &explanations,
            made_on: today,
            plans: &plans,
        };
        match format {
            ReportFormat::Pdf => docs::report::report_pdf(&input).map_err(corrupt),
            ReportFormat::Xlsx => docs::report::report_xlsx(&input).map_err(corrupt),
        }
    })
    .await??;
    let extension = match format {
        ReportFormat::Pdf => "pdf",
        ReportFormat::Xlsx => "xlsx",
    };
    Ok((format!("{stem}.{extension}"), bytes))
}

/// A change notice as a PDF letter: (file name, bytes).
pub async fn notice_pdf(app: &App, actor: &Actor, slug: &str, id: &str) -> Result<(String, Vec<u8>)> {
    let (ledger, list) = notices(app, actor, slug).await?;
    let mut n = list.into_iter().find(|n| n.id == id).ok_or(ServiceError::NotFound)?;
    // A letter carries a date: an undated notice is dated the day its letter is made.
    n.notice.date = n.notice.date.or(Some(today(app)?));
    let name =
        format!("wijziging-{}-{}.pdf", ledger.region.slug, n.notice.date.map(|d| d.to_string()).unwrap_or_default());
    let reg = app.current_regulation()?.clone();
    let bytes = crate::cpu::run(move || {
        docs::report::change_notice_pdf(&reg, &ledger.region.name, &ledger.approved, &n.notice, &n.substantial)
            .map_err(corrupt)
    })
    .await??;
    Ok((name, bytes))
}
