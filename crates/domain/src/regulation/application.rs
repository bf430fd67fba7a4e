//! The application exchange format `sterk.application/1` (see `docs/application-format.md`).
//! Amounts are parsed exactly: decimal strings, or JSON numbers of at most 15 significant
//! digits (longer numbers cannot pass through a float unchanged and are refused).

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::OrganisationKind;

pub use super::agreement::{Agreement, Confirmation, Document};
pub use super::format::FormatError;
use super::format::timestamp_text;
pub use super::terms::Signature;

pub const FORMAT: &str = "sterk.application/1";

/// An exact amount or quantity.
/// Written as text ("1234.56"); read from text or a number.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "1234.56"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Amount(pub Decimal);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

impl Visitor<'_> for AmountVisitor {
    type Value = Amount;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("een bedrag of aantal, als tekst (\"1234.56\") of als getal")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
        let t = v.trim();
        if t.contains(',') {
            return Err(E::custom(format!("\"{v}\": gebruik een punt als decimaalteken (1234.56)")));
        }
        Decimal::from_str(t).map(Amount).map_err(|_| E::custom(format!("\"{v}\" is geen getal")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
        Ok(Amount(Decimal::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
        // The shortest text that reads back as the same float is the decimal that was written,
        // as long as it had at most 15 significant digits.
        let text = v.to_string();
        let digits = text.chars().filter(char::is_ascii_digit).collect::<String>();
        if digits.trim_start_matches('0').trim_end_matches('0').len() > 15 || text.contains('e') {
            return Err(E::custom(format!("{text}: te veel cijfers voor een getal; geef het bedrag als tekst")));
        }
        Decimal::from_str(&text).map(Amount).map_err(|_| E::custom(format!("{text} is geen geldig bedrag")))
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub format: String,
    pub regulation: String,
    pub phase: String,
    #[serde(with = "timestamp_text")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub submitted_at: Timestamp,
    pub region: ApplicationRegion,
    pub lead_applicant: String,
    pub organisations: Vec<ApplicationOrganisation>,
    #[serde(default)]
    pub agreement: Option<Agreement>,
    #[serde(default)]
    pub vision: Option<String>,
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(default)]
    pub budget: Vec<BudgetLine>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationRegion {
    pub name: String,
    pub kind: crate::RegionKind,
    #[serde(default)]
    pub maximum_eur: Option<Amount>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationOrganisation {
    pub id: String,
    pub name: String,
    pub kind: OrganisationKind,
    #[serde(default)]
    pub duo_code: Option<String>,
}

/// Whom an activity is for. The exchange format names them by `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetGroup {
    Primary,
    LowerVmbo,
    TechnicalProfiles,
    TechnicalElectives,
    PracticeOriented,
    Other,
}

impl TargetGroup {
    pub const ALL: [TargetGroup; 6] = [
        TargetGroup::Primary,
        TargetGroup::LowerVmbo,
        TargetGroup::TechnicalProfiles,
        TargetGroup::TechnicalElectives,
        TargetGroup::PracticeOriented,
        TargetGroup::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TargetGroup::Primary => "po",
            TargetGroup::LowerVmbo => "onderbouw",
            TargetGroup::TechnicalProfiles => "technische-profielen",
            TargetGroup::TechnicalElectives => "keuzevakken",
            TargetGroup::PracticeOriented => "praktijkgericht",
            TargetGroup::Other => "overig",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TargetGroup::Primary => "Basisonderwijs",
            TargetGroup::LowerVmbo => "Onderbouw vmbo",
            TargetGroup::TechnicalProfiles => "Technische profielen",
            TargetGroup::TechnicalElectives => "Technische keuzevakken",
            TargetGroup::PracticeOriented => "Praktijkgerichte programma's",
            TargetGroup::Other => "Overig",
        }
    }

    pub fn parse(code: &str) -> Option<TargetGroup> {
        TargetGroup::ALL.into_iter().find(|g| g.code() == code)
    }

    /// The Dutch label of a stored code (the code itself when it names no group).
    pub fn label_of(code: &str) -> &str {
        TargetGroup::parse(code).map_or(code, |g| g.label())
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub title: String,
    /// What the activity is (the workspace's text; optional in the exchange format).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub goals: String,
    /// `TargetGroup` codes: `po`, `onderbouw`, `technische-profielen`, `keuzevakken`,
    /// `praktijkgericht`, `overig`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default)]
    pub partners: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Results of the theory of change it aims at (ids in `indicators/theory-of-change.toml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<String>,
    /// Indicators that measure its effect (ids in `indicators/indicators.toml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    /// The approved school plan this activity came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_plan: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub activity: String,
    pub year: i16,
    pub category: String,
    #[serde(default)]
    pub description: String,
    pub quantity: Amount,
    #[serde(default)]
    pub unit: String,
    pub unit_price_eur: Amount,
    pub funding: Funding,
    /// The approved school plan this line came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school_plan: Option<String>,
    /// The day a realised cost was made (hours worked, invoice date); dated parameters such as
    /// rate caps are read at this day. Budget lines leave it out and are read at 1 January.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date: Option<Date>,
}

/// What holds activities and their budget lines: an application, or a school plan. The edits
/// both share are written once here.
pub trait Budgeted {
    fn parts(&mut self) -> (&mut Vec<Activity>, &mut Vec<BudgetLine>);

    /// Adds an activity under the next free id (`a1`, `a2`, …); returns that id.
    fn add_activity(&mut self, mut activity: Activity) -> String {
        let (activities, _) = self.parts();
        let id = (1..).map(|n| format!("a{n}")).find(|id| !activities.iter().any(|x| &x.id == id)).unwrap_or_default();
        activity.id = id.clone();
        activities.push(activity);
        id
    }

    /// Removes an activity and the budget lines that belong to it.
    fn remove_activity(&mut self, id: &str) {
        let (activities, budget) = self.parts();
        activities.retain(|a| a.id != id);
        budget.retain(|l| l.activity != id);
    }

    /// Removes the budget line at `index` (nothing when there is none).
    fn remove_line(&mut self, index: usize) {
        let (_, budget) = self.parts();
        if index < budget.len() {
            budget.remove(index);
        }
    }
}

impl Budgeted for Application {
    fn parts(&mut self) -> (&mut Vec<Activity>, &mut Vec<BudgetLine>) {
        (&mut self.activities, &mut self.budget)
    }
}

impl BudgetLine {
    /// Price × quantity.
    pub fn amount(&self) -> Decimal {
        self.quantity.0 * self.unit_price_eur.0
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funding {
    pub source: FundingSource,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub in_kind: bool,
}

/// What sheets and forms write for a line paid from the subsidy (its funder, in Dutch).
pub const SUBSIDY_LABEL: &str = "Subsidie";

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FundingSource {
    Subsidy,
    Cofinancing,
}

impl Application {
    /// Parses and checks the structure; rule violations are the checks' business, not this.
    pub fn from_json(text: &str) -> Result<Application, FormatError> {
        if crate::validation::has_nul(text) {
            return Err(FormatError::at("(document)", crate::validation::NUL_MESSAGE));
        }
        let de = &mut serde_json::Deserializer::from_str(text);
        let app: Application = serde_path_to_error::deserialize(de).map_err(|e| {
            let message = dutch_serde_message(&e.inner().to_string());
            let path = e.path().to_string();
            let path =
                if path == "." || message.starts_with("geen geldige JSON") { "(document)".to_owned() } else { path };
            FormatError::at(path, message)
        })?;
        app.check_structure()?;
        Ok(app)
    }

    fn check_structure(&self) -> Result<(), FormatError> {
        if self.format != FORMAT {
            return Err(FormatError::at("format", format!("verwacht \"{FORMAT}\", gevonden \"{}\"", self.format)));
        }
        let org_ids: Vec<&str> = self.organisations.iter().map(|o| o.id.as_str()).collect();
        for (i, o) in self.organisations.iter().enumerate() {
            if org_ids.iter().filter(|id| **id == o.id).count() > 1 {
                return Err(FormatError::at(
                    format!("organisations[{i}].id"),
                    format!("\"{}\" komt twee keer voor", o.id),
                ));
            }
        }
        let activity_ids: Vec<&str> = self.activities.iter().map(|a| a.id.as_str()).collect();
        let known_org = |path: String, id: &str| {
            if org_ids.contains(&id) {
                Ok(())
            } else {
                Err(FormatError::at(path, format!("onbekende organisatie \"{id}\"")))
            }
        };
        let toc = crate::monitoring::theory_of_change();
        let defs = crate::monitoring::definitions();
        for (i, a) in self.activities.iter().enumerate() {
            for (j, r) in a.results.iter().enumerate() {
                if toc.result(r).is_none() {
                    return Err(FormatError::at(
                        format!("activities[{i}].results[{j}]"),
                        format!("onbekend resultaat \"{r}\""),
                    ));
                }
            }
            for (j, x) in a.indicators.iter().enumerate() {
                if !defs.iter().any(|d| &d.id == x) {
                    return Err(FormatError::at(
                        format!("activities[{i}].indicators[{j}]"),
                        format!("onbekende indicator \"{x}\""),
                    ));
                }
            }
            if let Some(lead) = &a.lead {
                known_org(format!("activities[{i}].lead"), lead)?;
            }
            for (j, p) in a.partners.iter().enumerate() {
                known_org(format!("activities[{i}].partners[{j}]"), p)?;
            }
        }
        if let Some(agreement) = &self.agreement {
            super::agreement::validate(agreement, known_org)?;
        }
        for (i, line) in self.budget.iter().enumerate() {
            if !activity_ids.contains(&line.activity.as_str()) {
                return Err(FormatError::at(
                    format!("budget[{i}].activity"),
                    format!("onbekende activiteit \"{}\"", line.activity),
                ));
            }
            if line.quantity.0.is_sign_negative() {
                return Err(FormatError::at(format!("budget[{i}].quantity"), "een aantal is niet negatief"));
            }
            if line.unit_price_eur.0.is_sign_negative() {
                return Err(FormatError::at(format!("budget[{i}].unit_price_eur"), "een prijs is niet negatief"));
            }
            match (line.funding.source, &line.funding.by) {
                (FundingSource::Cofinancing, None) => {
                    return Err(FormatError::at(
                        format!("budget[{i}].funding.by"),
                        "cofinanciering noemt de organisatie die betaalt",
                    ));
                }
                (_, Some(by)) => known_org(format!("budget[{i}].funding.by"), by)?,
                _ => {}
            }
        }
        Ok(())
    }

    pub fn organisation(&self, id: &str) -> Option<&ApplicationOrganisation> {
        self.organisations.iter().find(|o| o.id == id)
    }

    /// The canonical JSON (keys sorted, no white space) the version hash is taken over.
    pub fn canonical_json(&self) -> String {
        let value = serde_json::to_value(self).expect("an application serialises");
        value.to_string()
    }

    /// Re-checks the structure after an edit (references, signs); the same checks as on import.
    pub fn validate_structure(&self) -> Result<(), FormatError> {
        self.check_structure()
    }
}

/// serde's English messages for the common cases, in Dutch; the position only for broken JSON
/// (elsewhere the path says where).
fn dutch_serde_message(full: &str) -> String {
    let (m, position) = match full.rsplit_once(" at line ") {
        Some((m, pos)) => (m, pos.split_once(" column ").map(|(l, c)| format!(" (regel {l}, kolom {c})"))),
        None => (full, None),
    };
    if let Some(field) = m.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        return format!("het veld \"{field}\" ontbreekt");
    }
    if let Some(rest) = m.strip_prefix("unknown variant `") {
        let (value, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.split("expected").nth(1).unwrap_or("").trim().replace('`', "\"");
        return format!("onbekende waarde \"{value}\"; verwacht {expected}");
    }
    if m.starts_with("invalid type") {
        return format!("verkeerd soort waarde ({m})");
    }
    if m.starts_with("EOF while parsing")
        || m.starts_with("expected")
        || m.starts_with("trailing")
        || m.starts_with("key must")
    {
        return format!("geen geldige JSON: {m}{}", position.unwrap_or_default());
    }
    m.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json");

    #[test]
    fn the_example_parses_exactly() {
        let app = Application::from_json(EXAMPLE).unwrap();
        assert_eq!(app.phase, "hoofdlijnen");
        assert!(app.budget.iter().all(|l| l.amount() >= Decimal::ZERO));
    }

    fn with(path: &str, value: serde_json::Value) -> String {
        let mut doc: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
        *doc.pointer_mut(path).unwrap() = value;
        doc.to_string()
    }

    #[test]
    fn amounts_as_numbers_are_exact_or_refused() {
        let app = Application::from_json(&with("/budget/0/unit_price_eur", serde_json::json!(59.99))).unwrap();
        assert_eq!(app.budget[0].unit_price_eur.0.to_string(), "59.99");
        let err = Application::from_json(&with("/budget/0/unit_price_eur", serde_json::json!(0.30000000000000004)))
            .unwrap_err();
        assert_eq!(err.path, "budget[0].unit_price_eur");
        assert!(err.message.contains("te veel cijfers"));
    }

    #[test]
    fn malformed_files_name_the_path() {
        let err = Application::from_json(&with("/budget/3/unit_price_eur", serde_json::json!("12,50"))).unwrap_err();
        assert_eq!(err.path, "budget[3].unit_price_eur");
        assert!(err.message.contains("punt als decimaalteken"), "{}", err.message);
        let err =
            Application::from_json(&with("/organisations/1/kind", serde_json::json!("universiteit"))).unwrap_err();
        assert_eq!(err.path, "organisations[1].kind");
        assert!(err.message.starts_with("onbekende waarde \"universiteit\""), "{}", err.message);
        let err = Application::from_json(&with("/budget/1/activity", serde_json::json!("zz"))).unwrap_err();
        assert_eq!(err.to_string(), "budget[1].activity: onbekende activiteit \"zz\"");
        let err = Application::from_json("{").unwrap_err();
        assert!(err.message.starts_with("geen geldige JSON"), "{}", err.message);
        let err = Application::from_json(&with("/format", serde_json::json!("iets/2"))).unwrap_err();
        assert_eq!(err.path, "format");
    }
}
