//! The decision (beschikking): outcome, the amount per year, conditions, the decided version and
//! the end of the objection period, checked against the regulation before it is recorded.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::fmt::{date_nl, euro_nl};
use crate::regulation::application::{Amount, Application, FundingSource};
use crate::regulation::check::{self, CheckError, TraceItem};
use crate::regulation::{Phase, Regulation};

/// The longest conditions text.
const MAX_CONDITIONS: usize = 10_000;

/// The parameter that says how long the objection period is, in weeks.
pub const OBJECTION_WEEKS: &str = "objection-period-weeks";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Toegekend,
    DeelsToegekend,
    Afgewezen,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Toegekend, Outcome::DeelsToegekend, Outcome::Afgewezen];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Toegekend => "toegekend",
            Outcome::DeelsToegekend => "deels-toegekend",
            Outcome::Afgewezen => "afgewezen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Toegekend => "Toegekend",
            Outcome::DeelsToegekend => "Deels toegekend",
            Outcome::Afgewezen => "Afgewezen",
        }
    }

    pub fn parse(code: &str) -> Option<Outcome> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    /// Whether the region receives money (and execution follows the decision).
    pub fn grants(self) -> bool {
        self != Outcome::Afgewezen
    }
}

/// What an assessor enters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionInput {
    pub reference: String,
    pub decided_on: Date,
    pub outcome: Outcome,
    /// The amount per year of the phase, in euros.
    pub amounts: BTreeMap<i16, Amount>,
    #[serde(default)]
    pub conditions: String,
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    #[serde(flatten)]
    pub input: DecisionInput,
    /// The submitted version the decision is about.
    pub version: i64,
    pub objection_until: Date,
    /// The regulation's maximum for the region and where it comes from.
    pub maximum: Option<TraceItem>,
}

impl Decision {
    pub fn total(&self) -> Decimal {
        self.input.amounts.values().map(|a| a.0).sum()
    }
}

/// The subsidy the version asks for, per year of the phase (eligible subsidy lines).
pub fn requested_per_year(
    reg: &Regulation,
    phase: &Phase,
    app: &Application,
) -> Result<BTreeMap<i16, Decimal>, CheckError> {
    let mut out: BTreeMap<i16, Decimal> = phase.years.iter().map(|y| (*y, Decimal::ZERO)).collect();
    for l in check::evaluate_lines(reg, app)? {
        if l.line.funding.source == FundingSource::Subsidy
            && let Some(sum) = out.get_mut(&l.line.year)
        {
            *sum += l.eligible;
        }
    }
    Ok(out)
}

