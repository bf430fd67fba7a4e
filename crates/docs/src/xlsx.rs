//! The budget as an Excel workbook: one sheet per year, a summary and a co-financing sheet.
//! Reading it back is `import::budget`.

use domain::organisation::OrganisationKind;
use domain::regulation::Regulation;
use domain::regulation::application::{Application, FundingSource, SUBSIDY_LABEL};
use domain::regulation::check::{self, CheckError};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError};

use crate::table::{EURO, column_sum, f64_of};

/// The year sheets' columns; `import::budget` reads them back by their titles.
const COLUMNS: [(&str, f64); 10] = [
    ("Activiteit", 34.0),
    ("Kostensoort", 28.0),
    ("Omschrijving", 40.0),
    ("Aantal", 10.0),
    ("Eenheid", 10.0),
    ("Prijs per eenheid", 16.0),
    ("Bedrag", 16.0),
    ("Subsidiabel", 16.0),
    ("Financiering", 34.0),
    ("In natura", 10.0),
];
/// The summary's first row of years.
const YEARS_FROM: u32 = 11;

#[derive(Debug, thiserror::Error)]
pub enum XlsxDocError {
    #[error("werkmap schrijven: {0}")]
    Write(#[from] XlsxError),
    #[error("{0}")]
    Check(#[from] CheckError),
}

fn header(ws: &mut Worksheet, bold: &Format) -> Result<(), XlsxError> {
    for (c, (title, width)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, bold)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

struct Formats {
    bold: Format,
    euro: Format,
    euro_bold: Format,
    wrap: Format,
}

/// The budget workbook of an application: a summary whose totals are formulas over the year
/// sheets, a sheet per year (every line in Dutch: the activity's title, the cost type's label, the
/// funder's name) and the co-financing. Cached results are the exact values, so a spreadsheet that
/// recomputes shows the same.
pub fn write_budget(reg: &Regulation, app: &Application) -> Result<Vec<u8>, XlsxDocError> {
    let (report, all_lines) = check::check_with_lines(reg, app)?;
    let years: Vec<i16> = reg.phase(&app.phase).map(|p| p.years.clone()).unwrap_or_default();
    // Only the phase's years have a sheet (the checks refuse lines in other years), so the
    // summary's cached results count the lines its formulas count.
    let lines: Vec<check::LineEval<'_>> = all_lines.into_iter().filter(|l| years.contains(&l.line.year)).collect();
    let mut wb = Workbook::new();
    // Created when the application was submitted (or last saved), not now: the same version gives
    // the same bytes every time.
    let created = rust_xlsxwriter::ExcelDateTime::from_timestamp(app.submitted_at.as_second())?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let f = Formats {
        bold: Format::new().set_bold(),
        euro: Format::new().set_num_format(EURO),
        euro_bold: Format::new().set_num_format(EURO).set_bold(),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    };
    wb.add_worksheet().set_name("Samenvatting")?;
    let mut last_rows = Vec::new();
    for (yi, year) in years.iter().enumerate() {
        let in_year: Vec<&check::LineEval> = lines.iter().filter(|l| l.line.year == *year).collect();
        let ws = wb.add_worksheet().set_name(year.to_string())?;
        let total_row = year_sheet(ws, reg, app, &in_year, &f)?;
        last_rows.push(total_row);
        let amount: Decimal = in_year.iter().map(|l| l.amount).sum();
        let eligible: Decimal = in_year.iter().map(|l| l.eligible).sum();
        let summary = wb.worksheet_from_name("Samenvatting")?;
        let srow = YEARS_FROM + yi as u32;
        summary.write_number(srow, 0, f64::from(*year))?;
        let total = |col: char, value: Decimal| {
            Formula::new(format!("='{year}'!{col}{}", total_row + 1)).set_result(value.to_string())
        };
        summary.write_formula_with_format(srow, 1, total('G', amount), &f.euro)?;
        summary.write_formula_with_format(srow, 2, total('H', eligible), &f.euro)?;
    }
    let cofinancing_rows = cofinancing_sheet(wb.add_worksheet().set_name("Cofinanciering")?, app, &lines, &f)?;
    let summary = wb.worksheet_from_name("Samenvatting")?;
    summary_sheet(summary, reg, app, (&report.totals, &lines), (&years, &last_rows, cofinancing_rows), &f)?;
    Ok(wb.save_to_buffer()?)
}

/// One year's lines; returns the row (0-based) of its totals.
fn year_sheet(
    ws: &mut Worksheet,
    reg: &Regulation,
    app: &Application,
    lines: &[&check::LineEval<'_>],
    f: &Formats,
) -> Result<u32, XlsxError> {
    header(ws, &f.bold)?;
    let mut row = 1u32;
    for l in lines {
        let line = l.line;
        let activity =
            app.activities.iter().find(|a| a.id == line.activity).map_or(line.activity.as_str(), |a| a.title.as_str());
        ws.write_string_with_format(row, 0, activity, &f.wrap)?;
        ws.write_string(row, 1, reg.category(&line.category).map_or(line.category.as_str(), |c| c.label.as_str()))?;
        ws.write_string_with_format(row, 2, &line.description, &f.wrap)?;
        ws.write_number(row, 3, f64_of(line.quantity.0))?;
        ws.write_string(row, 4, &line.unit)?;
        ws.write_number_with_format(row, 5, f64_of(line.unit_price_eur.0), &f.euro)?;
        let r = row + 1;
        ws.write_formula_with_format(
            row,
            6,
            Formula::new(format!("=D{r}*F{r}")).set_result(l.amount.to_string()),
            &f.euro,
        )?;
        ws.write_number_with_format(row, 7, f64_of(l.eligible), &f.euro)?;
        ws.write_string(row, 8, funder_name(app, line))?;
        ws.write_string(row, 9, if line.funding.in_kind { "ja" } else { "nee" })?;
        row += 1;
    }
    let amount: Decimal = lines.iter().map(|l| l.amount).sum();
    let eligible: Decimal = lines.iter().map(|l| l.eligible).sum();
    ws.write_string_with_format(row, 0, "Totaal", &f.bold)?;
    ws.write_formula_with_format(row, 6, column_sum("G", 2, row, amount), &f.euro_bold)?;
    ws.write_formula_with_format(row, 7, column_sum("H", 2, row, eligible), &f.euro_bold)?;
    Ok(row)
}

/// Who pays a line, as the Financiering column says it: the subsidy or the organisation's name.
fn funder_name<'a>(app: &'a Application, line: &'a domain::regulation::application::BudgetLine) -> &'a str {
    match (&line.funding.source, &line.funding.by) {
        // An organisation called like the subsidy is written by its id, which the importer reads first.
        (FundingSource::Cofinancing, Some(by)) => match app.organisation(by) {
            Some(o) if !o.name.trim().eq_ignore_ascii_case(SUBSIDY_LABEL) => o.name.as_str(),
            _ => by.as_str(),
        },
        // The checks refuse this; the workbook says so rather than calling it subsidy.
        (FundingSource::Cofinancing, None) => "Cofinanciering zonder organisatie",
        (FundingSource::Subsidy, _) => SUBSIDY_LABEL,
    }
}

/// The co-financed lines; returns how many there are.
fn cofinancing_sheet(
    ws: &mut Worksheet,
    app: &Application,
    lines: &[check::LineEval<'_>],
    f: &Formats,
) -> Result<u32, XlsxError> {
    let columns = [
        ("Jaar", 8.0),
        ("Organisatie", 34.0),
        ("Soort", 14.0),
        ("Vorm", 12.0),
        ("Omschrijving", 40.0),
        ("Subsidiabel", 16.0),
    ];
    for (c, (title, width)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, &f.bold)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let co: Vec<&check::LineEval> =
        lines.iter().filter(|l| l.line.funding.source == FundingSource::Cofinancing).collect();
    let mut row = 1u32;
    for l in &co {
        let org = l.line.funding.by.as_deref().and_then(|id| app.organisation(id));
        ws.write_number(row, 0, f64::from(l.line.year))?;
        ws.write_string(row, 1, org.map_or("", |o| o.name.as_str()))?;
        ws.write_string(row, 2, org.map_or("", |o| o.kind.label()))?;
        ws.write_string(row, 3, if l.line.funding.in_kind { "in natura" } else { "geld" })?;
        ws.write_string_with_format(row, 4, &l.line.description, &f.wrap)?;
        ws.write_number_with_format(row, 5, f64_of(l.eligible), &f.euro)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "Totaal", &f.bold)?;
    let total: Decimal = co.iter().map(|l| l.eligible).sum();
    ws.write_formula_with_format(row, 5, column_sum("F", 2, row, total), &f.euro_bold)?;
    ws.write_string(row + 2, 0, "Alleen bijdragen van bedrijven tellen mee voor de minimale cofinanciering.")?;
    Ok(row - 1)
}

/// The summary: region, phase, the totals as formulas over the other sheets, the region's maximum.
fn summary_sheet(
    ws: &mut Worksheet,
    reg: &Regulation,
    app: &Application,
    (t, lines): (&check::Totals, &[check::LineEval<'_>]),
    (years, last_rows, cofinanced): (&[i16], &[u32], u32),
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 34.0)?;
    ws.set_column_width(1, 20.0)?;
    ws.set_column_width(2, 20.0)?;
    ws.write_string_with_format(0, 0, "Begroting", &f.bold)?;
    ws.write_string(1, 0, "Regio")?;
    ws.write_string(1, 1, &app.region.name)?;
    ws.write_string(2, 0, "Fase")?;
    ws.write_string(2, 1, reg.phase(&app.phase).map_or(app.phase.as_str(), |p| p.label.as_str()))?;
    // Exact sums (not the rounded totals of the checks), as the formulas compute them.
    let eligible: Decimal = lines.iter().map(|l| l.eligible).sum();
    let subsidy: Decimal =
        lines.iter().filter(|l| l.line.funding.source == FundingSource::Subsidy).map(|l| l.eligible).sum();
    let by_company = |l: &&check::LineEval| {
        l.line.funding.source == FundingSource::Cofinancing
            && l.line
                .funding
                .by
                .as_deref()
                .and_then(|id| app.organisation(id))
                .is_some_and(|o| o.kind == OrganisationKind::Company)
    };
    let cofinancing: Decimal = lines.iter().filter(by_company).map(|l| l.eligible).sum();
    let last_year = YEARS_FROM + years.len() as u32;
    let per_year_subsidy: Vec<String> = years
        .iter()
        .zip(last_rows)
        .map(|(y, last)| format!("SUMIF('{y}'!I2:I{last},\"{SUBSIDY_LABEL}\",'{y}'!H2:H{last})"))
        .chain(years.is_empty().then(|| "0".to_owned()))
        .collect();
    let company = OrganisationKind::Company.label();
    let co_last = cofinanced + 1;
    let figures = [
        ("Gevraagde subsidie", format!("={}", per_year_subsidy.join("+")), subsidy),
        (
            "Cofinanciering door bedrijven",
            format!("=SUMIF(Cofinanciering!C2:C{co_last},\"{company}\",Cofinanciering!F2:F{co_last})"),
            cofinancing,
        ),
    ];
    ws.write_string(4, 0, "Subsidiabele kosten")?;
    ws.write_formula_with_format(4, 1, column_sum("C", YEARS_FROM + 1, last_year, eligible), &f.euro)?;
    for (i, (label, formula, value)) in figures.iter().enumerate() {
        let row = 5 + i as u32;
        ws.write_string(row, 0, *label)?;
        ws.write_formula_with_format(row, 1, Formula::new(formula).set_result(value.to_string()), &f.euro)?;
    }
    let share = if eligible.is_zero() { Decimal::ZERO } else { cofinancing / eligible };
    ws.write_string(7, 0, "Aandeel cofinanciering")?;
    let percent = Format::new().set_num_format("0.0%");
    ws.write_formula_with_format(7, 1, Formula::new("=IF(B5=0,0,B7/B5)").set_result(share.to_string()), &percent)?;
    ws.write_string(8, 0, "Maximum van de regio")?;
    match t.region_maximum {
        Some(m) => ws.write_number_with_format(8, 1, f64_of(m.0), &f.euro)?,
        None => ws.write_string(8, 1, "onbekend")?,
    };
    ws.write_string_with_format(10, 0, "Jaar", &f.bold)?;
    ws.write_string_with_format(10, 1, "Bedrag", &f.bold)?;
    ws.write_string_with_format(10, 2, "Subsidiabel", &f.bold)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use std::io::Cursor;

    #[test]
    fn the_summary_and_sheets_carry_the_apps_numbers() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let app = Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        let bytes = write_budget(&reg, &app).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), ["Samenvatting", "2025", "2026", "2027", "2028", "Cofinanciering"]);
        let s = wb.worksheet_range("Samenvatting").unwrap();
        assert_eq!(s.get_value((5, 1)), Some(&Data::Float(159000.0)), "subsidy requested");
        assert_eq!(s.get_value((11, 2)), Some(&Data::Float(49000.0)), "2025 eligible via a formula's cached result");
        let y = wb.worksheet_range("2025").unwrap();
        assert_eq!(y.get_value((0, 0)), Some(&Data::String("Activiteit".into())));
    }

    #[test]
    fn a_year_without_lines_totals_zero_rather_than_itself() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app =
            Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        app.budget.retain(|l| l.year != 2026);
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(write_budget(&reg, &app).unwrap())).unwrap();
        let formulas = wb.worksheet_formula("2026").unwrap();
        let totals: Vec<String> = formulas.used_cells().map(|(_, _, f)| f.clone()).collect();
        assert_eq!(totals, ["0", "0"], "no SUM reaching its own cell");
    }

    #[test]
    fn lines_are_in_dutch_and_the_totals_are_formulas_with_exact_results() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let app = Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(write_budget(&reg, &app).unwrap())).unwrap();
        let y = wb.worksheet_range("2025").unwrap();
        let first = &app.budget.iter().find(|l| l.year == 2025).unwrap();
        let title = &app.activities.iter().find(|a| a.id == first.activity).unwrap().title;
        assert_eq!(y.get_value((1, 0)), Some(&Data::String(title.clone())), "the activity's title, not its id");
        let label = &reg.category(&first.category).unwrap().label;
        assert_eq!(y.get_value((1, 1)), Some(&Data::String(label.clone())), "the cost type's label");
        let funders: Vec<String> = (1..y.height() as u32)
            .filter_map(|r| y.get_value((r, 8)))
            .map(|d| d.to_string())
            .filter(|s| !s.is_empty())
            .collect();
        assert!(
            funders.iter().all(|f| f == "Subsidie" || app.organisations.iter().any(|o| &o.name == f)),
            "{funders:?}"
        );
        let formulas = wb.worksheet_formula("Samenvatting").unwrap();
        let f = |row: u32| formulas.get_value((row, 1)).cloned().unwrap_or_default();
        assert_eq!(f(4), "SUM(C12:C15)");
        assert!(f(5).starts_with("SUMIF('2025'!I2:I"), "{}", f(5));
        assert!(f(6).starts_with("SUMIF(Cofinanciering!C2:C"), "{}", f(6));
        assert_eq!(f(7), "IF(B5=0,0,B7/B5)");
        let s = wb.worksheet_range("Samenvatting").unwrap();
        let (Some(Data::Float(co)), Some(Data::Float(eligible)), Some(Data::Float(share))) =
            (s.get_value((6, 1)), s.get_value((4, 1)), s.get_value((7, 1)))
        else {
            panic!("numbers in the summary")
        };
        assert!((share - co / eligible).abs() < 1e-12, "the share is exact: {share} vs {}", co / eligible);
    }
}
