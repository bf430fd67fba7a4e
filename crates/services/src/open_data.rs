//! Open data on decisions: per region the funder's current decisions (reference, date, outcome,
//! the amount per year), published while the regulation's `open-data-decisions` parameter says so.
//! Who decided and the assessment itself stay internal.

use std::collections::HashMap;

use domain::assessment::decision::Outcome;
use domain::regulation::{Regulation, RegulationError};
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::{App, Result, corrupt};

/// One decision as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedDecision {
    pub region_slug: String,
    pub region_name: String,
    pub phase: String,
    pub phase_label: String,
    pub reference: String,
    pub decided_on: Date,
    pub outcome: Outcome,
    pub amounts: Vec<(i16, Decimal)>,
    pub total: Decimal,
}

/// Whether decisions are published today: not before the parameter's first value.
pub fn published(app: &App, reg: &Regulation) -> Result<bool> {
    match reg.decimal_at("open-data-decisions", app.today()?) {
        Ok((switch, _)) => Ok(switch == Decimal::ONE),
        Err(RegulationError::NoValueAt { .. }) => Ok(false),
        Err(e) => Err(corrupt(e)),
    }
}

/// The published decisions of one region (`None`: the whole programme), oldest first; `None`
/// when publishing is switched off.
pub async fn decisions(app: &App, region: Option<&str>) -> Result<Option<Vec<PublishedDecision>>> {
    let reg = app.current_regulation()?;
    if !published(app, reg)? {
        return Ok(None);
    }
    let mut conn = app.db.conn().await?;
    let mut where_: HashMap<String, (String, String, String)> = HashMap::new();
    for r in store::regions::list(&mut conn, false).await? {
        if region.is_some_and(|slug| slug != r.slug) {
            continue;
        }
        for draft in store::applications::for_region(&mut conn, &r.id).await? {
            where_.insert(draft.id, (r.slug.clone(), r.name.clone(), draft.phase));
        }
    }
    let mut out = Vec::new();
    for (application, row) in store::assessments::all_current_decisions(&mut conn).await? {
        let Some((slug, name, phase)) = where_.get(&application) else { continue };
        let d = crate::assessments::decisions::view(row)?;
        let amounts: Vec<(i16, Decimal)> = d.input.amounts.iter().map(|(y, a)| (*y, a.0)).collect();
        out.push(PublishedDecision {
            region_slug: slug.clone(),
            region_name: name.clone(),
            phase: phase.clone(),
            phase_label: reg.phase(phase).map_or_else(|| phase.clone(), |p| p.label.clone()),
            reference: d.input.reference.clone(),
            decided_on: d.input.decided_on,
            outcome: d.input.outcome,
            total: amounts.iter().map(|(_, a)| a).sum(),
            amounts,
        });
    }
    Ok(Some(out))
}

/// The decisions as CSV for Dutch Excel: one row per decision and year (a rejection has one row
/// without a year), `;`, CRLF, a byte order mark, amounts with a decimal comma.
pub fn csv(list: &[PublishedDecision]) -> Result<String> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let failed = |e: &dyn std::fmt::Display| crate::ServiceError::File(format!("CSV: {e}"));
    let header = ["Regio", "Fase", "Kenmerk", "Besluitdatum", "Uitkomst", "Jaar", "Bedrag (EUR)"];
    w.write_record(header).map_err(|e| failed(&e))?;
    let amount = |d: Decimal| d.round_dp(2).to_string().replace('.', ",");
    for d in list {
        let base = [&d.region_name, &d.phase_label, &d.reference].map(|s| s.to_string());
        let years: Vec<(String, String)> = if d.amounts.is_empty() {
            vec![(String::new(), amount(Decimal::ZERO))]
        } else {
            d.amounts.iter().map(|(y, a)| (y.to_string(), amount(*a))).collect()
        };
        for (year, value) in years {
            let mut record = base.to_vec();
            record.extend([d.decided_on.to_string(), d.outcome.label().to_owned(), year, value]);
            w.write_record(&record).map_err(|e| failed(&e))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| failed(&e))?;
    Ok(format!("\u{feff}{}", String::from_utf8(bytes).map_err(|e| failed(&e))?))
}
