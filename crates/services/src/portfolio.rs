//! The national portfolio: every region's submitted applications with where they stand at the
//! funder, the subsidy decided and what was paid on it, for the national team, the funder's
//! staff and the ministry; as a page, a CSV for Excel and the API.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use docs::table::{Cell, Column, Sheet};
use domain::assessment::AssessmentState;
use domain::assessment::decision::Outcome;
use domain::execution::{self, MilestoneState};
use domain::{Action, Actor, Region};
use rust_decimal::Decimal;
use store::AnyConnection;

use crate::assessments::queue::QueueItem;
use crate::{App, Result, corrupt};

/// One region × phase of the programme.
#[derive(Debug, Clone)]
pub struct PortfolioRow {
    pub item: QueueItem,
    pub province: String,
    /// The subsidy of the current decision (zero before a decision, or for a rejection).
    pub decided: Decimal,
    /// Paid on the application's decisions, repayments subtracted.
    pub paid: Decimal,
    /// The subsidy spent so far (eligible realised costs not paid by companies) in the years
    /// this phase's plan holds for.
    pub realised: Decimal,
    /// Change requests in the works on this phase.
    pub open_changes: i64,
    /// The region's execution as a whole (the same on each of its rows).
    pub region: RegionFigures,
}

impl PortfolioRow {
    pub fn state(&self) -> AssessmentState {
        self.item.state
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.item.outcome
    }
}

/// A region's execution so far, where a decision granted it subsidy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionFigures {
    /// Realised company co-financing as a share of the realised eligible costs; `None` before
    /// anything was realised.
    pub cofinancing_share: Option<Decimal>,
    /// Below the regulation's minimum share.
    pub cofinancing_short: bool,
    pub overdue_milestones: usize,
    /// Reports past their date and not submitted.
    pub overdue_reports: usize,
}

/// The programme in one budget year: decided on current decisions, paid for it, and spent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearTotals {
    pub year: i16,
    pub decided: Decimal,
    pub paid: Decimal,
    pub realised: Decimal,
}

#[derive(Debug, Clone)]
pub struct Portfolio {
    pub rows: Vec<PortfolioRow>,
    pub per_year: Vec<YearTotals>,
    /// The regulation's minimum co-financing share.
    pub minimum_share: Decimal,
}

/// What execution says of one region: its figures and the subsidy spent per (phase, year).
struct Execution {
    figures: RegionFigures,
    spent: BTreeMap<i16, (String, Decimal)>,
}

async fn execution_of(
    app: &App,
    conn: &mut AnyConnection,
    region: &Region,
    (minimum, overdue_reports): (Decimal, usize),
) -> Result<Execution> {
    let reg = app.current_regulation()?;
    let approved = crate::execution::approved(app, conn, region).await?;
    let records = crate::execution::all_records(conn, &region.id).await?;
    let years = crate::execution::years_to_date(app)?;
    let s = execution::spending(reg, &approved.application, &records, &years).map_err(corrupt)?;
    let milestones = crate::execution::milestone_views(app, conn, region, &approved.application).await?;
    let share = (!s.eligible.is_zero()).then_some(s.cofinancing_share);
    Ok(Execution {
        figures: RegionFigures {
            cofinancing_share: share,
            cofinancing_short: share.is_some_and(|s| s < minimum),
            overdue_milestones: milestones.iter().filter(|m| m.state == MilestoneState::Overdue).count(),
            overdue_reports,
        },
        spent: s
            .spent_per_year
            .into_iter()
            .filter_map(|(y, d)| approved.sources.get(&y).map(|phase| (y, (phase.clone(), d))))
            .collect(),
    })
}

