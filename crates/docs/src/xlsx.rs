//! The budget as an Excel workbook: one sheet per year, a summary and a co-financing sheet.
//! Reading it back is `import::budget`.

use domain::regulation::Regulation;
use domain::regulation::application::{Application, FundingSource};
use domain::regulation::check::{self, CheckError};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError};

const EURO: &str = "€ #,##0.00";
const COLUMNS: [(&str, f64); 12] = [
    ("Activiteit", 11.0),
    ("Activiteit (titel)", 34.0),
    ("Kostensoort", 18.0),
    ("Omschrijving", 40.0),
    ("Aantal", 10.0),
    ("Eenheid", 10.0),
    ("Prijs per eenheid", 16.0),
    ("Bedrag", 16.0),
    ("Subsidiabel", 16.0),
    ("Financiering", 16.0),
    ("Financier (naam)", 30.0),
    ("In natura", 10.0),
];

#[derive(Debug, thiserror::Error)]
pub enum XlsxDocError {
    #[error("werkmap schrijven: {0}")]
    Write(#[from] XlsxError),
    #[error("{0}")]
    Check(#[from] CheckError),
}

fn f64_of(d: Decimal) -> f64 {
    d.try_into().unwrap_or(0.0)
}

fn header(ws: &mut Worksheet, bold: &Format) -> Result<(), XlsxError> {
    for (c, (title, width)) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, bold)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The budget workbook of an application.
pub fn write_budget(reg: &Regulation, app: &Application) -> Result<Vec<u8>, XlsxDocError> {
    let (report, lines) = check::check_with_lines(reg, app)?;
    let mut wb = Workbook::new();
    // Created when the application was submitted (or last saved), not now: the same version gives
    // the same bytes every time.
    let created = rust_xlsxwriter::ExcelDateTime::from_timestamp(app.submitted_at.as_second())?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format(EURO);
    let euro_bold = Format::new().set_num_format(EURO).set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    let summary = wb.add_worksheet().set_name("Samenvatting")?;
    summary.set_column_width(0, 34.0)?;
    summary.set_column_width(1, 20.0)?;
    summary.set_column_width(2, 20.0)?;
    summary.write_string_with_format(0, 0, "Begroting", &bold)?;
    summary.write_string(1, 0, "Regio")?;
    summary.write_string(1, 1, &app.region.name)?;
    summary.write_string(2, 0, "Fase")?;
    summary.write_string(2, 1, reg.phase(&app.phase).map_or(app.phase.as_str(), |p| p.label.as_str()))?;
    let t = &report.totals;
    let figures = [
        ("Subsidiabele kosten", t.eligible_costs.0),
        ("Gevraagde subsidie", t.subsidy_requested.0),
        ("Cofinanciering door bedrijven", t.cofinancing.0),
    ];
    for (i, (label, value)) in figures.iter().enumerate() {
        summary.write_string(4 + i as u32, 0, *label)?;
        summary.write_number_with_format(4 + i as u32, 1, f64_of(*value), &euro)?;
    }
    summary.write_string(7, 0, "Aandeel cofinanciering")?;
    summary.write_number_with_format(7, 1, f64_of(t.cofinancing_share.0), &percent)?;
    summary.write_string(8, 0, "Maximum van de regio")?;
    match t.region_maximum {
        Some(m) => summary.write_number_with_format(8, 1, f64_of(m.0), &euro)?,
        None => summary.write_string(8, 1, "onbekend")?,
    };
    summary.write_string_with_format(10, 0, "Jaar", &bold)?;
    summary.write_string_with_format(10, 1, "Bedrag", &bold)?;
    summary.write_string_with_format(10, 2, "Subsidiabel", &bold)?;

    let years: Vec<i16> = reg.phase(&app.phase).map(|p| p.years.clone()).unwrap_or_default();
    for (yi, year) in years.iter().enumerate() {
        let ws = wb.add_worksheet().set_name(year.to_string())?;
        header(ws, &bold)?;
        let mut row = 1u32;
        for l in lines.iter().filter(|l| l.line.year == *year) {
            let line = l.line;
            let title = app.activities.iter().find(|a| a.id == line.activity).map_or("", |a| a.title.as_str());
            ws.write_string(row, 0, &line.activity)?;
            ws.write_string_with_format(row, 1, title, &wrap)?;
            ws.write_string(row, 2, &line.category)?;
            ws.write_string_with_format(row, 3, &line.description, &wrap)?;
            ws.write_number(row, 4, f64_of(line.quantity.0))?;
            ws.write_string(row, 5, &line.unit)?;
            ws.write_number_with_format(row, 6, f64_of(line.unit_price_eur.0), &euro)?;
            let r = row + 1;
            ws.write_formula_with_format(
                row,
                7,
                Formula::new(format!("=E{r}*G{r}")).set_result(l.amount.to_string()),
                &euro,
            )?;
            ws.write_number_with_format(row, 8, f64_of(l.eligible), &euro)?;
            let (funder, name) = match (&line.funding.source, &line.funding.by) {
                (FundingSource::Cofinancing, Some(by)) => {
                    (by.as_str(), app.organisation(by).map_or("", |o| o.name.as_str()))
                }
                _ => ("subsidie", "Subsidie"),
            };
            ws.write_string(row, 9, funder)?;
            ws.write_string(row, 10, name)?;
            ws.write_string(row, 11, if line.funding.in_kind { "ja" } else { "nee" })?;
            row += 1;
        }
        let sum = |col: char| format!("=SUM({col}2:{col}{})", row.max(2));
        let total_amount: Decimal = lines.iter().filter(|l| l.line.year == *year).map(|l| l.amount).sum();
        let total_eligible: Decimal = lines.iter().filter(|l| l.line.year == *year).map(|l| l.eligible).sum();
        ws.write_string_with_format(row, 0, "Totaal", &bold)?;
        ws.write_formula_with_format(row, 7, Formula::new(sum('H')).set_result(total_amount.to_string()), &euro_bold)?;
        ws.write_formula_with_format(
            row,
            8,
            Formula::new(sum('I')).set_result(total_eligible.to_string()),
            &euro_bold,
        )?;
        let srow = 11 + yi as u32;
        let summary = wb.worksheet_from_name("Samenvatting")?;
        summary.write_number(srow, 0, f64::from(*year))?;
        summary.write_formula_with_format(
            srow,
            1,
            Formula::new(format!("='{year}'!H{}", row + 1)).set_result(total_amount.to_string()),
            &euro,
        )?;
        summary.write_formula_with_format(
            srow,
            2,
            Formula::new(format!("='{year}'!I{}", row + 1)).set_result(total_eligible.to_string()),
            &euro,
        )?;
    }

    let cof = wb.add_worksheet().set_name("Cofinanciering")?;
    for (c, (title, width)) in [
        ("Jaar", 8.0),
        ("Organisatie", 34.0),
        ("Soort", 14.0),
        ("Vorm", 12.0),
        ("Omschrijving", 40.0),
        ("Subsidiabel", 16.0),
    ]
    .iter()
    .enumerate()
    {
        cof.write_string_with_format(0, c as u16, *title, &bold)?;
        cof.set_column_width(c as u16, *width)?;
    }
    cof.set_freeze_panes(1, 0)?;
    let mut row = 1u32;
    for l in lines.iter().filter(|l| l.line.funding.source == FundingSource::Cofinancing) {
        let org = l.line.funding.by.as_deref().and_then(|id| app.organisation(id));
        cof.write_number(row, 0, f64::from(l.line.year))?;
        cof.write_string(row, 1, org.map_or("", |o| o.name.as_str()))?;
        cof.write_string(row, 2, org.map_or("", |o| o.kind.label()))?;
        cof.write_string(row, 3, if l.line.funding.in_kind { "in natura" } else { "geld" })?;
        cof.write_string(row, 4, &l.line.description)?;
        cof.write_number_with_format(row, 5, f64_of(l.eligible), &euro)?;
        row += 1;
    }
    cof.write_string_with_format(row, 0, "Totaal", &bold)?;
    let cof_total: Decimal =
        lines.iter().filter(|l| l.line.funding.source == FundingSource::Cofinancing).map(|l| l.eligible).sum();
    cof.write_formula_with_format(
        row,
        5,
        Formula::new(format!("=SUM(F2:F{})", row.max(2))).set_result(cof_total.to_string()),
        &euro_bold,
    )?;
    cof.write_string(row + 2, 0, "Alleen bijdragen van bedrijven tellen mee voor de minimale cofinanciering.")?;

    Ok(wb.save_to_buffer()?)
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
}
