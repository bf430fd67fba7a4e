//! Results the regions report themselves (`indicators/reported.toml`): the theory of change's
//! results that DUO's files do not measure, a whole number per region and calendar year, checked
//! here and locked once the year's progress report is submitted.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// One region-reported indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedDefinition {
    pub id: String,
    pub name: String,
    pub definition: String,
    /// What is counted, in Dutch ("personen", "leerlingen").
    pub unit: String,
    /// What one figure covers: `kalenderjaar` (figures are entered per calendar year).
    pub period: Period,
    /// The theory of change's result it measures (an item id of `theory-of-change.toml`).
    pub result: String,
    /// The largest number a region may report in a year: a typo guard, not a target.
    pub max: u64,
}

/// The span one figure covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Kalenderjaar,
}

#[derive(Deserialize)]
struct File {
    indicators: Vec<ReportedDefinition>,
}

/// The shipped definitions, in the file's order.
pub fn definitions() -> &'static [ReportedDefinition] {
    static FILE: LazyLock<File> = LazyLock::new(|| {
        toml::from_str(include_str!("../../../../indicators/reported.toml"))
            .expect("the shipped reported indicators parse")
    });
    &FILE.indicators
}

pub fn definition(id: &str) -> Option<&'static ReportedDefinition> {
    definitions().iter().find(|d| d.id == id)
}

impl ReportedDefinition {
    /// A typed value: empty is "not reported"; else a whole number from 0 to `max`, written with or
    /// without thousands dots ("1.250").
    pub fn parse(&self, typed: &str) -> Result<Option<u64>, String> {
        let t = typed.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let digits: String = t.chars().filter(|c| *c != '.').collect();
        let grouped_right = !t.contains('.') || t.split('.').skip(1).all(|g| g.len() == 3);
        match digits.parse::<u64>() {
            Ok(n) if grouped_right && n <= self.max => Ok(Some(n)),
            Ok(_) if grouped_right => Err(format!(
                "{}: hoogstens {} {}; klopt het getal?",
                self.name,
                crate::fmt::integer_nl(i64::try_from(self.max).unwrap_or(i64::MAX)),
                self.unit
            )),
            _ => Err(format!("{}: vul een heel getal in, zoals 120, of laat het leeg.", self.name)),
        }
    }
}

/// The report that locks a year's figures when submitted: the progress report for that year, or
/// for a year without one (the last), the final report.
pub fn locking_report(reg: &crate::regulation::Regulation, year: i16) -> Option<&crate::regulation::ReportObligation> {
    reg.reports.iter().find(|r| r.year == Some(year)).or_else(|| reg.reports.iter().find(|r| r.is_final()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_definitions_name_results_of_the_theory_of_change() {
        let theory = include_str!("../../../../indicators/theory-of-change.toml");
        assert_eq!(definitions().len(), 4);
        for d in definitions() {
            assert!(theory.contains(&format!("id = \"{}\"", d.result)), "{} measures an unknown result", d.id);
        }
    }

    #[test]
    fn values_are_whole_numbers_within_the_guard() {
        let d = definition("docenten-geschoold").unwrap();
        assert_eq!(d.parse(" 12 "), Ok(Some(12)));
        assert_eq!(d.parse("1.250"), Ok(Some(1250)));
        assert_eq!(d.parse(""), Ok(None));
        assert!(d.parse("12,5").unwrap_err().contains("heel getal"));
        assert!(d.parse("-3").is_err());
        assert!(d.parse("1.25").is_err(), "a decimal point is not a thousands dot");
        assert!(d.parse("50000").unwrap_err().contains("hoogstens 5.000 personen"));
    }
}
