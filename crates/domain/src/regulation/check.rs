//! The checks of an application against a regulation. Every rule returns a finding: a verdict,
//! a Dutch explanation with the numbers, the source, and a trace of every input and parameter used.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::application::{Amount, Application, BudgetLine, FormatError, FundingSource};
use super::{Category, DatedValue, Phase, Regulation, RegulationError, Severity};
use crate::OrganisationKind;
use crate::fmt::{date_nl, euro_nl, instant_nl_exact, percent_nl, round_cents};

mod budget;
mod parties;

pub(crate) use budget::{RegionMax, region_maximum};

/// Every rule, in the order they are reported.
pub const RULE_IDS: [&str; 11] = [
    "lead-applicant",
    "mandatory-partners",
    "required-parts",
    "themes",
    "deadline",
    "budget-years",
    "no-purchase-costs",
    "rate-internal",
    "rate-external",
    "cofinancing-minimum",
    "region-maximum",
];

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error(transparent)]
    Regulation(#[from] RegulationError),
}

/// One input or parameter a verdict rests on (kept with a decision, so read back too).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TraceItem {
    pub name: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_from: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
}

impl TraceItem {
    fn input(name: impl Into<String>, value: impl Into<String>) -> TraceItem {
        TraceItem { name: name.into(), value: value.into(), valid_from: None, source: None, verified: None }
    }

    fn parameter(id: &str, value: impl Into<String>, v: &DatedValue) -> TraceItem {
        TraceItem {
            name: format!("parameter {id}"),
            value: value.into(),
            valid_from: Some(v.valid_from),
            source: Some(v.source.clone()),
            verified: Some(v.verified),
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    /// `false` when the rule does not apply in this phase (it then counts as passed).
    pub applicable: bool,
    pub passed: bool,
    pub message: String,
    pub source: String,
    /// The JSON path of the first part of the application that causes a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub trace: Vec<TraceItem>,
}

impl Finding {
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Blocking && !self.passed
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub eligible_costs: Amount,
    pub subsidy_requested: Amount,
    pub cofinancing: Amount,
    /// Company co-financing as a fraction of the eligible costs, to four decimals.
    pub cofinancing_share: Amount,
    pub region_maximum: Option<Amount>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub regulation: String,
    pub phase: String,
    pub passed: bool,
    pub totals: Totals,
    pub findings: Vec<Finding>,
}

/// A budget line as the regulation sees it: its amount, what of it is eligible, and the cap used.
#[derive(Debug, Clone)]
pub struct LineEval<'a> {
    pub index: usize,
    pub line: &'a BudgetLine,
    pub category: &'a Category,
    pub amount: Decimal,
    pub eligible: Decimal,
    /// (cap, its dated value, the parameter id) for capped categories.
    pub cap: Option<(Decimal, &'a DatedValue, &'a str)>,
}

impl LineEval<'_> {
    pub fn above_cap(&self) -> bool {
        self.cap.is_some_and(|(cap, _, _)| self.line.unit_price_eur.0 > cap)
    }
}

/// The date a line's dated parameters are read at: its own date when realised, else the first day of its year.
fn line_date(line: &BudgetLine) -> Date {
    line.date.unwrap_or_else(|| jiff::civil::date(line.year, 1, 1))
}

/// Eligible amounts of every line: capped rates count only up to the cap; ineligible categories count nothing.
pub fn evaluate_lines<'a>(reg: &'a Regulation, app: &'a Application) -> Result<Vec<LineEval<'a>>, CheckError> {
    app.budget
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let category = reg.category(&line.category).ok_or_else(|| FormatError {
                path: format!("budget[{index}].category"),
                message: format!(
                    "onbekende categorie \"{}\"; verwacht een van: {}",
                    line.category,
                    reg.categories.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            })?;
            let amount = line.amount();
            let cap = match &category.rate_cap {
                Some(id) => {
                    let (cap, v) = reg.decimal_at(id, line_date(line))?;
                    Some((cap, v, id.as_str()))
                }
                None => None,
            };
            let eligible = match (category.eligible, cap) {
                (false, _) => Decimal::ZERO,
                (true, Some((cap, _, _))) => line.quantity.0 * line.unit_price_eur.0.min(cap),
                (true, None) => amount,
            };
            Ok(LineEval { index, line, category, amount, eligible, cap })
        })
        .collect()
}

