//! The region maximum table (annex 3) as the national team keeps it: what a row must hold. The
//! official amounts are not in our sources, so each row names where its amount comes from and
//! whether someone checked it against the regulation's annex.

use rust_decimal::Decimal;

use crate::RegionKind;
use crate::fmt::euro_nl;
use crate::regulation::{Regulation, RegulationError};
use crate::validation::{FieldErrors, optional, required};

/// The parameter that caps the budget of all technical regions together: no one region's maximum exceeds it.
const TECHNICAL_TOTAL: &str = "budget-total-techniekregio";
/// The parameter that is a low-tech region's maximum (it has no row in the table).
const LOW_TECH_MAXIMUM: &str = "maximum-techniekluwe-regio";
const MAX_SOURCE: usize = 500;
const MAX_REASON: usize = 1_000;

/// A row as typed: the amount in euros (already parsed from Dutch notation; `None` when it was not a number).
pub struct MaximumInput<'a> {
    pub amount: Option<Decimal>,
    pub source: &'a str,
    pub verified: bool,
    pub reason: &'a str,
}

/// A row to record: the amount in cents, its source and why it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaximumRow {
    pub cents: i64,
    pub source: String,
    pub verified: bool,
    pub reason: Option<String>,
}

/// Checks a row for a region of `kind`; `replaces` says whether the region already has one (a
/// change then needs its reason, for the history). Field errors: `amount`, `source`, `reason`.
pub fn validate(
    reg: &Regulation,
    kind: Option<RegionKind>,
    replaces: bool,
    input: &MaximumInput<'_>,
) -> Result<Result<MaximumRow, FieldErrors>, RegulationError> {
    let mut e = FieldErrors::default();
    if kind == Some(RegionKind::LowTech) {
        let (cap, _) = reg.decimal_at(LOW_TECH_MAXIMUM, reg.start())?;
        e.add(
            "amount",
            format!(
                "Een techniekluwe regio staat niet in de tabel: haar maximum is de parameter van de regeling ({}).",
                euro_nl(cap)
            ),
        );
        return Ok(Err(e));
    }
    let (total, _) = reg.decimal_at(TECHNICAL_TOTAL, reg.start())?;
    let cents = match input.amount {
        None => {
            e.add("amount", "Vul het maximum in als bedrag in euro's, bijvoorbeeld 3.200.000,00.");
            None
        }
        Some(a) if a <= Decimal::ZERO || a.round_dp(2) != a => {
            e.add("amount", "Het maximum is meer dan € 0 en in hele centen.");
            None
        }
        Some(a) if a > total => {
            e.add(
                "amount",
                format!("{} is meer dan het budget van alle techniekregio's samen ({}).", euro_nl(a), euro_nl(total)),
            );
            None
        }
        Some(a) => i64::try_from((a * Decimal::ONE_HUNDRED).trunc().mantissa()).ok(),
    };
    let source = required(&mut e, "source", "de bron", input.source, MAX_SOURCE);
    let reason = if replaces {
        Some(required(&mut e, "reason", "de reden van de wijziging", input.reason, MAX_REASON))
    } else {
        optional(&mut e, "reason", "de toelichting", input.reason, MAX_REASON)
    };
    Ok(match (cents, e.is_empty()) {
        (Some(cents), true) => Ok(MaximumRow { cents, source, verified: input.verified, reason }),
        _ => Err(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(amount: &str, source: &str, reason: &str) -> MaximumInput<'static> {
        MaximumInput {
            amount: amount.parse().ok(),
            source: Box::leak(source.to_owned().into_boxed_str()),
            verified: false,
            reason: Box::leak(reason.to_owned().into_boxed_str()),
        }
    }

    fn check(kind: Option<RegionKind>, replaces: bool, i: &MaximumInput<'_>) -> Result<MaximumRow, FieldErrors> {
        validate(&Regulation::builtin("sto-2025-2028").unwrap(), kind, replaces, i).unwrap()
    }

    #[test]
    fn a_row_holds_an_amount_in_cents_and_its_source() {
        let row = check(Some(RegionKind::Technical), false, &input("3900000.50", "RTV Noord, 2019", "")).unwrap();
        assert_eq!(
            row,
            MaximumRow { cents: 390_000_050, source: "RTV Noord, 2019".into(), verified: false, reason: None }
        );
    }

    #[test]
    fn a_change_needs_its_reason_and_every_field_is_checked() {
        let e = check(None, true, &input("0", " ", "")).unwrap_err();
        assert!(e.get("amount").unwrap().contains("meer dan € 0"));
        assert!(e.get("source").is_some());
        assert!(e.get("reason").unwrap().contains("reden"));
        let e = check(None, false, &input("400000000", "x", "")).unwrap_err();
        assert!(e.get("amount").unwrap().contains("€ 368.640.080,00"), "{e}");
        assert!(check(None, false, &input("1.001", "x", "")).unwrap_err().get("amount").is_some());
        assert!(check(None, false, &input("twee", "x", "")).unwrap_err().get("amount").is_some());
    }

    #[test]
    fn a_low_tech_region_has_no_row() {
        let e = check(Some(RegionKind::LowTech), false, &input("100", "x", "")).unwrap_err();
        assert!(e.get("amount").unwrap().contains("€ 4.000.000,00"), "{e}");
    }
}
