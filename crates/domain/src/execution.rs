//! Execution and accountability (uitvoering en verantwoording): what a region records while it
//! runs its plan (hours, costs, equipment, company contributions) turned into realised lines of
//! the exchange format, so the regulation's own line evaluation caps rates by the day worked and
//! the same checks judge the realised figures as judged the budget. Pure: no IO.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::regulation::Regulation;
use crate::regulation::application::{Amount, Application, BudgetLine, Funding, FundingSource};
use crate::regulation::check::{self, CheckError, LineEval};
use crate::regulation::summary::{Sums, summarise};

/// The four kinds of recorded work, with the names the pages and the API give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Hours,
    Costs,
    Assets,
    Contributions,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] =
        [RecordKind::Hours, RecordKind::Costs, RecordKind::Assets, RecordKind::Contributions];

    /// The page's address: `/regio/{slug}/uitvoering/{path}`.
    pub fn path(self) -> &'static str {
        match self {
            RecordKind::Hours => "uren",
            RecordKind::Costs => "kosten",
            RecordKind::Assets => "apparatuur",
            RecordKind::Contributions => "bijdragen",
        }
    }

    /// The API's collection: `/api/v1/regions/{slug}/{api_path}`.
    pub fn api_path(self) -> &'static str {
        match self {
            RecordKind::Hours => "hours",
            RecordKind::Costs => "costs",
            RecordKind::Assets => "assets",
            RecordKind::Contributions => "contributions",
        }
    }

    /// The `kind` one record of the API carries.
    pub fn api_name(self) -> &'static str {
        match self {
            RecordKind::Hours => "hours",
            RecordKind::Costs => "cost",
            RecordKind::Assets => "asset",
            RecordKind::Contributions => "contribution",
        }
    }

    pub fn from_path(path: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.path() == path)
    }

    pub fn from_api_path(path: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.api_path() == path)
    }
}

/// Hours worked for an activity, at an hourly rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourEntry {
    pub person: String,
    /// The organisation the person works for (organisation id).
    pub organisation: String,
    pub activity: String,
    pub date: Date,
    pub hours: Decimal,
    pub rate_eur: Decimal,
    /// Hired from outside (the external rate cap applies) rather than own staff.
    pub external: bool,
    #[serde(default)]
    pub note: String,
}

/// An invoice paid for an activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostEntry {
    pub invoice_number: String,
    pub invoice_date: Date,
    pub supplier: String,
    pub description: String,
    /// A category of the regulation (not hours, not equipment: those have their own records).
    pub category: String,
    pub activity: String,
    /// The organisation that paid.
    pub organisation: String,
    pub amount_eur: Decimal,
    pub vat_eur: Decimal,
    /// VAT the organisation gets back is not a cost; VAT it cannot reclaim is.
    pub vat_recoverable: bool,
}

impl CostEntry {
    /// What the invoice costs the project: the amount, plus VAT that is not reclaimed.
    pub fn cost(&self) -> Decimal {
        if self.vat_recoverable { self.amount_eur } else { self.amount_eur + self.vat_eur }
    }
}

/// Equipment bought for the project: only its depreciation counts, for the project's share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub description: String,
    pub activity: String,
    pub organisation: String,
    pub purchase_date: Date,
    pub purchase_price_eur: Decimal,
    /// Economic life in months (straight-line depreciation from the month of purchase).
    pub life_months: u32,
    /// The part used for the project, from 0 to 1.
    pub project_share: Decimal,
}

