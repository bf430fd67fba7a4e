//! Plain tables as a workbook for Excel: one sheet per table, typed cells (text, euros,
//! percentages, whole numbers), a bold header, and a totals row of SUM formulas under the
//! columns that ask for one.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Formula, Workbook, XlsxError, utility::column_number_to_name};

pub enum Cell {
    Text(String),
    Euro(Decimal),
    /// A fraction, shown as a percentage.
    Percent(Decimal),
    Whole(i64),
    /// A date, stored as a date (Excel sorts and filters it) and shown as "1 oktober 2024".
    Date(jiff::civil::Date),
    Empty,
}

/// Dates as the Dutch write them, whatever the reader's locale (413 is nl-NL).
pub(crate) const DATE_NL: &str = "[$-413]d mmmm yyyy";

/// A column's total over Excel's rows `first` to `last`, its exact value cached. An empty column
/// (no rows between) totals 0: a SUM over no rows would reach the totals cell itself.
pub(crate) fn column_sum(column: &str, first: u32, last: u32, value: Decimal) -> Formula {
    let text = if last < first { "=0".to_owned() } else { format!("=SUM({column}{first}:{column}{last})") };
    Formula::new(text).set_result(value.to_string())
}

/// A calendar date as Excel's date value.
pub(crate) fn excel_date(d: jiff::civil::Date) -> Result<rust_xlsxwriter::ExcelDateTime, XlsxError> {
    let month = u8::try_from(d.month()).unwrap_or(1);
    let day = u8::try_from(d.day()).unwrap_or(1);
    rust_xlsxwriter::ExcelDateTime::from_ymd(u16::try_from(d.year()).unwrap_or(1900), month, day)
}

pub struct Column {
    pub title: &'static str,
    pub width: f64,
    /// The totals row sums this column.
    pub total: bool,
}

