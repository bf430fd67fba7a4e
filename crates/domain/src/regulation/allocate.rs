//! The 2020–2023 allocation: each region's maximum from its pupils in the technical profiles,
//! and the 2024 transition amount (a quarter of that four-year total).

use rust_decimal::Decimal;
use serde::Serialize;

use super::application::Amount;
use super::check::TraceItem;
use super::{Regulation, RegulationError};
use crate::fmt::round_cents;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilRow {
    pub region: String,
    pub bb_kb_pupils: u32,
    pub gl_pupils: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    pub region: String,
    pub bb_kb_pupils: u32,
    pub gl_pupils: u32,
    /// The maximum over 2020–2023.
    pub maximum_2020_2023: Amount,
    /// The 2024 transition subsidy.
    pub transition_2024: Amount,
}

#[derive(Debug, Clone, Serialize)]
pub struct AllocationReport {
    pub regulation: String,
    pub allocations: Vec<Allocation>,
    pub total_2020_2023: Amount,
    pub total_transition_2024: Amount,
    pub trace: Vec<TraceItem>,
}

/// A bad pupils file: the row (as a spreadsheet shows it, header = 1) and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rij {row}, kolom \"{column}\": {message}")]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// Reads `region,bb_kb_pupils,gl_pupils` (`,` or `;` separated); every row must be whole.
pub fn parse_pupils(text: &str) -> Result<Vec<PupilRow>, RowError> {
    let delimiter = if text.lines().next().is_some_and(|h| h.contains(';')) { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers =
        reader.headers().map_err(|e| RowError { row: 1, column: String::new(), message: e.to_string() })?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| RowError {
            row: 1,
            column: name.to_owned(),
            message: "deze kolom ontbreekt (verwacht: region, bb_kb_pupils, gl_pupils)".into(),
        })
    };
    let (region_col, bbkb_col, gl_col) = (col("region")?, col("bb_kb_pupils")?, col("gl_pupils")?);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| RowError { row, column: String::new(), message: e.to_string() })?;
        let field = |c: usize| record.get(c).unwrap_or("");
        let count = |c: usize, name: &str| {
            field(c).parse::<u32>().map_err(|_| RowError {
                row,
                column: name.to_owned(),
                message: format!("\"{}\" is geen geheel aantal leerlingen", field(c)),
            })
        };
        let region = field(region_col).to_owned();
        if region.is_empty() {
            return Err(RowError { row, column: "region".into(), message: "de naam van de regio ontbreekt".into() });
        }
        rows.push(PupilRow {
            region,
            bb_kb_pupils: count(bbkb_col, "bb_kb_pupils")?,
            gl_pupils: count(gl_col, "gl_pupils")?,
        });
    }
    Ok(rows)
}

pub fn allocate(reg: &Regulation, rows: &[PupilRow]) -> Result<AllocationReport, RegulationError> {
    let start = reg.start();
    let (per_bbkb, v_bbkb) = reg.decimal_at("allocation-per-bbkb-pupil", start)?;
    let (per_gl, v_gl) = reg.decimal_at("allocation-per-gl-pupil", start)?;
    let transition_date = jiff::civil::date(2024, 1, 1);
    let (quarter, v_q) = reg.decimal_at("transition-share", transition_date)?;
    let allocations: Vec<Allocation> = rows
        .iter()
        .map(|r| {
            let maximum = per_bbkb * Decimal::from(r.bb_kb_pupils) + per_gl * Decimal::from(r.gl_pupils);
            Allocation {
                region: r.region.clone(),
                bb_kb_pupils: r.bb_kb_pupils,
                gl_pupils: r.gl_pupils,
                maximum_2020_2023: Amount(round_cents(maximum)),
                transition_2024: Amount(round_cents(maximum * quarter)),
            }
        })
        .collect();
    Ok(AllocationReport {
        regulation: reg.id.clone(),
        total_2020_2023: Amount(allocations.iter().map(|a| a.maximum_2020_2023.0).sum()),
        total_transition_2024: Amount(allocations.iter().map(|a| a.transition_2024.0).sum()),
        allocations,
        trace: vec![
            TraceItem {
                name: "parameter allocation-per-bbkb-pupil".into(),
                value: crate::fmt::euro_nl(per_bbkb),
                valid_from: Some(v_bbkb.valid_from),
                source: Some(v_bbkb.source.clone()),
                verified: Some(v_bbkb.verified),
            },
            TraceItem {
                name: "parameter allocation-per-gl-pupil".into(),
                value: crate::fmt::euro_nl(per_gl),
                valid_from: Some(v_gl.valid_from),
                source: Some(v_gl.source.clone()),
                verified: Some(v_gl.verified),
            },
            TraceItem {
                name: "parameter transition-share".into(),
                value: crate::fmt::percent_nl(quarter),
                valid_from: Some(v_q.valid_from),
                source: Some(v_q.source.clone()),
                verified: Some(v_q.verified),
            },
        ],
    })
}

/// The allocations as CSV (amounts with a decimal point, for spreadsheets and scripts).
pub fn to_csv(report: &AllocationReport) -> String {
    let mut out = String::from("region,bb_kb_pupils,gl_pupils,maximum_2020_2023,transition_2024\n");
    for a in &report.allocations {
        let region = if a.region.contains([',', '"']) {
            format!("\"{}\"", a.region.replace('"', "\"\""))
        } else {
            a.region.clone()
        };
        out.push_str(&format!(
            "{region},{},{},{},{}\n",
            a.bb_kb_pupils, a.gl_pupils, a.maximum_2020_2023.0, a.transition_2024.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2020_2023_formula_and_the_quarter_for_2024() {
        let reg = Regulation::builtin("sto-2020-2023").unwrap();
        let rows = parse_pupils("region,bb_kb_pupils,gl_pupils\nTwente,100,10\n\"Zaanstreek, Noord\",0,3\n").unwrap();
        let report = allocate(&reg, &rows).unwrap();
        // 100 × 15.895 + 10 × 7.947,50 = 1.668.975
        assert_eq!(report.allocations[0].maximum_2020_2023.0.to_string(), "1668975.00");
        assert_eq!(report.allocations[0].transition_2024.0.to_string(), "417243.75");
        assert_eq!(report.allocations[1].maximum_2020_2023.0.to_string(), "23842.50");
        assert_eq!(report.total_2020_2023.0.to_string(), "1692817.50");
        assert!(to_csv(&report).contains("\"Zaanstreek, Noord\",0,3,23842.50,5960.63"));
    }

    #[test]
    fn bad_rows_name_row_and_column() {
        let err = parse_pupils("region;bb_kb_pupils;gl_pupils\nTwente;100;10\nAlmere;veel;2\n").unwrap_err();
        assert_eq!((err.row, err.column.as_str()), (3, "bb_kb_pupils"));
        let err = parse_pupils("regio,bb\nx,1\n").unwrap_err();
        assert_eq!(err.column, "region");
    }
}