/// Totals the checks and the workspace show.
pub fn totals(app: &Application, lines: &[LineEval], region_maximum: Option<Decimal>) -> Totals {
    let eligible_costs: Decimal = lines.iter().map(|l| l.eligible).sum();
    let subsidy: Decimal =
        lines.iter().filter(|l| l.line.funding.source == FundingSource::Subsidy).map(|l| l.eligible).sum();
    let cofinancing: Decimal = lines.iter().filter(|l| is_company_cofinancing(app, l.line)).map(|l| l.eligible).sum();
    Totals {
        eligible_costs: money(eligible_costs),
        subsidy_requested: money(subsidy),
        cofinancing: money(cofinancing),
        cofinancing_share: Amount(with_scale(share(cofinancing, eligible_costs).round_dp(4), 4)),
        region_maximum: region_maximum.map(money),
    }
}

/// An amount in whole cents, always written with two decimals.
fn money(d: Decimal) -> Amount {
    Amount(with_scale(round_cents(d), 2))
}

fn with_scale(mut d: Decimal, scale: u32) -> Decimal {
    d.rescale(scale);
    d
}

fn share(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() { Decimal::ZERO } else { part / whole }
}

/// Only companies' contributions (cash or in kind) count as co-financing.
fn is_company_cofinancing(app: &Application, line: &BudgetLine) -> bool {
    line.funding.source == FundingSource::Cofinancing
        && line
            .funding
            .by
            .as_deref()
            .and_then(|id| app.organisation(id))
            .is_some_and(|o| o.kind == OrganisationKind::Company)
}

/// Checks an application against a regulation: every rule, with its verdict and trace.
pub fn check(reg: &Regulation, app: &Application) -> Result<Report, CheckError> {
    check_with_lines(reg, app).map(|(report, _)| report)
}

/// The check and the line evaluations it rests on, for surfaces that show both (no second pass).
pub fn check_with_lines<'a>(
    reg: &'a Regulation,
    app: &'a Application,
) -> Result<(Report, Vec<LineEval<'a>>), CheckError> {
    if app.regulation != reg.id {
        return Err(FormatError {
            path: "regulation".into(),
            message: format!("de aanvraag hoort bij regeling \"{}\", niet bij \"{}\"", app.regulation, reg.id),
        }
        .into());
    }
    let phase = reg.phase(&app.phase).ok_or_else(|| FormatError {
        path: "phase".into(),
        message: format!(
            "onbekende fase \"{}\"; verwacht een van: {}",
            app.phase,
            reg.phases.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
        ),
    })?;
    check_themes_known(reg, app)?;
    let lines = evaluate_lines(reg, app)?;
    let maximum = region_maximum(reg, app)?;
    let totals = totals(app, &lines, maximum.as_ref().map(|m| m.amount));
    let ctx = Ctx { reg, app, phase, lines: &lines, totals: &totals, maximum: &maximum };
    let mut findings = Vec::with_capacity(RULE_IDS.len());
    for id in RULE_IDS {
        let meta =
            reg.rule(id).ok_or_else(|| RegulationError::Invalid(format!("regel {id} ontbreekt in de regeling")))?;
        let finding = if meta.not_in_phases.contains(&app.phase) {
            Verdict {
                passed: true,
                message: format!("Niet van toepassing in de fase {}.", phase.label.to_lowercase()),
                field: None,
                trace: vec![TraceItem::input("fase", &app.phase)],
            }
        } else {
            evaluate(id, &ctx)?
        };
        findings.push(Finding {
            rule: id.to_owned(),
            title: meta.title.clone(),
            severity: meta.severity,
            applicable: !meta.not_in_phases.contains(&app.phase),
            passed: finding.passed,
            message: finding.message,
            source: meta.source.clone(),
            field: finding.field,
            trace: finding.trace,
        });
    }
    let report = Report {
        regulation: reg.id.clone(),
        phase: app.phase.clone(),
        passed: !findings.iter().any(Finding::blocks),
        totals,
        findings,
    };
    Ok((report, lines))
}

