//! Realisation and settlement: the recorded work as realised lines, judged by the same engine
//! that judged the budget, compared with what was approved, and settled.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{ContributionKind, Records};
use crate::regulation::Regulation;
use crate::regulation::application::{Amount, Application, BudgetLine, Funding, FundingSource};
use crate::regulation::check::{self, CheckError, LineEval};
use crate::regulation::summary::{Sums, summarise};

fn line(
    activity: &str,
    date: Date,
    category: &str,
    description: String,
    (quantity, price): (Decimal, Decimal),
) -> BudgetLine {
    BudgetLine {
        activity: activity.to_owned(),
        year: date.year(),
        category: category.to_owned(),
        description,
        quantity: Amount(quantity),
        unit: if category.starts_with("staff") { "uur".into() } else { "post".into() },
        unit_price_eur: Amount(price),
        funding: Funding { source: FundingSource::Subsidy, by: None, in_kind: false },
        school_plan: None,
        date: Some(date),
    }
}

/// The realised figures as an application: the approved one's region, organisations and
/// activities, with one dated line per hour entry, invoice, year of depreciation and in-kind
/// contribution. Lines are in that order. A cash contribution is no line: it pays for costs
/// already recorded, so it moves part of them from subsidy to co-financing (see [`Totals`]).
pub fn realised(approved: &Application, records: &Records, years: &[i16]) -> Application {
    let mut app = approved.clone();
    let mut budget = Vec::with_capacity(records.hours.len() + records.costs.len() + records.contributions.len());
    for h in &records.hours {
        let category = if h.external { "staff-external" } else { "staff-internal" };
        budget.push(line(&h.activity, h.date, category, h.person.clone(), (h.hours, h.rate_eur)));
    }
    for c in &records.costs {
        let text = format!("{} {}: {}", c.supplier, c.invoice_number, c.description);
        budget.push(line(&c.activity, c.invoice_date, &c.category, text, (Decimal::ONE, c.cost())));
    }
    for a in &records.assets {
        for (year, amount) in a.depreciation(years) {
            let date = jiff::civil::date(year, 1, 1).max(a.purchase_date);
            let text = format!("Afschrijving {} ({year})", a.description);
            budget.push(line(&a.activity, date, "depreciation", text, (Decimal::ONE, amount)));
        }
    }
    for c in records.contributions.iter().filter(|c| c.kind == ContributionKind::InKind) {
        let mut l = line(&c.activity, c.date, "other", c.basis.clone(), (Decimal::ONE, c.amount_eur));
        l.funding = Funding { source: FundingSource::Cofinancing, by: Some(c.company.clone()), in_kind: true };
        budget.push(l);
    }
    app.budget = budget;
    app
}

/// Cash contributions per company.
fn cash_by_company(records: &Records) -> BTreeMap<String, Decimal> {
    let mut m = BTreeMap::new();
    for c in records.contributions.iter().filter(|c| c.kind == ContributionKind::Cash) {
        *m.entry(c.company.clone()).or_insert(Decimal::ZERO) += c.amount_eur;
    }
    m
}

/// The realised totals: the rules engine's totals on the realised application, with cash
/// contributions counted once, as co-financing instead of subsidy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub eligible: Decimal,
    pub subsidy: Decimal,
    pub cofinancing: Decimal,
}

fn realised_totals(reg: &Regulation, realised: &Application, records: &Records) -> Result<Totals, CheckError> {
    Ok(totals_of(realised, &check::evaluate_lines(reg, realised)?, records))
}

/// The engine's totals of realised lines already evaluated; the rules' verdicts are about
/// applications, not realisation. Cash from companies moves from subsidy to co-financing.
fn totals_of(realised: &Application, lines: &[check::LineEval], records: &Records) -> Totals {
    let t = check::totals(realised, lines, None);
    let cash: Decimal = cash_by_company(records).values().sum();
    Totals {
        eligible: t.eligible_costs.0,
        subsidy: (t.subsidy_requested.0 - cash).max(Decimal::ZERO),
        cofinancing: t.cofinancing.0 + cash,
    }
}

