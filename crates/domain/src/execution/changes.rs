//! The plan's course: milestones reached or late, and changes reported to the funder.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::positive;
use crate::FieldErrors;
use crate::regulation::Regulation;

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