fn check_themes_known(reg: &Regulation, app: &Application) -> Result<(), FormatError> {
    for (i, a) in app.activities.iter().enumerate() {
        for (j, t) in a.themes.iter().enumerate() {
            if !reg.themes.iter().any(|th| &th.id == t) {
                return Err(FormatError {
                    path: format!("activities[{i}].themes[{j}]"),
                    message: format!(
                        "onbekend thema \"{t}\"; verwacht een van: {}",
                        reg.themes.iter().map(|th| th.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
    }
    Ok(())
}

struct Ctx<'a> {
    reg: &'a Regulation,
    app: &'a Application,
    phase: &'a Phase,
    lines: &'a [LineEval<'a>],
    totals: &'a Totals,
    maximum: &'a Option<RegionMax>,
}

struct Verdict {
    passed: bool,
    message: String,
    field: Option<String>,
    trace: Vec<TraceItem>,
}

impl Verdict {
    fn pass(message: impl Into<String>, trace: Vec<TraceItem>) -> Verdict {
        Verdict { passed: true, message: message.into(), field: None, trace }
    }

    fn fail(message: impl Into<String>, field: impl Into<String>, trace: Vec<TraceItem>) -> Verdict {
        Verdict { passed: false, message: message.into(), field: Some(field.into()), trace }
    }
}

fn evaluate(id: &str, c: &Ctx) -> Result<Verdict, CheckError> {
    Ok(match id {
        "lead-applicant" => lead_applicant(c),
        "mandatory-partners" => parties::mandatory_partners(c)?,
        "required-parts" => parties::required_parts(c),
        "themes" => themes(c),
        "deadline" => deadline(c)?,
        "budget-years" => budget::budget_years(c),
        "no-purchase-costs" => budget::no_purchase_costs(c),
        "rate-internal" => budget::rate(c, "staff-internal"),
        "rate-external" => budget::rate(c, "staff-external"),
        "cofinancing-minimum" => budget::cofinancing_minimum(c)?,
        "region-maximum" => budget::region_maximum_rule(c),
        other => return Err(RegulationError::Invalid(format!("regel {other} heeft geen implementatie")).into()),
    })
}

fn lead_applicant(c: &Ctx) -> Verdict {
    let id = &c.app.lead_applicant;
    let mut trace = vec![TraceItem::input("lead_applicant", id)];
    match c.app.organisation(id) {
        None => Verdict::fail(
            format!("De penvoerder \"{id}\" staat niet bij de organisaties van de aanvraag."),
            "lead_applicant",
            trace,
        ),
        Some(org) => {
            trace.push(TraceItem::input("soort penvoerder", org.kind.code()));
            if org.kind.may_lead() {
                Verdict::pass(format!("{} is een vmbo-vestiging en kan penvoerder zijn.", org.name), trace)
            } else {
                Verdict::fail(
                    format!(
                        "De penvoerder moet een vmbo-vestiging zijn; {} is een {}.",
                        org.name,
                        org.kind.label().to_lowercase()
                    ),
                    "lead_applicant",
                    trace,
                )
            }
        }
    }
}

fn themes(c: &Ctx) -> Verdict {
    let mut trace = Vec::new();
    let mut missing = Vec::new();
    for theme in &c.reg.themes {
        let by: Vec<&str> =
            c.app.activities.iter().filter(|a| a.themes.contains(&theme.id)).map(|a| a.id.as_str()).collect();
        trace.push(TraceItem::input(
            format!("thema {}", theme.id),
            if by.is_empty() { "geen activiteit".into() } else { by.join(", ") },
        ));
        if by.is_empty() {
            missing.push(theme.label.to_lowercase());
        }
    }
    if missing.is_empty() {
        Verdict::pass("Elk verplicht thema komt terug in ten minste één activiteit.", trace)
    } else {
        Verdict::fail(format!("Geen activiteit besteedt aandacht aan: {}.", missing.join("; ")), "activities", trace)
    }
}

fn deadline(c: &Ctx) -> Result<Verdict, CheckError> {
    let tz = c.reg.time_zone();
    let at = |dt: jiff::civil::DateTime| -> Result<Timestamp, CheckError> {
        dt.to_zoned_datetime(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| RegulationError::Invalid(format!("tijdstip {dt}: {e}")).into())
    };
    let opens = c.phase.opens.map(at).transpose()?;
    let closes = at(c.phase.closes)?;
    let submitted = c.app.submitted_at;
    let source_item = |name: &str, t: Timestamp| TraceItem {
        name: name.into(),
        value: instant_nl_exact(t),
        valid_from: None,
        source: Some(c.phase.source.clone()),
        verified: Some(c.phase.verified),
    };
    let mut trace = vec![TraceItem::input("submitted_at", instant_nl_exact(submitted))];
    if let Some(o) = opens {
        trace.push(source_item(&format!("fase {} opent", c.phase.id), o));
    }
    trace.push(source_item(&format!("fase {} sluit", c.phase.id), closes));
    let label = &c.phase.label;
    Ok(if opens.is_some_and(|o| submitted < o) {
        Verdict::fail(
            format!(
                "Ingediend op {}, vóór de opening van de termijn ({label}: {}).",
                instant_nl_exact(submitted),
                instant_nl_exact(opens.unwrap_or(closes))
            ),
            "submitted_at",
            trace,
        )
    } else if submitted > closes {
        Verdict::fail(
            format!(
                "Ingediend op {}, na het sluiten van de termijn ({label}: uiterlijk {}).",
                instant_nl_exact(submitted),
                instant_nl_exact(closes)
            ),
            "submitted_at",
            trace,
        )
    } else {
        Verdict::pass(
            format!(
                "Ingediend op {}, binnen de termijn ({label}: uiterlijk {}).",
                instant_nl_exact(submitted),
                instant_nl_exact(closes)
            ),
            trace,
        )
    })
}

/// The report as a readable Dutch text, for the command line.
pub fn render_text(report: &Report, reg: &Regulation) -> String {
    let mut out = String::new();
    let phase = reg.phase(&report.phase).map_or(report.phase.clone(), |p| p.label.clone());
    out.push_str(&format!("{} — {}\n", reg.title, phase));
    out.push_str(&format!(
        "Uitslag: {}\n\n",
        if report.passed { "voldoet aan alle blokkerende regels" } else { "voldoet NIET aan alle blokkerende regels" }
    ));
    let t = &report.totals;
    out.push_str(&format!("Subsidiabele kosten      {}\n", euro_nl(t.eligible_costs.0)));
    out.push_str(&format!("Gevraagde subsidie       {}\n", euro_nl(t.subsidy_requested.0)));
    out.push_str(&format!(
        "Cofinanciering bedrijven {} ({})\n",
        euro_nl(t.cofinancing.0),
        percent_nl(t.cofinancing_share.0)
    ));
    out.push_str(&format!(
        "Maximum van de regio     {}\n\n",
        t.region_maximum.map_or("onbekend".to_owned(), |m| euro_nl(m.0))
    ));
    for f in &report.findings {
        let mark = match (f.applicable, f.passed, f.severity) {
            (false, _, _) => "n.v.t.",
            (true, true, _) => "OK",
            (true, false, Severity::Blocking) => "FOUT",
            (true, false, Severity::Warning) => "LET OP",
        };
        out.push_str(&format!("[{mark}] {} ({}, {})\n", f.title, f.rule, f.severity.label()));
        out.push_str(&format!("    {}\n", f.message));
        if let Some(field) = &f.field {
            out.push_str(&format!("    Veld: {field}\n"));
        }
        out.push_str(&format!("    Bron: {}\n", f.source));
        for item in &f.trace {
            let dated = item.valid_from.map(|d| format!(", geldig vanaf {}", date_nl(d))).unwrap_or_default();
            let unverified = if item.verified == Some(false) { ", niet geverifieerd" } else { "" };
            out.push_str(&format!("      · {}: {}{dated}{unverified}\n", item.name, item.value));
        }
    }
    out
}