/// Company co-financing as a share of the realised eligible costs, to four decimals.
fn cofinancing_share(t: &Totals) -> Decimal {
    if t.eligible.is_zero() { Decimal::ZERO } else { (t.cofinancing / t.eligible).round_dp(4) }
}

/// One row of the comparison: what was approved, what is realised (eligible), and the difference.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Against {
    pub approved: Decimal,
    pub realised: Decimal,
}

impl Against {
    /// What is not (yet) spent of the approved amount.
    pub fn unspent(&self) -> Decimal {
        self.approved - self.realised
    }
}

/// Realisation against the approved budget, per activity, year, category and funder (eligible amounts).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Serialize)]
pub struct Realisation {
    pub total: Against,
    pub per_activity: BTreeMap<String, Against>,
    /// Keyed by the year as text, as JSON keys are.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Against>))]
    pub per_year: BTreeMap<i16, Against>,
    pub per_category: BTreeMap<String, Against>,
    pub per_funder: BTreeMap<String, Against>,
    /// Company co-financing realised and its share of the realised eligible costs.
    pub cofinancing: Decimal,
    pub cofinancing_share: Decimal,
    pub cofinancing_minimum_share: Decimal,
    /// The realised eligible costs extrapolated to the end of the period, at the pace so far;
    /// `None` before the period has begun.
    pub forecast: Option<Decimal>,
    /// Each realised line's eligible amount, in the order of the realised application's lines.
    pub lines: Vec<LineOutcome>,
}

/// What the regulation makes of one realised line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineOutcome {
    pub amount: Decimal,
    pub eligible: Decimal,
    /// The rate cap valid on the line's day, when its category has one.
    pub cap: Option<Decimal>,
    /// The excess over the cap: the region's own cost.
    pub own_cost: Decimal,
    /// A Dutch sentence with the numbers and the parameter, for a line above its cap.
    pub explanation: Option<String>,
}

fn outcome(l: &LineEval) -> LineOutcome {
    let cap = l.cap.map(|(c, _, _)| c);
    let explanation = l.above_cap().then(|| {
        let (c, v, id) = l.cap.expect("above a cap");
        format!(
            "Het tarief {} ligt boven het maximum van {} per uur dat op {} gold ({id}, geldig vanaf {}; bron: {}). \
             Subsidiabel is {} × {} = {}; {} komt voor eigen rekening.",
            crate::fmt::euro_nl(l.line.unit_price_eur.0),
            crate::fmt::euro_nl(c),
            l.line.date.map(crate::fmt::date_nl).unwrap_or_else(|| l.line.year.to_string()),
            crate::fmt::date_nl(v.valid_from),
            v.source,
            crate::fmt::decimal_nl(l.line.quantity.0),
            crate::fmt::euro_nl(c),
            crate::fmt::euro_nl(l.eligible),
            crate::fmt::euro_nl(l.amount - l.eligible)
        )
    });
    LineOutcome { amount: l.amount, eligible: l.eligible, cap, own_cost: l.amount - l.eligible, explanation }
}

fn against<K: Ord + Clone>(approved: &BTreeMap<K, Sums>, realised: &BTreeMap<K, Sums>) -> BTreeMap<K, Against> {
    let mut out: BTreeMap<K, Against> = BTreeMap::new();
    for (k, s) in approved {
        out.entry(k.clone()).or_default().approved = s.eligible;
    }
    for (k, s) in realised {
        out.entry(k.clone()).or_default().realised = s.eligible;
    }
    out
}