/// Every submitted application of the programme (phases the funder decides on), by region and
/// phase, with the execution of each region a decision granted subsidy, and the totals per year.
pub async fn portfolio(app: &App, actor: &Actor) -> Result<Portfolio> {
    actor.require(Action::ViewPortfolio)?;
    let mut conn = app.db.conn().await?;
    let reg = app.current_regulation()?;
    let (minimum, _) = reg.decimal_at("cofinancing-minimum-share", reg.start()).map_err(corrupt)?;
    let items = crate::assessments::queue::items(app, &mut conn).await?;
    let provinces: HashMap<String, String> =
        store::regions::list(&mut conn, false).await?.into_iter().map(|r| (r.slug, r.province)).collect();
    let money: HashMap<String, (i64, i64)> =
        store::portfolio::amounts(&mut conn).await?.into_iter().map(|(id, d, p)| (id, (d, p))).collect();
    let open: HashMap<String, i64> =
        store::change_requests::open_per_application(&mut conn).await?.into_iter().collect();
    let granted: BTreeSet<&str> =
        items.iter().filter(|i| i.outcome.is_some_and(|o| o.grants())).map(|i| i.region_slug.as_str()).collect();
    let mut regions = Vec::new();
    for slug in granted {
        regions.extend(store::regions::by_slug(&mut conn, slug).await?);
    }
    let ids: Vec<&str> = regions.iter().map(|r| r.id.as_str()).collect();
    let overdue = crate::reports::overdue_per_region(app, &mut conn, &ids).await?;
    drop(conn);
    // Each region's execution on a task of its own, so the rules run on every core.
    let tasks: Vec<_> = regions
        .into_iter()
        .map(|region| {
            let app = app.clone();
            let reports = overdue.get(&region.id).copied().unwrap_or_default();
            tokio::spawn(async move {
                let mut conn = app.db.conn().await?;
                let e = execution_of(&app, &mut conn, &region, (minimum, reports)).await?;
                Ok::<_, crate::ServiceError>((region.slug, e))
            })
        })
        .collect();
    let mut executions: HashMap<String, Execution> = HashMap::new();
    for task in tasks {
        let (slug, e) = task.await.map_err(|e| crate::ServiceError::File(format!("portefeuille: {e}")))??;
        executions.insert(slug, e);
    }
    let mut conn = app.db.conn().await?;
    let mut rows: Vec<PortfolioRow> = items
        .into_iter()
        .map(|item| {
            let (decided, paid) = money.get(&item.application_id).copied().unwrap_or_default();
            let execution = executions.get(&item.region_slug);
            let realised = execution
                .map(|e| e.spent.values().filter(|(phase, _)| *phase == item.phase).map(|(_, d)| *d).sum())
                .unwrap_or_default();
            PortfolioRow {
                province: provinces.get(&item.region_slug).cloned().unwrap_or_default(),
                decided: Decimal::new(decided, 2),
                paid: Decimal::new(paid, 2),
                realised,
                open_changes: open.get(&item.application_id).copied().unwrap_or_default(),
                region: execution.map(|e| e.figures.clone()).unwrap_or_default(),
                item,
            }
        })
        .collect();
    let order = |phase: &str| reg.phases.iter().position(|p| p.id == phase);
    rows.sort_by_cached_key(|r| (r.item.region_name.to_lowercase(), order(&r.item.phase)));
    let mut per_year: BTreeMap<i16, YearTotals> =
        reg.years.iter().map(|y| (*y, YearTotals { year: *y, ..YearTotals::default() })).collect();
    for (year, decided, paid) in store::portfolio::per_year(&mut conn).await? {
        if let Some(t) = i16::try_from(year).ok().and_then(|y| per_year.get_mut(&y)) {
            t.decided = Decimal::new(decided, 2);
            t.paid = Decimal::new(paid, 2);
        }
    }
    for e in executions.values() {
        for (year, (_, spent)) in &e.spent {
            if let Some(t) = per_year.get_mut(year) {
                t.realised += spent;
            }
        }
    }
    Ok(Portfolio { rows, per_year: per_year.into_values().collect(), minimum_share: minimum })
}

/// The portfolio as tables: every row, and the programme per year.
fn sheets(p: &Portfolio) -> [Sheet; 2] {
    let col = |title, width, total| Column { title, width, total };
    let date = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms).map_or(Cell::Empty, |t| Cell::Date(domain::fmt::date_in_amsterdam(t)))
    };
    let rows = p
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.item.region_name.clone()),
                Cell::Text(r.province.clone()),
                Cell::Text(r.item.phase_label.clone()),
                Cell::Text(r.item.state.label().to_owned()),
                Cell::Text(r.item.outcome.map(|o| o.label().to_owned()).unwrap_or_default()),
                date(r.item.submitted_at),
                Cell::Euro(r.decided),
                Cell::Euro(r.paid),
                Cell::Euro(r.realised),
                r.region.cofinancing_share.map_or(Cell::Empty, Cell::Percent),
                Cell::Whole(i64::try_from(r.region.overdue_milestones).unwrap_or(i64::MAX)),
                Cell::Whole(i64::try_from(r.region.overdue_reports).unwrap_or(i64::MAX)),
                Cell::Whole(r.open_changes),
            ]
        })
        .collect();
    let years = p
        .per_year
        .iter()
        .map(|y| {
            vec![Cell::Text(y.year.to_string()), Cell::Euro(y.decided), Cell::Euro(y.paid), Cell::Euro(y.realised)]
        })
        .collect();
    [
        Sheet {
            name: "Portefeuille",
            columns: vec![
                col("Regio", 28.0, false),
                col("Provincie", 16.0, false),
                col("Fase", 34.0, false),
                col("Status", 18.0, false),
                col("Uitkomst", 16.0, false),
                col("Laatst ingediend", 16.0, false),
                col("Besloten", 16.0, true),
                col("Betaald", 16.0, true),
                col("Besteed", 16.0, true),
                col("Cofinanciering regio", 12.0, false),
                col("Mijlpalen te laat (regio)", 12.0, false),
                col("Rapportages te laat (regio)", 12.0, false),
                col("Wijzigingen open", 12.0, true),
            ],
            rows,
        },
        Sheet {
            name: "Per jaar",
            columns: vec![
                col("Jaar", 10.0, false),
                col("Besloten", 16.0, true),
                col("Betaald", 16.0, true),
                col("Besteed", 16.0, true),
            ],
            rows: years,
        },
    ]
}

/// The portfolio as a workbook: the rows and the programme per year, totals as formulas.
pub fn xlsx(p: &Portfolio) -> Result<Vec<u8>> {
    docs::table::workbook(&sheets(p)).map_err(|e| crate::ServiceError::File(format!("XLSX: {e}")))
}

/// The portfolio as CSV for Dutch Excel (`docs::table::csv_nl`).
pub fn csv(p: &Portfolio) -> Result<String> {
    let [sheet, _] = sheets(p);
    docs::table::csv_nl(&sheet).map_err(|e| crate::ServiceError::File(format!("CSV: {e}")))
}
