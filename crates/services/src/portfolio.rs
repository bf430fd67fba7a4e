//! The national portfolio: every region's submitted applications with where they stand at the
//! funder, the subsidy decided and what was paid on it, for the national team, the funder's
//! staff and the ministry; as a page, a CSV for Excel and the API.

use std::collections::HashMap;

use domain::assessment::AssessmentState;
use domain::assessment::decision::Outcome;
use domain::{Action, Actor};
use rust_decimal::Decimal;

use crate::assessments::queue::QueueItem;
use crate::{App, Result};

/// One region × phase of the programme.
#[derive(Debug, Clone)]
pub struct PortfolioRow {
    pub item: QueueItem,
    pub province: String,
    /// The subsidy of the current decision (zero before a decision, or for a rejection).
    pub decided: Decimal,
    /// Paid on the application's decisions, repayments subtracted.
    pub paid: Decimal,
}

impl PortfolioRow {
    pub fn state(&self) -> AssessmentState {
        self.item.state
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.item.outcome
    }
}

/// Every submitted application of the programme (phases the funder decides on), by region and phase.
pub async fn portfolio(app: &App, actor: &Actor) -> Result<Vec<PortfolioRow>> {
    actor.require(Action::ViewPortfolio)?;
    let mut conn = app.db.conn().await?;
    let items = crate::assessments::queue::items(app, &mut conn).await?;
    let provinces: HashMap<String, String> =
        store::regions::list(&mut conn, false).await?.into_iter().map(|r| (r.slug, r.province)).collect();
    let money: HashMap<String, (i64, i64)> =
        store::portfolio::amounts(&mut conn).await?.into_iter().map(|(id, d, p)| (id, (d, p))).collect();
    let mut rows: Vec<PortfolioRow> = items
        .into_iter()
        .map(|item| {
            let (decided, paid) = money.get(&item.application_id).copied().unwrap_or_default();
            PortfolioRow {
                province: provinces.get(&item.region_slug).cloned().unwrap_or_default(),
                decided: Decimal::new(decided, 2),
                paid: Decimal::new(paid, 2),
                item,
            }
        })
        .collect();
    let order = |phase: &str| app.current_regulation().ok().and_then(|r| r.phases.iter().position(|p| p.id == phase));
    rows.sort_by_cached_key(|r| (r.item.region_name.to_lowercase(), order(&r.item.phase)));
    Ok(rows)
}

/// The portfolio as CSV for Dutch Excel: a byte order mark, `;` between fields, CRLF line ends,
/// amounts with a decimal comma and no thousands separator.
pub fn csv(rows: &[PortfolioRow]) -> Result<String> {
    let mut out = String::from("\u{feff}");
    let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let amount = |d: Decimal| d.round_dp(2).to_string().replace('.', ",");
    let header =
        ["Regio", "Provincie", "Fase", "Status", "Uitkomst", "Laatst ingediend", "Besloten (EUR)", "Betaald (EUR)"];
    let mut records = vec![header.map(str::to_owned).to_vec()];
    for r in rows {
        let submitted = jiff::Timestamp::from_millisecond(r.item.submitted_at)
            .map(|t| domain::fmt::date_in_amsterdam(t).to_string())
            .unwrap_or_default();
        records.push(vec![
            r.item.region_name.clone(),
            r.province.clone(),
            r.item.phase_label.clone(),
            r.item.state.label().to_owned(),
            r.item.outcome.map(|o| o.label().to_owned()).unwrap_or_default(),
            submitted,
            amount(r.decided),
            amount(r.paid),
        ]);
    }
    let failed = |e: &dyn std::fmt::Display| crate::ServiceError::File(format!("CSV: {e}"));
    for record in records {
        w.write_record(&record).map_err(|e| failed(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| failed(&e))?;
    out.push_str(&String::from_utf8(bytes).map_err(|e| failed(&e))?);
    Ok(out)
}