/// Compares what is recorded with the approved application, as of `today`; equipment counts
/// with its depreciation in `years` (all of the regulation's, or one for a progress report).
pub fn realisation(
    reg: &Regulation,
    approved: &Application,
    records: &Records,
    (years, today): (&[i16], Date),
) -> Result<Realisation, CheckError> {
    let realised = realised(approved, records, years);
    let planned = check::evaluate_lines(reg, approved)?;
    let done = check::evaluate_lines(reg, &realised)?;
    let (p, mut r) = (summarise(&planned), summarise(&done));
    for (company, cash) in cash_by_company(records) {
        // Cash pays for costs recorded as subsidy-funded: it moves, it does not add.
        r.per_funder.entry(company).or_default().eligible += cash;
        r.per_funder.entry("subsidie".to_owned()).or_default().eligible -= cash;
    }
    let totals = realised_totals(reg, &realised, records)?;
    let (minimum, _) = reg.decimal_at("cofinancing-minimum-share", reg.start())?;
    let share = cofinancing_share(&totals);
    Ok(Realisation {
        // The realised total is the one the settlement reads, from the same function.
        total: Against { approved: p.total.eligible, realised: totals.eligible },
        per_activity: against(&p.per_activity, &r.per_activity),
        per_year: against(&p.per_year, &r.per_year),
        per_category: against(&p.per_category, &r.per_category),
        per_funder: against(&p.per_funder, &r.per_funder),
        cofinancing: totals.cofinancing,
        cofinancing_share: share,
        cofinancing_minimum_share: minimum,
        forecast: forecast(reg, totals.eligible, today),
        lines: done.iter().map(outcome).collect(),
    })
}

/// The pace so far (per day since the period began) carried on to the end of the period.
fn forecast(reg: &Regulation, realised: Decimal, today: Date) -> Option<Decimal> {
    let start = reg.start();
    let end = jiff::civil::date(reg.years.last().copied().unwrap_or(start.year()), 12, 31);
    let elapsed = start.until(today.min(end)).ok()?.get_days();
    let whole = start.until(end).ok()?.get_days();
    (elapsed > 0).then(|| crate::fmt::round_cents(realised * Decimal::from(whole) / Decimal::from(elapsed)))
}

/// The subsidy granted: what the approved application asks (the decided amount for a year the
/// funder decided on), within the region's maximum.
pub fn granted(
    reg: &Regulation,
    approved: &Application,
    decided: &BTreeMap<i16, Decimal>,
) -> Result<Decimal, CheckError> {
    let t = check::check(reg, approved)?.totals;
    // A year the funder decided on counts its decided amount, not what its lines ask.
    let mut requested = t.subsidy_requested.0;
    for l in check::evaluate_lines(reg, approved)? {
        if decided.contains_key(&l.line.year) && l.line.funding.source == FundingSource::Subsidy {
            requested -= l.eligible;
        }
    }
    requested += decided.values().copied().sum::<Decimal>();
    Ok(t.region_maximum.map_or(requested, |m| requested.min(m.0)))
}

/// The settlement (vaststelling) the rules engine arrives at on the realised figures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// The subsidy granted (the approved application's subsidy, within the region's maximum).
    pub granted: Decimal,
    /// Eligible realised costs paid from the subsidy.
    pub realised_subsidy: Decimal,
    pub realised_eligible: Decimal,
    pub cofinancing: Decimal,
    pub cofinancing_required: Decimal,
    /// Co-financing missing under the minimum share; it lowers the subsidy.
    pub shortfall: Decimal,
    /// The subsidy established: the realised subsidy up to the grant, less the shortfall.
    pub settled: Decimal,
    /// What was paid in advance.
    pub received: Decimal,
    /// To be paid back (received above settled), or still to be paid (negative).
    pub to_repay: Decimal,
}

