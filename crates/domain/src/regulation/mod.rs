//! The regulation as code: dated, sourced parameters (one TOML file per regulation version),
//! checks that return a verdict with an explanation trace, and the allocation formulas.
//!
//! Parameters are data: each has dated values (`valid_from`), a unit and a source, and is marked
//! `verified = false` where the official text was not available. The rules are small functions
//! in [`check`]; their titles, severities and sources live beside the parameters, so the decision
//! and its explanation always come from the same regulation version.

pub mod agreement;
pub mod allocate;
pub mod application;
pub mod check;
pub mod diff;
mod format;
pub mod maximum;
pub mod sample;
pub mod summary;
mod terms;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use application::Amount;

/// Regulation files shipped in the binary: (id, TOML). The region maximum table (annex 3) is not
/// among them: the national team keeps it in the database, with a source per row.
pub const BUILTIN: [(&str, &str); 2] = [
    ("sto-2025-2028", include_str!("../../../../regulations/sto-2025-2028.toml")),
    ("sto-2020-2023", include_str!("../../../../regulations/sto-2020-2023.toml")),
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegulationError {
    #[error("regelingsbestand ongeldig: {0}")]
    Invalid(String),
    #[error("onbekende regeling \"{0}\"")]
    Unknown(String),
    #[error("parameter \"{0}\" ontbreekt in de regeling")]
    MissingParameter(String),
    #[error("parameter \"{id}\" heeft geen waarde geldig op {date}")]
    NoValueAt { id: String, date: Date },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Regulation {
    pub id: String,
    pub title: String,
    pub citation: String,
    pub url: String,
    pub in_force: Date,
    pub timezone: String,
    pub years: Vec<i16>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub phases: Vec<Phase>,
    #[serde(default)]
    pub themes: Vec<Theme>,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub rules: Vec<RuleMeta>,
    /// What the funder's assessors score an application on.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// The reports each region owes the funder, with their due dates.
    #[serde(default)]
    pub reports: Vec<ReportObligation>,
    /// The documents the values come from, by the key their `source` texts use, with the title a
    /// reader understands (file names and section marks never reach a page).
    #[serde(default)]
    pub sources: Vec<SourceDocument>,
    /// The region maximum table in force (annex 3), from the national team's data: see
    /// [`Regulation::with_maximums`]. Empty where no table is at hand (an offline check).
    #[serde(skip_deserializing)]
    pub region_maximums: Vec<RegionMaximum>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceDocument {
    /// How `source` texts name it, e.g. `seed 004_f103bb2d98d6c947.txt` or `DOMAIN.md §4`.
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// A source as a reader sees it: the documents' titles and the words quoted from them, and a
/// link to the first document that has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub text: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Parameter {
    pub id: String,
    pub label: String,
    /// `EUR`, `EUR/uur`, `fraction` or `list`.
    pub unit: String,
    pub values: Vec<DatedValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatedValue {
    pub valid_from: Date,
    pub value: ParamValue,
    pub source: String,
    #[serde(default = "yes")]
    pub verified: bool,
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

/// A parameter's value: an exact decimal (written as a string in TOML) or a list of words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    List(Vec<String>),
    Decimal(Amount),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Phase {
    pub id: String,
    pub label: String,
    /// Local time in the regulation's time zone; `None` when the window has no stated opening.
    #[serde(default)]
    pub opens: Option<DateTime>,
    pub closes: DateTime,
    pub years: Vec<i16>,
    #[serde(default)]
    pub every_year_required: bool,
    /// Whether the funder assesses and decides on a submission of this phase (a pre-registration
    /// is not decided on).
    #[serde(default = "yes")]
    pub assessed: bool,
    pub source: String,
    #[serde(default = "yes")]
    pub verified: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// Where a phase's window stands at a moment (times local, in the regulation's time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetOpen {
        opens: DateTime,
    },
    /// Open; `days_left` counts calendar days until the closing day (0 on the day itself).
    Open {
        closes: DateTime,
        days_left: i64,
    },
    Closed {
        closed: DateTime,
    },
}

impl Window {
    pub fn is_open(self) -> bool {
        matches!(self, Window::Open { .. })
    }
}

impl Phase {
    /// The window at `now`. A phase without a stated opening is open until it closes.
    pub fn window(&self, now: jiff::Timestamp, tz: &TimeZone) -> Window {
        let local = now.to_zoned_datetime(tz.clone()).datetime();
        match self.opens {
            Some(opens) if local < opens => Window::NotYetOpen { opens },
            _ if local > self.closes => Window::Closed { closed: self.closes },
            _ => {
                let days_left = local.date().until(self.closes.date()).map_or(0, |s| i64::from(s.get_days()));
                Window::Open { closes: self.closes, days_left }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Theme {
    pub id: String,
    pub label: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub eligible: bool,
    /// A line of this category may not appear at all.
    #[serde(default)]
    pub forbidden: bool,
    /// The parameter capping the unit price (hourly rates).
    #[serde(default)]
    pub rate_cap: Option<String>,
    pub source: String,
    #[serde(default = "yes")]
    pub verified: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Blocking,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Blocking => "blokkerend",
            Severity::Warning => "waarschuwing",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub source: String,
    #[serde(default)]
    pub not_in_phases: Vec<String>,
}

/// A report a region owes the funder: a progress report on one year, or (without a year) the
/// final report with the request to settle the grant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportObligation {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub year: Option<i16>,
    pub due: Date,
    pub source: String,
    #[serde(default = "yes")]
    pub verified: bool,
}

impl ReportObligation {
    /// The final report, which carries the request to settle.
    pub fn is_final(&self) -> bool {
        self.year.is_none()
    }
}

/// A criterion the assessors score, on a scale from `min` to `max`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    pub description: String,
    pub min: i64,
    pub max: i64,
    pub source: String,
    #[serde(default = "yes")]
    pub verified: bool,
}

/// One row of the per-region maximum table (annex 3), with where its amount comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegionMaximum {
    pub region: String,
    pub maximum_eur: Amount,
    pub source: String,
    pub verified: bool,
}

impl Regulation {
    /// `raw` (a `source` text of this file) with every document named by its title. The longest
    /// keys go first, so `DOMAIN.md §4 (…)` is not half-replaced by a shorter key.
    pub fn cite(&self, raw: &str) -> Citation {
        let mut docs: Vec<&SourceDocument> = self.sources.iter().filter(|d| raw.contains(&d.key)).collect();
        docs.sort_by_key(|d| std::cmp::Reverse(d.key.len()));
        let text = docs.iter().fold(raw.to_owned(), |t, d| t.replace(&d.key, &d.title));
        let url = docs.iter().find_map(|d| d.url.clone());
        Citation { text, url }
    }

    /// Parses a regulation file.
    pub fn parse(toml_text: &str) -> Result<Regulation, RegulationError> {
        let mut reg: Regulation = toml::from_str(toml_text).map_err(|e| RegulationError::Invalid(e.to_string()))?;
        reg.validate()?;
        Ok(reg)
    }

    /// A regulation shipped in the binary.
    pub fn builtin(id: &str) -> Result<Regulation, RegulationError> {
        let (_, toml_text) =
            BUILTIN.iter().find(|(b, _)| *b == id).ok_or_else(|| RegulationError::Unknown(id.to_owned()))?;
        Regulation::parse(toml_text)
    }

    /// This regulation with `table` as its region maximum table.
    pub fn with_maximums(&self, table: Vec<RegionMaximum>) -> Regulation {
        Regulation { region_maximums: table, ..self.clone() }
    }

    fn validate(&mut self) -> Result<(), RegulationError> {
        for (i, r) in self.reports.iter().enumerate() {
            if self.reports.iter().skip(i + 1).any(|o| o.id == r.id) {
                return Err(RegulationError::Invalid(format!("rapportage {} staat er twee keer in", r.id)));
            }
            if r.year.is_some_and(|y| !self.years.contains(&y)) {
                return Err(RegulationError::Invalid(format!("rapportage {}: jaar buiten de looptijd", r.id)));
            }
        }
        TimeZone::get(&self.timezone)
            .map_err(|e| RegulationError::Invalid(format!("tijdzone {}: {e}", self.timezone)))?;
        for p in &mut self.parameters {
            if p.values.is_empty() {
                return Err(RegulationError::Invalid(format!("parameter {} heeft geen waarden", p.id)));
            }
            p.values.sort_by_key(|v| v.valid_from);
        }
        for c in &self.categories {
            if let Some(cap) = &c.rate_cap {
                self.parameter(cap)?;
            }
        }
        Ok(())
    }

    pub fn parameter(&self, id: &str) -> Result<&Parameter, RegulationError> {
        self.parameters.iter().find(|p| p.id == id).ok_or_else(|| RegulationError::MissingParameter(id.to_owned()))
    }

    /// The value of a parameter in force on `date`: the latest with `valid_from <= date`.
    pub fn value_at(&self, id: &str, date: Date) -> Result<&DatedValue, RegulationError> {
        self.parameter(id)?
            .values
            .iter()
            .rev()
            .find(|v| v.valid_from <= date)
            .ok_or_else(|| RegulationError::NoValueAt { id: id.to_owned(), date })
    }

    pub fn report(&self, id: &str) -> Option<&ReportObligation> {
        self.reports.iter().find(|r| r.id == id)
    }

    pub fn decimal_at(&self, id: &str, date: Date) -> Result<(Decimal, &DatedValue), RegulationError> {
        let v = self.value_at(id, date)?;
        match &v.value {
            ParamValue::Decimal(d) => Ok((d.0, v)),
            ParamValue::List(_) => Err(RegulationError::Invalid(format!("parameter {id} is geen getal"))),
        }
    }

    pub fn list_at(&self, id: &str, date: Date) -> Result<(&[String], &DatedValue), RegulationError> {
        let v = self.value_at(id, date)?;
        match &v.value {
            ParamValue::List(l) => Ok((l, v)),
            ParamValue::Decimal(_) => Err(RegulationError::Invalid(format!("parameter {id} is geen lijst"))),
        }
    }

    /// This regulation with `phase`'s window closing at the end of `until` instead: the funder's
    /// repair request gives one region until then, and the deadline rule then cites that request.
    pub fn extended(&self, phase: &str, until: Date, why: &str) -> Regulation {
        let mut reg = self.clone();
        if let Some(p) = reg.phases.iter_mut().find(|p| p.id == phase) {
            p.closes = until.at(23, 59, 59, 0).max(p.closes);
            p.source = why.to_owned();
            p.verified = true;
        }
        reg
    }

    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn time_zone(&self) -> TimeZone {
        TimeZone::get(&self.timezone).unwrap_or(TimeZone::UTC)
    }

    /// The region's row in the maximum table, matched on name without regard to case.
    pub fn region_maximum(&self, region: &str) -> Option<&RegionMaximum> {
        self.region_maximums.iter().find(|m| m.region.eq_ignore_ascii_case(region.trim()))
    }

    /// The first day of the regulation's period: the date dated parameters are read at when no other applies.
    pub fn start(&self) -> Date {
        let year = self.years.first().copied().unwrap_or(self.in_force.year());
        jiff::civil::date(year, 1, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_regulations_parse_and_every_rule_has_metadata() {
        let r = Regulation::builtin("sto-2025-2028").unwrap();
        assert_eq!(r.years, vec![2025, 2026, 2027, 2028]);
        for id in check::RULE_IDS {
            assert!(r.rule(id).is_some(), "rule {id} has a title, severity and source");
        }
        assert!(r.region_maximums.is_empty(), "the table is the national team's data, not shipped");
        let old = Regulation::builtin("sto-2020-2023").unwrap();
        assert!(old.phases.is_empty());
        assert_eq!(Regulation::builtin("sto-1999").unwrap_err(), RegulationError::Unknown("sto-1999".into()));
    }

    #[test]
    fn every_source_reaches_a_reader_by_its_title() {
        for id in ["sto-2025-2028", "sto-2020-2023"] {
            let r = Regulation::builtin(id).unwrap();
            let texts = r.parameters.iter().flat_map(|p| p.values.iter().map(|v| &v.source));
            let texts = texts
                .chain(r.phases.iter().map(|p| &p.source))
                .chain(r.themes.iter().map(|t| &t.source))
                .chain(r.categories.iter().map(|c| &c.source))
                .chain(r.rules.iter().map(|r| &r.source))
                .chain(r.reports.iter().map(|r| &r.source));
            for raw in texts {
                let cited = r.cite(raw).text;
                for internal in ["seed ", ".txt", "DOMAIN", ".md", "§"] {
                    assert!(!cited.contains(internal), "{id}: \"{raw}\" still shows {internal:?}: {cited}");
                }
            }
        }
        let r = Regulation::builtin("sto-2025-2028").unwrap();
        let c = r.cite("seed 002_1f124709cf75a864.txt: vooraanmelding tussen 1 en 30 juni 2024");
        assert!(c.text.starts_with("Nehem, ‘Nieuwe STO-regeling"), "{c:?}");
        let official = r.cite("Subsidieregeling sterk techniekonderwijs 2025–2028, Stcrt. 2024, 11193");
        assert_eq!(official.url.as_deref(), Some("https://zoek.officielebekendmakingen.nl/stcrt-2024-11193.html"));
    }

    #[test]
    fn a_phase_is_open_only_in_its_window_counting_the_days_left() {
        let r = Regulation::builtin("sto-2025-2028").unwrap();
        let tz = r.time_zone();
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let main = r.phase("hoofdlijnen").unwrap();
        assert!(matches!(main.window(at("2024-08-31T12:00:00Z"), &tz), Window::NotYetOpen { .. }));
        assert_eq!(
            main.window(at("2024-09-15T10:00:00Z"), &tz),
            Window::Open { closes: jiff::civil::datetime(2024, 10, 1, 16, 0, 0, 0), days_left: 16 }
        );
        // 16:00 in Amsterdam is 14:00 UTC in October: one second later it is closed.
        assert!(main.window(at("2024-10-01T14:00:00Z"), &tz).is_open());
        assert!(matches!(main.window(at("2024-10-01T14:00:01Z"), &tz), Window::Closed { .. }));
        // Without a stated opening the phase is open until it closes.
        assert!(r.phase("uitwerking-2027-2028").unwrap().window(at("2024-09-15T10:00:00Z"), &tz).is_open());
    }

    #[test]
    fn dated_values_follow_valid_from() {
        let r = Regulation::builtin("sto-2025-2028").unwrap();
        let at = |y, m, d| r.decimal_at("rate-internal-max", jiff::civil::date(y, m, d)).unwrap().0;
        assert_eq!(at(2022, 12, 31), Decimal::from(50));
        assert_eq!(at(2023, 6, 30), Decimal::from(50));
        assert_eq!(at(2023, 7, 1), Decimal::from(60));
        assert_eq!(at(2027, 1, 1), Decimal::from(60));
        assert!(!r.value_at("rate-internal-max", jiff::civil::date(2025, 1, 1)).unwrap().verified);
        assert!(matches!(
            r.value_at("rate-external-max", jiff::civil::date(2023, 1, 1)),
            Err(RegulationError::NoValueAt { .. })
        ));
        let old = Regulation::builtin("sto-2020-2023").unwrap();
        let share = |y| old.decimal_at("cofinancing-minimum-share", jiff::civil::date(y, 1, 1)).unwrap().0;
        assert_eq!(share(2021).to_string(), "0.10");
        assert_eq!(share(2022).to_string(), "0.075");
    }

    #[test]
    fn a_broken_file_is_refused_with_a_reason() {
        let err = Regulation::parse("id = 1").unwrap_err();
        assert!(matches!(err, RegulationError::Invalid(_)));
    }
}
