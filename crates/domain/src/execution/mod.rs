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

mod changes;
mod realisation;

pub use changes::{BudgetMove, ChangeNotice, MilestoneState};
pub use realisation::{
    Against, LineOutcome, Realisation, Settlement, Spending, Totals, for_year, granted, realisation, realised, settle,
    spending, subsidy_spent_per_year,
};

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
