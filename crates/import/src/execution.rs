//! Hours and invoices from a spreadsheet (CSV or the first sheet of an XLSX), as exported by
//! payroll and bookkeeping tools: columns found by their header, Dutch numbers and dates, every
//! problem named by row and column. A file is taken whole or not at all (see `docs/import.md`).

use jiff::civil::Date;
use rust_decimal::Decimal;

use calamine::Data;
use domain::execution::{CostEntry, HourEntry};
use domain::fmt::{parse_date_nl, parse_decimal_nl};
use domain::limits::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, too_large};

use crate::sheet::{self, SheetError};

/// A table of text cells: the header row and the data rows; `first_row` is the file's row
/// number of the first data row (for messages).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub first_row: usize,
}

/// A problem in a cell, or in a row (`column` empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rij {row}{}: {message}", if column.is_empty() { String::new() } else { format!(", kolom \"{column}\"") })]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// At most this many problems are reported; the file is refused either way.
const MAX_ERRORS: usize = 50;

/// Reads CSV text: `;`, `,` or tab separated (whichever the header uses most), quoted or not.
pub fn csv_table(text: &str) -> Result<Table, RowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b',', b'\t'].into_iter().max_by_key(|d| first.matches(*d as char).count()).unwrap_or(b';');
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) if h.len() > MAX_COLUMNS => {
            return Err(RowError { row: 1, column: String::new(), message: too_large("kolommen", MAX_COLUMNS as u64) });
        }
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_owned()).collect(),
        _ => {
            return Err(RowError {
                row: 1,
                column: String::new(),
                message: "het bestand is leeg of heeft geen kopregel".into(),
            });
        }
    };
    let mut rows = Vec::new();
    let mut cells = 0usize;
    for (i, r) in records.enumerate() {
        let refuse = |message: String| RowError { row: i + 2, column: String::new(), message };
        let r = r.map_err(|e| refuse(format!("onleesbare regel: {e}")))?;
        if i >= MAX_ROWS {
            return Err(refuse(too_large("regels", MAX_ROWS as u64)));
        }
        if r.len() > MAX_COLUMNS {
            return Err(refuse(too_large("kolommen", MAX_COLUMNS as u64)));
        }
        cells += r.len();
        if cells > MAX_CELLS {
            return Err(refuse(too_large("cellen", MAX_CELLS as u64)));
        }
        rows.push(r.iter().map(str::to_owned).collect());
    }
    Ok(Table { header, rows, first_row: 2 })
}

/// The columns of a table by name (case and spacing ignored), with the errors of missing ones.
struct Columns {
    index: Vec<(String, usize)>,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Columns {
    fn new(table: &Table, required: &[&str], errors: &mut Vec<RowError>) -> Columns {
        let index: Vec<(String, usize)> = table.header.iter().enumerate().map(|(i, h)| (norm(h), i)).collect();
        for name in required {
            if !index.iter().any(|(h, _)| h == &norm(name)) {
                errors.push(RowError {
                    row: table.first_row - 1,
                    column: (*name).to_owned(),
                    message: format!("de kolom ontbreekt; verwacht de kolommen {}", required.join(", ")),
                });
            }
        }
        Columns { index }
    }

    fn cell<'r>(&self, row: &'r [String], name: &str) -> &'r str {
        self.index.iter().find(|(h, _)| h == &norm(name)).and_then(|(_, i)| row.get(*i)).map_or("", |c| c.trim())
    }
}

/// One row being read: its cells, and the errors found so far.
pub(crate) struct RowReader<'a> {
    cols: &'a Columns,
    row: &'a [String],
    number: usize,
    errors: &'a mut Vec<RowError>,
}