/// Settles the subsidy: what the regulation allows on the realised figures, never more than the
/// grant, lowered by any co-financing shortfall (DOMAIN.md §4: "a shortfall lowers the subsidy at
/// settlement"; Sterk lowers it by the amount missing, an assumption to confirm with the funder).
/// `years` are the years whose depreciation counts, as for [`realisation`]: before the period
/// ends the settlement is provisional and counts only the years begun.
pub fn settle(
    reg: &Regulation,
    (approved, decided): (&Application, &BTreeMap<i16, Decimal>),
    records: &Records,
    (years, received): (&[i16], Decimal),
) -> Result<Settlement, CheckError> {
    let granted = granted(reg, approved, decided)?;
    let t = realised_totals(reg, &realised(approved, records, years), records)?;
    let (minimum, _) = reg.decimal_at("cofinancing-minimum-share", reg.start())?;
    let required = crate::fmt::round_cents(t.eligible * minimum);
    let shortfall = (required - t.cofinancing).max(Decimal::ZERO);
    let settled = (t.subsidy.min(granted) - shortfall).max(Decimal::ZERO);
    Ok(Settlement {
        granted,
        realised_subsidy: t.subsidy,
        realised_eligible: t.eligible,
        cofinancing: t.cofinancing,
        cofinancing_required: required,
        shortfall,
        settled,
        received,
        to_repay: received - settled,
    })
}

/// The subsidy spent per year (eligible realised costs not paid by companies): for the lead
/// applicant's annual accounts, where the subsidy is purpose-bound (received, spent, remaining).
pub fn subsidy_spent_per_year(
    reg: &Regulation,
    approved: &Application,
    records: &Records,
    years: &[i16],
) -> Result<BTreeMap<i16, Decimal>, CheckError> {
    let realised = realised(approved, records, years);
    Ok(spent_of(reg, &check::evaluate_lines(reg, &realised)?, records))
}

fn spent_of(reg: &Regulation, lines: &[check::LineEval], records: &Records) -> BTreeMap<i16, Decimal> {
    let mut per_year: BTreeMap<i16, Decimal> = reg.years.iter().map(|y| (*y, Decimal::ZERO)).collect();
    for l in lines.iter().filter(|l| l.line.funding.source == FundingSource::Subsidy) {
        *per_year.entry(l.line.year).or_default() += l.eligible;
    }
    for c in records.contributions.iter().filter(|c| c.kind == ContributionKind::Cash) {
        *per_year.entry(c.date.year()).or_default() -= c.amount_eur;
    }
    per_year
}

/// What the programme's portfolio reads of a region, from one pass over its realised lines: the
/// realised eligible costs, the co-financing share, and the subsidy spent per year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spending {
    pub eligible: Decimal,
    pub cofinancing_share: Decimal,
    pub spent_per_year: BTreeMap<i16, Decimal>,
}

pub fn spending(
    reg: &Regulation,
    approved: &Application,
    records: &Records,
    years: &[i16],
) -> Result<Spending, CheckError> {
    let realised = realised(approved, records, years);
    let lines = check::evaluate_lines(reg, &realised)?;
    let totals = totals_of(&realised, &lines, records);
    Ok(Spending {
        eligible: totals.eligible,
        cofinancing_share: cofinancing_share(&totals),
        spent_per_year: spent_of(reg, &lines, records),
    })
}

/// Keeps only what falls in `year`: records dated in it, and the approved lines of that year
/// (equipment stays: count it with `realisation(…, (&[year], …))`).
pub fn for_year(approved: &Application, records: &Records, year: i16) -> (Application, Records) {
    let mut a = approved.clone();
    a.budget.retain(|l| l.year == year);
    let in_year = |d: Date| d.year() == year;
    let r = Records {
        hours: records.hours.iter().filter(|h| in_year(h.date)).cloned().collect(),
        costs: records.costs.iter().filter(|c| in_year(c.invoice_date)).cloned().collect(),
        // Equipment counts through its depreciation per year, so every asset stays.
        assets: records.assets.clone(),
        contributions: records.contributions.iter().filter(|c| in_year(c.date)).cloned().collect(),
    };
    (a, r)
}