pub struct Sheet {
    pub name: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// Euros as the workbooks show them.
pub(crate) const EURO: &str = "€ #,##0.00";

/// An exact amount as the float a spreadsheet cell holds.
pub(crate) fn f64_of(d: Decimal) -> f64 {
    d.try_into().unwrap_or(0.0)
}

/// The sum of a column as the workbook computes it, kept as the formula's cached result.
fn sum(rows: &[Vec<Cell>], c: usize) -> Decimal {
    rows.iter()
        .filter_map(|r| match r.get(c) {
            Some(Cell::Euro(d)) => Some(*d),
            Some(Cell::Whole(n)) => Some(Decimal::from(*n)),
            _ => None,
        })
        .sum()
}

/// A table as CSV that Dutch Excel opens as a table: a byte order mark (so it reads UTF-8), `;`
/// between fields, CRLF line ends, numbers with a decimal comma and no thousands separator,
/// shares as fractions, dates as 2024-10-01. Headers of euro columns say "(EUR)".
pub fn csv_nl(sheet: &Sheet) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let number = |d: Decimal| d.normalize().to_string().replace('.', ",");
    let header: Vec<String> = sheet
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let euro = sheet.rows.iter().any(|r| matches!(r.get(c), Some(Cell::Euro(_))));
            if euro { format!("{} (EUR)", col.title) } else { col.title.to_owned() }
        })
        .collect();
    w.write_record(&header)?;
    for row in &sheet.rows {
        let fields = row.iter().map(|cell| match cell {
            Cell::Text(t) => inert(t),
            Cell::Euro(d) => number(d.round_dp(2)),
            Cell::Percent(d) => number(*d),
            Cell::Whole(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        });
        w.write_record(fields)?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

/// Text Excel would read as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) gets
/// a leading apostrophe, which Excel shows as text (OWASP's advice against CSV injection).
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format(EURO);
    let euro_bold = euro.clone().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format(DATE_NL);
    for sheet in sheets {
        let ws = wb.add_worksheet().set_name(sheet.name)?;
        for (c, col) in sheet.columns.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.set_column_width(c, col.width)?;
            ws.write_string_with_format(0, c, col.title, &bold)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t).map(|_| ())?,
                    Cell::Euro(d) => ws.write_number_with_format(r, c, f64_of(*d), &euro).map(|_| ())?,
                    Cell::Percent(d) => ws.write_number_with_format(r, c, f64_of(*d), &percent).map(|_| ())?,
                    Cell::Whole(n) => ws.write_number(r, c, *n as f64).map(|_| ())?,
                    Cell::Date(d) => ws.write_datetime_with_format(r, c, excel_date(*d)?, &date).map(|_| ())?,
                    Cell::Empty => {}
                }
            }
        }
        if sheet.columns.iter().any(|c| c.total) && !sheet.rows.is_empty() {
            let last = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
            let at = last + 1;
            ws.write_string_with_format(at, 0, "Totaal", &bold)?;
            for (c, _) in sheet.columns.iter().enumerate().filter(|(_, col)| col.total) {
                let name = column_number_to_name(u16::try_from(c).unwrap_or(u16::MAX));
                let formula = column_sum(&name, 2, last + 1, sum(&sheet.rows, c));
                let is_euro = sheet.rows.iter().any(|r| matches!(r.get(c), Some(Cell::Euro(_))));
                let format = if is_euro { &euro_bold } else { &bold };
                ws.write_formula_with_format(at, u16::try_from(c).unwrap_or(u16::MAX), formula, format)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    #[test]
    fn cells_keep_their_type_and_the_totals_are_formulas_with_their_value() {
        let sheet = Sheet {
            name: "Regio's",
            columns: vec![
                Column { title: "Regio", width: 20.0, total: false },
                Column { title: "Besloten", width: 14.0, total: true },
                Column { title: "Aandeel", width: 10.0, total: false },
            ],
            rows: vec![
                vec![
                    Cell::Text("Utrecht".into()),
                    Cell::Euro(Decimal::new(123_456, 2)),
                    Cell::Percent(Decimal::new(125, 3)),
                ],
                vec![Cell::Text("Almere".into()), Cell::Euro(Decimal::new(100, 0)), Cell::Empty],
            ],
        };
        let bytes = workbook(&[sheet]).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("Regio's").unwrap();
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(1234.56)));
        assert_eq!(range.get_value((1, 2)), Some(&Data::Float(0.125)));
        assert_eq!(range.get_value((3, 0)), Some(&Data::String("Totaal".into())));
        assert_eq!(range.get_value((3, 1)), Some(&Data::Float(1334.56)), "the formula's cached result");
        let formulas = wb.worksheet_formula("Regio's").unwrap();
        assert!(formulas.used_cells().any(|(_, _, f)| f == "SUM(B2:B3)"), "a total is a formula");
    }

    fn dated() -> Sheet {
        Sheet {
            name: "Besluiten",
            columns: vec![
                Column { title: "Regio", width: 20.0, total: false },
                Column { title: "Opmerking", width: 20.0, total: false },
                Column { title: "Datum", width: 14.0, total: false },
                Column { title: "Bedrag", width: 14.0, total: false },
            ],
            rows: vec![vec![
                Cell::Text("Zuid-Friesland; \"Heerenveen\"".into()),
                Cell::Text("=HYPERLINK(\"https://example.org\")".into()),
                Cell::Date(jiff::civil::date(2024, 10, 1)),
                Cell::Euro(Decimal::new(123_456, 2)),
            ]],
        }
    }

    #[test]
    fn a_date_is_a_date_with_a_dutch_format() {
        let bytes = workbook(&[dated()]).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("Besluiten").unwrap();
        match range.get_value((1, 2)) {
            Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 45566.0, "1 October 2024 as Excel counts days"),
            other => panic!("a date cell, not {other:?}"),
        }
    }

    #[test]
    fn csv_for_dutch_excel_has_a_bom_semicolons_crlf_decimal_commas_and_no_formulas() {
        let text = csv_nl(&dated()).unwrap();
        assert_eq!(
            text,
            "\u{feff}Regio;Opmerking;Datum;Bedrag (EUR)\r\n\"Zuid-Friesland; \"\"Heerenveen\"\"\";\"'=HYPERLINK(\"\"https://example.org\"\")\";2024-10-01;1234,56\r\n"
        );
    }
}
