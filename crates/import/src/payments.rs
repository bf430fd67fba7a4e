//! Payments from the funder's bookkeeping (CSV or the first sheet of an XLSX): one row per
//! payment, columns found by their header, Dutch numbers and dates.

use jiff::civil::Date;

use domain::fmt::parse_date_nl;
use domain::payments::PaymentInput;

use crate::execution::{RowError, RowReader, Table, read_rows};

/// The columns of a payments file; the first five are required.
pub const PAYMENT_COLUMNS: [&str; 8] =
    ["Regio", "Soort", "Bedrag", "Kenmerk", "Betaald", "Jaar", "Gepland", "Toelichting"];

/// A payment row: the region as written (slug or name), the payment as typed, and its row number.
#[derive(Debug, Clone)]
pub struct PaymentLine {
    pub row: usize,
    pub region: String,
    pub input: PaymentInput,
}

/// The column a payment field is read from, for messages about a row.
pub fn column_of(field: &str) -> &'static str {
    match field {
        "kind" => "Soort",
        "year" => "Jaar",
        "planned_on" => "Gepland",
        "paid_on" => "Betaald",
        "amount" => "Bedrag",
        "reference" => "Kenmerk",
        "note" => "Toelichting",
        _ => "",
    }
}

impl RowReader<'_> {
    fn optional_date(&mut self, column: &str) -> Option<Date> {
        let raw = self.text(column, false);
        if raw.is_empty() {
            return None;
        }
        let date = parse_date_nl(&raw);
        if date.is_none() {
            self.fail(column, format!("\"{raw}\" is geen datum (voorbeeld: 15-01-2025 of 2025-01-15)"));
        }
        date
    }

    fn year(&mut self, column: &str) -> Option<i16> {
        let raw = self.text(column, false);
        if raw.is_empty() {
            return None;
        }
        let year = raw.parse::<i16>().ok();
        if year.is_none() {
            self.fail(column, format!("\"{raw}\" is geen jaartal"));
        }
        year
    }
}

/// Reads every payment row; all rows or the errors (a row's checks against the regulation follow
/// in the service, which knows the regions).
pub fn payments(table: &Table) -> Result<Vec<PaymentLine>, Vec<RowError>> {
    read_rows(table, &PAYMENT_COLUMNS[..5], |r| {
        let amount = r.decimal("Bedrag", true);
        PaymentLine {
            row: r.number(),
            region: r.text("Regio", true),
            input: PaymentInput {
                kind: r.text("Soort", true),
                year: r.year("Jaar"),
                planned_on: r.optional_date("Gepland"),
                paid_on: r.optional_date("Betaald"),
                amount: Some(amount),
                reference: r.text("Kenmerk", true),
                note: r.text("Toelichting", false),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::csv_table;
    use rust_decimal::Decimal;

    #[test]
    fn a_bookkeeping_export_reads_with_dutch_numbers_and_dates() {
        let text =
            "Regio;Soort;Jaar;Betaald;Bedrag;Kenmerk\nzuid-friesland;voorschot;2025;20-01-2025;1.234.567,89;BET-1\n";
        let lines = payments(&csv_table(text).unwrap()).unwrap();
        assert_eq!(lines[0].row, 2);
        assert_eq!(lines[0].input.amount, Some(Decimal::new(123_456_789, 2)));
        assert_eq!(lines[0].input.paid_on, Some(jiff::civil::date(2025, 1, 20)));
        assert_eq!(lines[0].input.year, Some(2025));
    }

    #[test]
    fn every_bad_cell_is_named_by_row_and_column() {
        let text = "Regio;Soort;Jaar;Betaald;Bedrag;Kenmerk\n;voorschot;twee;31-02-2025;veel;\n";
        let errors = payments(&csv_table(text).unwrap()).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        for c in ["Regio", "Jaar", "Betaald", "Bedrag", "Kenmerk"] {
            assert!(columns.contains(&c), "{c}: {errors:?}");
        }
        assert!(errors.iter().all(|e| e.row == 2));
        let missing = payments(&csv_table("Regio;Bedrag\nx;1\n").unwrap()).unwrap_err();
        assert_eq!(missing[0].column, "Soort");
    }
}