impl RowReader<'_> {
    /// The file's row number of the row being read.
    pub(crate) fn number(&self) -> usize {
        self.number
    }

    pub(crate) fn fail(&mut self, column: &str, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(RowError { row: self.number, column: column.to_owned(), message: message.into() });
        }
    }

    pub(crate) fn text(&mut self, column: &str, required: bool) -> String {
        let v = self.cols.cell(self.row, column).to_owned();
        if required && v.is_empty() {
            self.fail(column, "leeg; vul dit in");
        }
        v
    }

    pub(crate) fn decimal(&mut self, column: &str, required: bool) -> Decimal {
        let raw = self.cols.cell(self.row, column);
        if raw.is_empty() && !required {
            return Decimal::ZERO;
        }
        match parse_decimal_nl(raw) {
            Some(d) if !d.is_sign_negative() => d,
            Some(_) => {
                self.fail(column, format!("\"{raw}\" is negatief"));
                Decimal::ZERO
            }
            None => {
                self.fail(column, format!("\"{raw}\" is geen getal (voorbeeld: 1.234,56)"));
                Decimal::ZERO
            }
        }
    }

    pub(crate) fn date(&mut self, column: &str) -> Date {
        let raw = self.cols.cell(self.row, column);
        match parse_date_nl(raw) {
            Some(d) => d,
            None => {
                self.fail(column, format!("\"{raw}\" is geen datum (voorbeeld: 15-03-2025 of 2025-03-15)"));
                jiff::civil::date(2000, 1, 1)
            }
        }
    }

    fn yes(&mut self, column: &str) -> bool {
        match norm(self.cols.cell(self.row, column)).as_str() {
            "ja" | "j" | "yes" | "y" | "1" | "true" | "waar" => true,
            "nee" | "n" | "no" | "0" | "false" | "onwaar" | "" => false,
            other => {
                let other = other.to_owned();
                self.fail(column, format!("\"{other}\": schrijf ja of nee"));
                false
            }
        }
    }
}

/// The columns of an hours file.
pub const HOUR_COLUMNS: [&str; 8] =
    ["Datum", "Medewerker", "Organisatie", "Activiteit", "Uren", "Uurtarief", "Extern", "Toelichting"];
/// The columns of an invoices file.
pub const COST_COLUMNS: [&str; 10] = [
    "Factuurnummer",
    "Factuurdatum",
    "Leverancier",
    "Omschrijving",
    "Kostensoort",
    "Activiteit",
    "Organisatie",
    "Bedrag",
    "Btw",
    "Btw terugvorderbaar",
];

