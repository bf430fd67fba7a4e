//! Reports as obligations: each report the regulation asks for has a due date; the region submits
//! it (frozen: its figures and files, with a hash), and the funder accepts it or asks for more.
//! The workflow is one table of data, like the other workflows; reminders follow the regulation's
//! lead times and stop once a report is submitted.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub mod plan;

use crate::access::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportState {
    /// Not submitted yet.
    Open,
    Ingediend,
    /// The funder asks for more: the region submits again.
    MeerGevraagd,
    Geaccepteerd,
}

impl ReportState {
    pub const ALL: [ReportState; 4] =
        [ReportState::Open, ReportState::Ingediend, ReportState::MeerGevraagd, ReportState::Geaccepteerd];

    pub fn code(self) -> &'static str {
        match self {
            ReportState::Open => "open",
            ReportState::Ingediend => "ingediend",
            ReportState::MeerGevraagd => "meer-gevraagd",
            ReportState::Geaccepteerd => "geaccepteerd",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportState::Open => "Nog niet ingediend",
            ReportState::Ingediend => "Ingediend",
            ReportState::MeerGevraagd => "Aanvulling gevraagd",
            ReportState::Geaccepteerd => "Geaccepteerd",
        }
    }

    pub fn parse(code: &str) -> Option<ReportState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The region still owes it: reminders go out and it counts as overdue after the date.
    pub fn owed(self) -> bool {
        matches!(self, ReportState::Open | ReportState::MeerGevraagd)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Region,
    Assessor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ReportState,
    pub to: ReportState,
    pub who: Who,
    pub comment_required: bool,
}

use ReportState as S;

/// The whole workflow, as data.
pub const TRANSITIONS: [Transition; 4] = [
    Transition { from: S::Open, to: S::Ingediend, who: Who::Region, comment_required: false },
    Transition { from: S::MeerGevraagd, to: S::Ingediend, who: Who::Region, comment_required: false },
    Transition { from: S::Ingediend, to: S::Geaccepteerd, who: Who::Assessor, comment_required: false },
    Transition { from: S::Ingediend, to: S::MeerGevraagd, who: Who::Assessor, comment_required: true },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// HTTP 409.
    #[error("Een rapportage met status {} kan niet naar {}.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    NotAllowed { from: ReportState, to: ReportState },
    /// HTTP 403.
    #[error("U mag een rapportage niet van {} naar {} zetten.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    Forbidden { from: ReportState, to: ReportState },
    /// HTTP 422.
    #[error("Zeg wat er nog ontbreekt: een toelichting is verplicht als u meer vraagt.")]
    CommentRequired,
    /// HTTP 422.
    #[error("De toelichting is te lang: hoogstens 5.000 tekens.")]
    TooLong,
}

impl Transition {
    pub fn permitted(&self, actor: &Actor, region_id: &str) -> bool {
        actor.system
            || match self.who {
                Who::Assessor => actor.assesses(region_id),
                Who::Region => {
                    actor.has_role_in(Role::RegionManager, region_id)
                        || actor.has_role_in(Role::LeadApplicant, region_id)
                }
            }
    }
}

/// The steps `actor` may take from `from`.
pub fn available(actor: &Actor, region_id: &str, from: ReportState) -> Vec<&'static Transition> {
    TRANSITIONS.iter().filter(|t| t.from == from && t.permitted(actor, region_id)).collect()
}

pub fn transition(
    actor: &Actor,
    region_id: &str,
    (from, to): (ReportState, ReportState),
    comment: &str,
) -> Result<&'static Transition, TransitionError> {
    let t =
        TRANSITIONS.iter().find(|t| t.from == from && t.to == to).ok_or(TransitionError::NotAllowed { from, to })?;
    if !t.permitted(actor, region_id) {
        return Err(TransitionError::Forbidden { from, to });
    }
    if t.comment_required && comment.trim().is_empty() {
        return Err(TransitionError::CommentRequired);
    }
    if comment.chars().count() > 5_000 {
        return Err(TransitionError::TooLong);
    }
    Ok(t)
}

/// The first day a report may be submitted: a progress report once its year is over; the final
/// report at any time (a region may end early).
pub fn opens(year: Option<i16>) -> Option<Date> {
    year.and_then(|y| Date::new(y.checked_add(1)?, 1, 1).ok())
}

/// Where a report stands against its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Owed, the date still ahead.
    Due,
    /// Owed, the date passed.
    Overdue,
    /// Submitted (waiting for the funder, or accepted).
    InHand,
}

pub fn timeliness(state: ReportState, due: Date, today: Date) -> Timeliness {
    match (state.owed(), today > due) {
        (false, _) => Timeliness::InHand,
        (true, true) => Timeliness::Overdue,
        (true, false) => Timeliness::Due,
    }
}

/// The reminder that is due today for an owed report, as its lead in days (positive: before the
/// date, negative: after): the latest lead already reached, so one reminder per step, never a
/// pile at once. `None` when the report is not owed or no lead was reached.
pub fn reminder(state: ReportState, due: Date, today: Date, leads: &[i64]) -> Option<i64> {
    if !state.owed() {
        return None;
    }
    let days_left = i64::from(today.until(due).ok()?.get_days());
    leads.iter().copied().filter(|lead| days_left <= *lead).min()
}

#[cfg(test)]
mod tests;