impl Asset {
    /// Depreciation counted per calendar year of `years`: straight line per month from the month
    /// of purchase, times the project share. Never more than the price times the share.
    pub fn depreciation(&self, years: &[i16]) -> BTreeMap<i16, Decimal> {
        let mut out = BTreeMap::new();
        if self.life_months == 0 {
            return out;
        }
        let per_month = self.purchase_price_eur * self.project_share / Decimal::from(self.life_months);
        let start = i32::from(self.purchase_date.year()) * 12 + i32::from(self.purchase_date.month()) - 1;
        let end = start + self.life_months as i32; // exclusive
        for &year in years {
            let (from, to) = (i32::from(year) * 12, i32::from(year) * 12 + 12);
            let months = (end.min(to) - start.max(from)).max(0);
            if months > 0 {
                out.insert(year, crate::fmt::round_cents(per_month * Decimal::from(months)));
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContributionKind {
    Cash,
    InKind,
}

/// A company's co-financing, in money or in kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The company (organisation id).
    pub company: String,
    pub activity: String,
    pub date: Date,
    pub kind: ContributionKind,
    pub amount_eur: Decimal,
    /// How an in-kind contribution is valued, e.g. "24 uur × € 85".
    #[serde(default)]
    pub basis: String,
    /// What proves it (a letter, an invoice number, a timesheet).
    #[serde(default)]
    pub evidence: String,
}

/// Everything recorded for a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Records {
    pub hours: Vec<HourEntry>,
    pub costs: Vec<CostEntry>,
    pub assets: Vec<Asset>,
    pub contributions: Vec<Contribution>,
}

fn positive(e: &mut FieldErrors, field: &str, label: &str, value: Decimal) {
    if value.is_sign_negative() {
        e.add(field, format!("{label} is niet negatief."));
    }
}

impl HourEntry {
    pub fn validate(&self, activities: &[String]) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(&mut e, "person", "de naam van de medewerker", &self.person, 120);
        if !activities.contains(&self.activity) {
            e.add("activity", "Kies een activiteit van de aanvraag.");
        }
        positive(&mut e, "hours", "Het aantal uren", self.hours);
        if self.hours > Decimal::from(24) {
            e.add("hours", "Meer dan 24 uur op één dag kan niet.");
        }
        positive(&mut e, "rate_eur", "Het uurtarief", self.rate_eur);
        e
    }
}

impl CostEntry {
    pub fn validate(&self, reg: &Regulation, activities: &[String]) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(&mut e, "invoice_number", "het factuurnummer", &self.invoice_number, 60);
        crate::validation::required(&mut e, "supplier", "de leverancier", &self.supplier, 200);
        if !activities.contains(&self.activity) {
            e.add("activity", "Kies een activiteit van de aanvraag.");
        }
        match reg.category(&self.category) {
            Some(c) if c.rate_cap.is_some() => e.add("category", "Uren registreert u bij de uren, niet als factuur."),
            Some(c) if c.forbidden => {
                e.add("category", "Apparatuur telt alleen via afschrijving: registreer het als apparatuur.")
            }
            Some(_) => {}
            None => e.add("category", "Kies een kostensoort van de regeling."),
        }
        positive(&mut e, "amount_eur", "Het bedrag", self.amount_eur);
        positive(&mut e, "vat_eur", "De btw", self.vat_eur);
        e
    }
}

impl Asset {
    pub fn validate(&self, activities: &[String]) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(&mut e, "description", "de omschrijving", &self.description, 200);
        if !activities.contains(&self.activity) {
            e.add("activity", "Kies een activiteit van de aanvraag.");
        }
        positive(&mut e, "purchase_price_eur", "De aanschafprijs", self.purchase_price_eur);
        if self.life_months == 0 || self.life_months > 600 {
            e.add("life_months", "Geef de economische levensduur in maanden (1 tot 600).");
        }
        if self.project_share <= Decimal::ZERO || self.project_share > Decimal::ONE {
            e.add("project_share", "Het projectdeel ligt tussen 0 en 100%.");
        }
        e
    }
}

