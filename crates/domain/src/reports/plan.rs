//! A school plan's own short report for one of the region's reports: what was done, the results
//! and the money the school spent. The region's report rolls these up beside its own figures;
//! the money is the school's account of costs the region's records already hold, so it is shown,
//! never added.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanReport {
    /// The activities carried out.
    pub done: String,
    pub results: String,
    /// What the school spent on the plan in the report's period.
    pub spent: Decimal,
}

const MAX_TEXT: usize = 5_000;

impl PlanReport {
    pub fn validate(&self) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(&mut e, "done", "wat er is gedaan", &self.done, MAX_TEXT);
        if self.results.chars().count() > MAX_TEXT {
            e.add("results", "De resultaten zijn te lang: hoogstens 5.000 tekens.");
        }
        if self.spent < Decimal::ZERO {
            e.add("spent", "Het bestede bedrag is niet negatief.");
        }
        if self.spent > Decimal::from(100_000_000) {
            e.add("spent", "Het bestede bedrag is te groot.");
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_report_says_what_was_done_and_spends_no_negative_money() {
        let bare = PlanReport { done: " ".into(), results: String::new(), spent: Decimal::from(-1) };
        let e = bare.validate();
        assert!(e.get("done").is_some() && e.get("spent").is_some());
        let ok = PlanReport {
            done: "Zes techniekmiddagen.".into(),
            results: "120 leerlingen.".into(),
            spent: Decimal::from(1_840),
        };
        assert!(ok.validate().is_empty());
    }
}
