//! The budget's totals as the workspace shows them: per year, category, activity and funder,
//! and each line's eligible amount. Computed with the same line evaluation as the checks.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::application::FundingSource;
use super::check::LineEval;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sums {
    pub amount: Decimal,
    pub eligible: Decimal,
}

impl Sums {
    fn add(&mut self, l: &LineEval) {
        self.amount += l.amount;
        self.eligible += l.eligible;
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub total: Sums,
    pub per_year: BTreeMap<i16, Sums>,
    pub per_category: BTreeMap<String, Sums>,
    pub per_activity: BTreeMap<String, Sums>,
    /// "subsidie" or the co-financing organisation's id.
    pub per_funder: BTreeMap<String, Sums>,
}

pub fn summarise(lines: &[LineEval]) -> Summary {
    let mut s = Summary::default();
    for l in lines {
        s.total.add(l);
        s.per_year.entry(l.line.year).or_default().add(l);
        s.per_category.entry(l.line.category.clone()).or_default().add(l);
        s.per_activity.entry(l.line.activity.clone()).or_default().add(l);
        let funder = match (l.line.funding.source, &l.line.funding.by) {
            (FundingSource::Cofinancing, Some(by)) => by.clone(),
            _ => "subsidie".to_owned(),
        };
        s.per_funder.entry(funder).or_default().add(l);
    }
    s
}