/// `input` checked against the decided version and the regulation; the decision to record, or
/// the problems as Dutch field errors (`reference`, `decided_on`, `amounts.{year}`, `amounts`).
pub fn decide(
    reg: &Regulation,
    phase: &Phase,
    (app, version, submitted_on): (&Application, i64, Date),
    input: DecisionInput,
    today: Date,
) -> Result<Result<Decision, FieldErrors>, CheckError> {
    let mut e = FieldErrors::default();
    crate::validation::required(&mut e, "reference", "het kenmerk", &input.reference, 100);
    if input.conditions.chars().count() > MAX_CONDITIONS {
        e.add("conditions", "De voorwaarden zijn langer dan 10.000 tekens.");
    }
    if input.decided_on > today {
        e.add("decided_on", format!("De besluitdatum ligt na vandaag ({}).", date_nl(today)));
    } else if input.decided_on < submitted_on {
        e.add(
            "decided_on",
            format!("De besluitdatum ligt vóór de indiening van versie {version} ({}).", date_nl(submitted_on)),
        );
    }
    let requested = requested_per_year(reg, phase, app)?;
    for year in input.amounts.keys().filter(|y| !phase.years.contains(y)) {
        e.add(&format!("amounts.{year}"), format!("{year} hoort niet bij de fase {}.", phase.label));
    }
    for (year, asked) in &requested {
        let field = format!("amounts.{year}");
        match input.amounts.get(year).map(|a| a.0) {
            None => e.add(&field, format!("Vul het bedrag voor {year} in (0 als er niets wordt toegekend).")),
            Some(a) if a < Decimal::ZERO || a.scale() > 2 && a.round_dp(2) != a => {
                e.add(&field, format!("Het bedrag voor {year} is niet negatief en in hele centen."));
            }
            Some(a) if a > *asked => e.add(
                &field,
                format!(
                    "Voor {year} is {} gevraagd; er kan niet meer worden toegekend dan {}.",
                    euro_nl(*asked),
                    euro_nl(*asked)
                ),
            ),
            Some(_) => {}
        }
    }
    // Checked: an amount typed far out of range must not overflow the sum.
    let Some(total) = input.amounts.values().try_fold(Decimal::ZERO, |sum, a| sum.checked_add(a.0)) else {
        e.add("amounts", "De bedragen zijn samen te groot.");
        return Ok(Err(e));
    };
    let asked: Decimal = requested.values().copied().sum();
    match input.outcome {
        Outcome::Afgewezen if !total.is_zero() => e.add("amounts", "Bij een afwijzing is elk bedrag 0."),
        Outcome::Toegekend if total != asked => e.add(
            "amounts",
            format!(
                "Toegekend betekent het gevraagde bedrag ({}); u vulde {} in. Kies \"deels toegekend\" voor minder.",
                euro_nl(asked),
                euro_nl(total)
            ),
        ),
        Outcome::DeelsToegekend if total.is_zero() || total >= asked => e.add(
            "amounts",
            format!("Deels toegekend is meer dan 0 en minder dan het gevraagde bedrag ({}).", euro_nl(asked)),
        ),
        _ => {}
    }
    let maximum = check::region_maximum(reg, app)?;
    match &maximum {
        Some(max) if total > max.amount => e.add(
            "amounts",
            format!(
                "Samen {} is meer dan het maximum van {} voor {} ({}: {}).",
                euro_nl(total),
                euro_nl(max.amount),
                app.region.name,
                max.trace.name,
                max.trace.source.as_deref().unwrap_or("bron onbekend")
            ),
        ),
        None if input.outcome.grants() => e.add(
            "amounts",
            format!("Het maximum van {} is onbekend: leg het eerst vast bij de maxima per regio.", app.region.name),
        ),
        _ => {}
    }
    if !e.is_empty() {
        return Ok(Err(e));
    }
    let (weeks, _) = reg.decimal_at(OBJECTION_WEEKS, input.decided_on)?;
    let days = i64::try_from(weeks.trunc().mantissa()).unwrap_or(6) * 7;
    let objection_until = input.decided_on.checked_add(jiff::Span::new().days(days)).unwrap_or(input.decided_on);
    Ok(Ok(Decision { input, version, objection_until, maximum: maximum.map(|m| m.trace) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped example, under a region name the maximum table lacks, with its own maximum.
    fn setup() -> (Regulation, Application) {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app =
            Application::from_json(include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        app.region.name = "Testregio".into();
        app.region.maximum_eur = Some(Amount(Decimal::from(100_000_000)));
        (reg, app)
    }

    fn input(outcome: Outcome, amounts: &[(i16, &str)]) -> DecisionInput {
        DecisionInput {
            reference: "DUS-I/STO/2025/001".into(),
            decided_on: jiff::civil::date(2025, 1, 15),
            outcome,
            amounts: amounts.iter().map(|(y, a)| (*y, Amount(a.parse().unwrap()))).collect(),
            conditions: String::new(),
        }
    }

    #[test]
    fn a_grant_of_what_was_asked_is_recorded_with_six_weeks_to_object() {
        let (reg, app) = setup();
        let phase = reg.phase(&app.phase).unwrap();
        let asked = requested_per_year(&reg, phase, &app).unwrap();
        let amounts: Vec<(i16, String)> = asked.iter().map(|(y, a)| (*y, a.to_string())).collect();
        let refs: Vec<(i16, &str)> = amounts.iter().map(|(y, a)| (*y, a.as_str())).collect();
        let d = decide(
            &reg,
            phase,
            (&app, 1, jiff::civil::date(2024, 9, 30)),
            input(Outcome::Toegekend, &refs),
            jiff::civil::date(2025, 2, 1),
        )
        .unwrap()
        .unwrap();
        assert_eq!(d.objection_until, jiff::civil::date(2025, 2, 26));
        assert_eq!(d.total(), asked.values().copied().sum::<Decimal>());
    }

    #[test]
    fn more_than_asked_a_rejection_with_money_and_a_future_date_are_refused() {
        let (reg, app) = setup();
        let phase = reg.phase(&app.phase).unwrap();
        let asked = requested_per_year(&reg, phase, &app).unwrap();
        let year = *asked.keys().next().unwrap();
        let too_much = (asked[&year] + Decimal::ONE).to_string();
        let mut amounts: Vec<(i16, &str)> = asked.keys().map(|y| (*y, "0")).collect();
        amounts[0] = (year, &too_much);
        let e = decide(
            &reg,
            phase,
            (&app, 1, jiff::civil::date(2024, 9, 30)),
            input(Outcome::Afgewezen, &amounts),
            jiff::civil::date(2025, 1, 1),
        )
        .unwrap()
        .unwrap_err();
        assert!(e.get(&format!("amounts.{year}")).unwrap().contains("niet meer worden toegekend"));
        assert_eq!(e.get("amounts"), Some("Bij een afwijzing is elk bedrag 0."));
        assert!(e.get("decided_on").unwrap().contains("na vandaag"));
    }

    #[test]
    fn amounts_beyond_any_sum_and_a_date_before_the_submission_are_refused_not_a_panic() {
        let (reg, app) = setup();
        let phase = reg.phase(&app.phase).unwrap();
        let huge = "79228162514264337593543950335";
        let amounts: Vec<(i16, &str)> = phase.years.iter().map(|y| (*y, huge)).collect();
        let mut i = input(Outcome::Toegekend, &amounts);
        i.decided_on = jiff::civil::date(2024, 9, 1);
        let e = decide(&reg, phase, (&app, 1, jiff::civil::date(2024, 9, 30)), i, jiff::civil::date(2025, 2, 1))
            .unwrap()
            .unwrap_err();
        assert_eq!(e.get("amounts"), Some("De bedragen zijn samen te groot."));
        assert!(e.get("decided_on").unwrap().contains("vóór de indiening"));
    }

    #[test]
    fn the_region_maximum_bounds_the_decision() {
        let (reg, mut app) = setup();
        let phase = reg.phase(&app.phase).unwrap().clone();
        let asked = requested_per_year(&reg, &phase, &app).unwrap();
        let total: Decimal = asked.values().copied().sum();
        app.region.maximum_eur = Some(Amount(total - Decimal::ONE_HUNDRED));
        let amounts: Vec<(i16, String)> = asked.iter().map(|(y, a)| (*y, a.to_string())).collect();
        let refs: Vec<(i16, &str)> = amounts.iter().map(|(y, a)| (*y, a.as_str())).collect();
        let e = decide(
            &reg,
            &phase,
            (&app, 1, jiff::civil::date(2024, 9, 30)),
            input(Outcome::Toegekend, &refs),
            jiff::civil::date(2025, 2, 1),
        )
        .unwrap()
        .unwrap_err();
        assert!(e.get("amounts").unwrap().contains("meer dan het maximum"), "{e:?}");
    }
}
