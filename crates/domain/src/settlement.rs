//! The settlement decision (vaststelling): the funder starts from the rules engine's verdict on
//! the realised figures ([`crate::execution::settle`]), adjusts it where it must (each adjustment
//! with its reason), and decides the final amount; the difference with what was paid becomes the
//! final payment or the repayment.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::execution::Settlement;
use crate::payments::PaymentKind;

/// One change to the verdict: what, how much (negative lowers the subsidy) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub description: String,
    pub amount: Decimal,
    pub reason: String,
}

/// What the assessor decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementInput {
    pub reference: String,
    pub decided_on: Date,
    pub adjustments: Vec<Adjustment>,
}

/// The most adjustments one settlement takes.
pub const MAX_ADJUSTMENTS: usize = 20;

impl SettlementInput {
    /// Dutch messages at their fields: a reference, a date not after today, and for every
    /// adjustment a description, an amount other than zero and a reason.
    pub fn validate(&self, today: Date) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(&mut e, "reference", "het kenmerk van de vaststelling", &self.reference, 100);
        if self.decided_on > today {
            e.add("decided_on", "De datum van de vaststelling ligt in de toekomst.");
        }
        if self.adjustments.len() > MAX_ADJUSTMENTS {
            e.add("adjustments", "Hoogstens 20 correcties.");
        }
        for (i, a) in self.adjustments.iter().enumerate() {
            let at = |f: &str| format!("adjustments[{i}].{f}");
            if a.description.trim().is_empty() {
                e.add(&at("description"), format!("Correctie {}: zeg wat u corrigeert.", i + 1));
            }
            if a.amount.is_zero() {
                e.add(&at("amount"), format!("Correctie {}: geef een bedrag anders dan nul.", i + 1));
            }
            if a.amount.abs() > Decimal::from(1_000_000_000) {
                e.add(&at("amount"), format!("Correctie {}: het bedrag is te groot.", i + 1));
            }
            if a.reason.trim().is_empty() {
                e.add(&at("reason"), format!("Correctie {}: een reden is verplicht.", i + 1));
            }
            if a.description.chars().count() > 500 || a.reason.chars().count() > 2_000 {
                e.add(&at("reason"), format!("Correctie {}: te lange tekst.", i + 1));
            }
        }
        e
    }
}

/// The final amount: the verdict's settled subsidy with the adjustments; refused (with the
/// numbers) below zero or above the subsidy granted, so the letter's sum always adds up.
pub fn final_amount(verdict: &Settlement, adjustments: &[Adjustment]) -> Result<Decimal, String> {
    let adjusted = (verdict.settled + adjustments.iter().map(|a| a.amount).sum::<Decimal>()).round_dp(2);
    if adjusted < Decimal::ZERO {
        return Err(format!("Met de correcties wordt de subsidie negatief ({}).", crate::fmt::euro_nl(adjusted)));
    }
    if adjusted > verdict.granted {
        return Err(format!(
            "Met de correcties komt de subsidie op {}, boven de verleende {}.",
            crate::fmt::euro_nl(adjusted),
            crate::fmt::euro_nl(verdict.granted)
        ));
    }
    Ok(adjusted)
}

/// What is still to be paid (a final payment) or to be paid back (a repayment), and how much;
/// `None` when the advances match the final amount.
pub fn difference(final_amount: Decimal, received: Decimal) -> Option<(PaymentKind, Decimal)> {
    let d = final_amount - received;
    if d > Decimal::ZERO {
        Some((PaymentKind::Eindbetaling, d))
    } else if d < Decimal::ZERO {
        Some((PaymentKind::Terugvordering, -d))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn verdict(settled: i64, granted: i64) -> Settlement {
        Settlement {
            granted: Decimal::from(granted),
            realised_subsidy: Decimal::from(settled),
            realised_eligible: Decimal::from(settled),
            cofinancing: Decimal::ZERO,
            cofinancing_required: Decimal::ZERO,
            shortfall: Decimal::ZERO,
            settled: Decimal::from(settled),
            received: Decimal::ZERO,
            to_repay: Decimal::ZERO,
        }
    }

    fn adj(amount: i64) -> Adjustment {
        Adjustment {
            description: "Uren zonder urenstaat".into(),
            amount: Decimal::from(amount),
            reason: "Geen bewijs.".into(),
        }
    }

    #[test]
    fn adjustments_move_the_final_amount_and_may_not_take_it_below_zero_or_above_the_grant() {
        assert_eq!(final_amount(&verdict(80_000, 100_000), &[adj(-5_000)]), Ok(Decimal::from(75_000)));
        let above = final_amount(&verdict(80_000, 100_000), &[adj(50_000)]).unwrap_err();
        assert!(above.contains("boven de verleende € 100.000,00"), "{above}");
        assert!(final_amount(&verdict(1_000, 100_000), &[adj(-5_000)]).unwrap_err().contains("negatief"));
        let received = Decimal::from(100_000);
        assert_eq!(
            difference(Decimal::from(75_000), received),
            Some((PaymentKind::Terugvordering, Decimal::from(25_000)))
        );
        assert_eq!(
            difference(Decimal::from(110_000), received),
            Some((PaymentKind::Eindbetaling, Decimal::from(10_000)))
        );
        assert_eq!(difference(received, received), None);
    }

    #[test]
    fn every_adjustment_needs_its_reason() {
        let mut input = SettlementInput {
            reference: "DUS-I/STO/V/1".into(),
            decided_on: date(2029, 9, 1),
            adjustments: vec![adj(-1)],
        };
        input.adjustments[0].reason = " ".into();
        let e = input.validate(date(2029, 9, 1));
        assert_eq!(e.get("adjustments[0].reason"), Some("Correctie 1: een reden is verplicht."));
        input.adjustments[0].reason = "Geen bewijs.".into();
        assert!(input.validate(date(2029, 9, 1)).is_empty());
        assert!(input.validate(date(2029, 8, 31)).get("decided_on").is_some(), "not in the future");
    }
}