impl Contribution {
    pub fn validate(&self, companies: &[String], activities: &[String]) -> FieldErrors {
        let mut e = FieldErrors::default();
        if !companies.contains(&self.company) {
            e.add("company", "Kies het bedrijf uit de deelnemers van de regio.");
        }
        if !activities.contains(&self.activity) {
            e.add("activity", "Kies een activiteit van de aanvraag.");
        }
        positive(&mut e, "amount_eur", "Het bedrag", self.amount_eur);
        if self.kind == ContributionKind::InKind && self.basis.trim().is_empty() {
            e.add("basis", "Geef de waardering van een bijdrage in natura, bijvoorbeeld 24 uur × € 85.");
        }
        e
    }
}

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

/// A milestone's state as of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneState {
    Planned,
    Achieved,
    /// Achieved after its due date.
    AchievedLate,
    /// Past due and not achieved.
    Overdue,
}

impl MilestoneState {
    pub fn of(due: Date, achieved: Option<Date>, today: Date) -> MilestoneState {
        match achieved {
            Some(d) if d > due => MilestoneState::AchievedLate,
            Some(_) => MilestoneState::Achieved,
            None if today > due => MilestoneState::Overdue,
            None => MilestoneState::Planned,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MilestoneState::Planned => "Gepland",
            MilestoneState::Achieved => "Behaald",
            MilestoneState::AchievedLate => "Te laat behaald",
            MilestoneState::Overdue => "Te laat",
        }
    }
}

/// Budget moved from one category to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetMove {
    pub from_category: String,
    pub to_category: String,
    pub amount_eur: Decimal,
}

/// A change to the approved plan, recorded for the duty to report (meldplicht).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeNotice {
    pub date: Option<Date>,
    /// What changed and why, in the region's words.
    pub description: String,
    #[serde(default)]
    pub goals_dropped: Vec<String>,
    #[serde(default)]
    pub goals_added: Vec<String>,
    /// Activities (ids) that will not be carried out.
    #[serde(default)]
    pub activities_dropped: Vec<String>,
    /// Activities (ids) that run late.
    #[serde(default)]
    pub activities_late: Vec<String>,
    #[serde(default)]
    pub moves: Vec<BudgetMove>,
}

impl ChangeNotice {
    /// Why the change is substantial and must be reported to the funder (DOMAIN.md §4 and §5):
    /// goals dropped or added, activities not carried out, budget moved to overhead. Empty when
    /// none applies.
    pub fn substantial(&self, reg: &Regulation) -> Vec<String> {
        let label = |id: &str| reg.category(id).map_or(id.to_owned(), |c| c.label.to_lowercase());
        let mut why = Vec::new();
        if !self.goals_dropped.is_empty() || !self.goals_added.is_empty() {
            why.push(format!(
                "Doelen gewijzigd ({} vervallen, {} toegevoegd).",
                self.goals_dropped.len(),
                self.goals_added.len()
            ));
        }
        if !self.activities_dropped.is_empty() {
            why.push(format!("{} activiteit(en) worden niet uitgevoerd.", self.activities_dropped.len()));
        }
        for m in self.moves.iter().filter(|m| m.to_category == "overhead" && m.from_category != "overhead") {
            why.push(format!(
                "{} verschoven van {} naar {}: een verschuiving naar overhead is meldplichtig.",
                crate::fmt::euro_nl(m.amount_eur),
                label(&m.from_category),
                label(&m.to_category)
            ));
        }
        why
    }

    pub fn validate(&self, reg: &Regulation, activities: &[String]) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(
            &mut e,
            "description",
            "een beschrijving van de wijziging",
            &self.description,
            10_000,
        );
        for a in self.activities_dropped.iter().chain(&self.activities_late) {
            if !activities.contains(a) {
                e.add("activities", format!("Onbekende activiteit \"{a}\"."));
            }
        }
        for (i, m) in self.moves.iter().enumerate() {
            if reg.category(&m.from_category).is_none() || reg.category(&m.to_category).is_none() {
                e.add(&format!("moves[{i}]"), "Kies kostensoorten van de regeling.");
            }
            positive(&mut e, &format!("moves[{i}].amount_eur"), "Het verschoven bedrag", m.amount_eur);
        }
        e
    }
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