/// Reads every non-empty row with `each`, after checking the `required` columns; all rows or the errors.
pub(crate) fn read_rows<T>(
    table: &Table,
    required: &[&str],
    mut each: impl FnMut(&mut RowReader) -> T,
) -> Result<Vec<T>, Vec<RowError>> {
    let mut errors = Vec::new();
    let cols = Columns::new(table, required, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut r = RowReader { cols: &cols, row, number: table.first_row + i, errors: &mut errors };
        out.push(each(&mut r));
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

impl RowReader<'_> {
    /// The organisation the cell names, resolved by `resolve`.
    fn organisation(&mut self, resolve: &impl Fn(&str) -> Option<String>) -> String {
        let org = self.text("Organisatie", true);
        let resolved = resolve(&org);
        if resolved.is_none() && !org.is_empty() {
            self.fail("Organisatie", format!("\"{org}\" neemt niet deel in de regio"));
        }
        resolved.unwrap_or_default()
    }
}

/// Reads hour entries; `organisation` turns a cell (id, DUO code or name) into an organisation id.
pub fn hours(table: &Table, organisation: impl Fn(&str) -> Option<String>) -> Result<Vec<HourEntry>, Vec<RowError>> {
    read_rows(table, &HOUR_COLUMNS[..6], |r| HourEntry {
        organisation: r.organisation(&organisation),
        date: r.date("Datum"),
        person: r.text("Medewerker", true),
        activity: r.text("Activiteit", true),
        hours: r.decimal("Uren", true),
        rate_eur: r.decimal("Uurtarief", true),
        external: r.yes("Extern"),
        note: r.text("Toelichting", false),
    })
}

/// Reads invoices; `category` turns a cell (id or label) into a category id.
pub fn costs(
    table: &Table,
    organisation: impl Fn(&str) -> Option<String>,
    category: impl Fn(&str) -> Option<String>,
) -> Result<Vec<CostEntry>, Vec<RowError>> {
    read_rows(table, &COST_COLUMNS[..8], |r| {
        let cat = r.text("Kostensoort", true);
        let cat_id = category(&cat);
        if cat_id.is_none() && !cat.is_empty() {
            r.fail("Kostensoort", format!("\"{cat}\" is geen kostensoort van de regeling"));
        }
        CostEntry {
            organisation: r.organisation(&organisation),
            category: cat_id.unwrap_or_default(),
            invoice_number: r.text("Factuurnummer", true),
            invoice_date: r.date("Factuurdatum"),
            supplier: r.text("Leverancier", true),
            description: r.text("Omschrijving", false),
            activity: r.text("Activiteit", true),
            amount_eur: r.decimal("Bedrag", true),
            vat_eur: r.decimal("Btw", false),
            vat_recoverable: r.yes("Btw terugvorderbaar"),
        }
    })
}

/// A spreadsheet's table: the first sheet of an XLSX (a ZIP, so it starts with `PK`), else CSV
/// text in whatever encoding [`crate::decode`] recognises. The message is Dutch and complete.
pub fn table_of(bytes: &[u8]) -> Result<Table, String> {
    if bytes.starts_with(b"PK") {
        xlsx_table(bytes).map_err(|e| format!("{}.", domain::validation::capitalise(&e)))
    } else {
        csv_table(&crate::decode(bytes)).map_err(|e| e.to_string())
    }
}

/// The first sheet of a workbook as text cells: dates as `YYYY-MM-DD`, numbers as written.
pub fn xlsx_table(bytes: &[u8]) -> Result<Table, String> {
    let sheet = sheet::open(bytes).and_then(|mut wb| wb.first()).map_err(|e| match e {
        SheetError::Missing(_) => "de werkmap heeft geen werkblad".to_owned(),
        e => e.to_string(),
    })?;
    let mut rows = sheet.rows().map(|row| row.iter().map(cell_text).collect::<Vec<String>>());
    let header = rows.next().ok_or("het werkblad is leeg")?;
    Ok(Table { header, rows: rows.collect(), first_row: sheet.start().map_or(0, |(r, _)| r as usize) + 2 })
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "ja".into()
            } else {
                "nee".into()
            }
        }
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An Excel serial date (days since 30 December 1899) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    jiff::civil::date(1899, 12, 30).checked_add(jiff::Span::new().days(days)).map(|d| d.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> Option<String> {
        (s == "vmbo-1" || s == "Aeres VMBO").then(|| "vmbo-1".to_owned())
    }

    #[test]
    fn hours_are_read_by_header_with_dutch_numbers_and_dates() {
        let t = csv_table("\u{feff}Medewerker;Datum;Organisatie;Activiteit;Uren;Uurtarief;Extern\r\nJan;15-03-2025;Aeres VMBO;a1;7,5;62,50;nee\r\n\r\nPiet;2025-03-16;vmbo-1;a2;8;135;ja\r\n").unwrap();
        let h = hours(&t, org).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].hours.to_string(), "7.5");
        assert_eq!(h[0].rate_eur.to_string(), "62.50");
        assert_eq!(h[0].date, jiff::civil::date(2025, 3, 15));
        assert!(h[1].external && h[1].organisation == "vmbo-1");
    }

    #[test]
    fn tables_past_the_row_or_column_limit_are_refused() {
        let rows = format!("Datum;Uren\n{}", "2025-01-02;8\n".repeat(MAX_ROWS + 1));
        let e = csv_table(&rows).unwrap_err();
        assert_eq!((e.row, e.message.as_str()), (MAX_ROWS + 2, "het bestand is te groot: hoogstens 100.000 regels"));
        assert!(csv_table(&"2025-01-02;8\n".repeat(MAX_ROWS)).is_ok(), "a header and 99,999 rows pass");
        let wide = ";".repeat(MAX_COLUMNS);
        assert_eq!(csv_table(&wide).unwrap_err().message, "het bestand is te groot: hoogstens 256 kolommen");
        assert!(csv_table(&format!("a;b\n{wide}")).is_err());
        // 100,000 rows of 255 empty cells each: within rows and columns, past the cells.
        let empty = format!("a;b\n{}", format!("{}\n", ";".repeat(254)).repeat(10_000));
        assert_eq!(csv_table(&empty).unwrap_err().message, "het bestand is te groot: hoogstens 2.000.000 cellen");
    }

    #[test]
    fn every_problem_is_named_by_row_and_column() {
        let t = csv_table("Datum,Medewerker,Organisatie,Activiteit,Uren,Uurtarief\n2025-01-02,Jan,vmbo-1,a1,8,60\n2025-13-02,Jan,elders,a1,acht,-5\n").unwrap();
        let e = hours(&t, org).unwrap_err();
        let text: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert!(
            text.contains(
                &"rij 3, kolom \"Datum\": \"2025-13-02\" is geen datum (voorbeeld: 15-03-2025 of 2025-03-15)"
                    .to_owned()
            ),
            "{text:?}"
        );
        assert!(
            text.contains(&"rij 3, kolom \"Organisatie\": \"elders\" neemt niet deel in de regio".to_owned()),
            "{text:?}"
        );
        assert!(
            text.contains(&"rij 3, kolom \"Uren\": \"acht\" is geen getal (voorbeeld: 1.234,56)".to_owned()),
            "{text:?}"
        );
        assert!(text.contains(&"rij 3, kolom \"Uurtarief\": \"-5\" is negatief".to_owned()), "{text:?}");
        let missing = hours(&csv_table("Datum;Uren\n2025-01-01;3\n").unwrap(), org).unwrap_err();
        assert_eq!(missing[0].column, "Medewerker");
        assert_eq!(missing[0].row, 1);
    }
}
