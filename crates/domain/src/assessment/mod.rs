//! The application's life at the funder after submission (beoordeling): the states it moves
//! through and who moves it, as one table of data like the school plan's. Services and every
//! surface use this table; nothing else decides whether a step is allowed.

pub mod decision;
pub mod scoring;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentState {
    Ingediend,
    InBehandeling,
    AanvullingGevraagd,
    BuitenBehandeling,
    Beoordeeld,
    Besloten,
    Bezwaar,
}

impl AssessmentState {
    pub const ALL: [AssessmentState; 7] = [
        AssessmentState::Ingediend,
        AssessmentState::InBehandeling,
        AssessmentState::AanvullingGevraagd,
        AssessmentState::BuitenBehandeling,
        AssessmentState::Beoordeeld,
        AssessmentState::Besloten,
        AssessmentState::Bezwaar,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AssessmentState::Ingediend => "ingediend",
            AssessmentState::InBehandeling => "in-behandeling",
            AssessmentState::AanvullingGevraagd => "aanvulling-gevraagd",
            AssessmentState::BuitenBehandeling => "buiten-behandeling",
            AssessmentState::Beoordeeld => "beoordeeld",
            AssessmentState::Besloten => "besloten",
            AssessmentState::Bezwaar => "bezwaar",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AssessmentState::Ingediend => "Ingediend",
            AssessmentState::InBehandeling => "In behandeling",
            AssessmentState::AanvullingGevraagd => "Aanvulling gevraagd",
            AssessmentState::BuitenBehandeling => "Buiten behandeling",
            AssessmentState::Beoordeeld => "Beoordeeld",
            AssessmentState::Besloten => "Besloten",
            AssessmentState::Bezwaar => "Bezwaar",
        }
    }

    /// What the state means for the region, in one sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            AssessmentState::Ingediend => {
                "De aanvraag is ingediend en wacht tot een beoordelaar van DUS-I haar oppakt."
            }
            AssessmentState::InBehandeling => "Een beoordelaar van DUS-I beoordeelt de aanvraag.",
            AssessmentState::AanvullingGevraagd => {
                "DUS-I vraagt een aanvulling: vul de genoemde onderdelen aan en dien de aanvraag opnieuw in vóór de termijn."
            }
            AssessmentState::BuitenBehandeling => {
                "De aanvulling kwam niet binnen de termijn: DUS-I heeft de aanvraag buiten behandeling gesteld."
            }
            AssessmentState::Beoordeeld => "De aanvraag is beoordeeld; het besluit volgt.",
            AssessmentState::Besloten => "DUS-I heeft op de aanvraag besloten.",
            AssessmentState::Bezwaar => {
                "De regio heeft bezwaar gemaakt tegen het besluit; DUS-I beslist op het bezwaar."
            }
        }
    }

    pub fn parse(code: &str) -> Option<AssessmentState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Who takes a step, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The funder's staff, by hand.
    Assessor,
    /// The region (its managers and lead applicant), by hand.
    Region,
    /// The region, by submitting the application again.
    Resubmission,
    /// An assessor, by recording the advice.
    Advice,
    /// An assessor, by recording the decision.
    Decision,
}

/// Which message a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Notify {
    /// To the region: an assessor took the application.
    Taken,
    /// To the region: what to supplement, and by when.
    RepairRequested,
    /// To the assessor who asked: the supplement came in.
    Resubmitted,
    /// To the region: out of the procedure.
    OutOfProcedure,
    /// To the region: the decision, with its letter.
    Decided,
    /// To the assessors: an objection came in.
    ObjectionLodged,
    /// To the region: the answer to its objection.
    ObjectionDecided,
    None,
}

/// What else must hold for a step, beyond role and comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    None,
    /// The repair request's due date has passed.
    DuePassed,
    /// Within the objection period after the decision.
    WithinObjectionPeriod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: AssessmentState,
    pub to: AssessmentState,
    pub who: Who,
    pub comment_required: bool,
    /// The step is a repair request: it needs the items to supplement and a due date.
    pub repair_request: bool,
    pub condition: Condition,
    pub notify: Notify,
}

use AssessmentState as S;

const fn step(from: S, to: S, who: Who, comment_required: bool, condition: Condition, notify: Notify) -> Transition {
    Transition { from, to, who, comment_required, repair_request: false, condition, notify }
}

/// The whole life after submission, as data.
pub const TRANSITIONS: [Transition; 9] = [
    step(S::Ingediend, S::InBehandeling, Who::Assessor, false, Condition::None, Notify::Taken),
    Transition {
        from: S::InBehandeling,
        to: S::AanvullingGevraagd,
        who: Who::Assessor,
        comment_required: false,
        repair_request: true,
        condition: Condition::None,
        notify: Notify::RepairRequested,
    },
    step(S::AanvullingGevraagd, S::InBehandeling, Who::Resubmission, false, Condition::None, Notify::Resubmitted),
    step(
        S::AanvullingGevraagd,
        S::BuitenBehandeling,
        Who::Assessor,
        true,
        Condition::DuePassed,
        Notify::OutOfProcedure,
    ),
    step(S::InBehandeling, S::Beoordeeld, Who::Advice, false, Condition::None, Notify::None),
    step(S::Beoordeeld, S::Besloten, Who::Decision, false, Condition::None, Notify::Decided),
    step(S::Besloten, S::Bezwaar, Who::Region, true, Condition::WithinObjectionPeriod, Notify::ObjectionLodged),
    // The objection is unfounded: the decision stands.
    step(S::Bezwaar, S::Besloten, Who::Assessor, true, Condition::None, Notify::ObjectionDecided),
    // The objection is founded: the decision is withdrawn and a new one is made.
    step(S::Bezwaar, S::Beoordeeld, Who::Assessor, true, Condition::None, Notify::ObjectionDecided),
];

/// What is asked with a step.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub comment: String,
    /// A repair request's items, one per part to supplement.
    pub items: Vec<String>,
    pub due: Option<Date>,
}

/// The dates a step's condition reads.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub today: Date,
    /// The open repair request's due date.
    pub due: Option<Date>,
    /// The current decision's end of the objection period.
    pub objection_until: Option<Date>,
    /// The region objected to the current decision already (one objection per decision).
    pub objected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Not a step of the table from this state (HTTP 409).
    #[error("Een aanvraag met status {} kan niet naar {}.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    NotAllowed { from: AssessmentState, to: AssessmentState },
    /// A step taken another way (HTTP 409).
    #[error("{0}")]
    OtherWay(&'static str),
    /// A step, but not for this actor (HTTP 403).
    #[error("U mag een aanvraag niet van {} naar {} zetten.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    Forbidden { from: AssessmentState, to: AssessmentState },
    /// HTTP 422.
    #[error("Geef een toelichting: die is verplicht bij {}.", .to.label().to_lowercase())]
    CommentRequired { to: AssessmentState },
    /// HTTP 422.
    #[error("Noem ten minste één onderdeel dat de regio moet aanvullen.")]
    ItemsRequired,
    /// HTTP 422.
    #[error("Kies een termijn voor de aanvulling na vandaag.")]
    DueRequired,
    /// HTTP 409.
    #[error("De termijn voor de aanvulling loopt nog tot en met {}.", crate::fmt::date_nl(*.0))]
    DueNotPassed(Date),
    /// HTTP 409.
    #[error("De bezwaartermijn is voorbij: die liep tot en met {}.", crate::fmt::date_nl(*.0))]
    ObjectionPeriodOver(Date),
    /// HTTP 409.
    #[error("Tegen dit besluit is al bezwaar gemaakt; DUS-I heeft daarop beslist.")]
    AlreadyObjected,
    /// HTTP 422.
    #[error("{what} is te lang: hoogstens {max}.")]
    TooLong { field: &'static str, what: &'static str, max: &'static str },
}

impl TransitionError {
    /// The field a 422 concerns.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            TransitionError::CommentRequired { .. } => Some("comment"),
            TransitionError::ItemsRequired => Some("items"),
            TransitionError::DueRequired => Some("due"),
            TransitionError::TooLong { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl Transition {
    /// Whether `actor` is one who takes this step in `region_id` (how it is taken aside).
    pub fn permitted(&self, actor: &Actor, region_id: &str) -> bool {
        actor.system
            || match self.who {
                Who::Assessor | Who::Advice | Who::Decision => actor.assesses(region_id),
                Who::Region | Who::Resubmission => {
                    actor.has_role_in(Role::RegionManager, region_id)
                        || actor.has_role_in(Role::LeadApplicant, region_id)
                }
            }
    }
}

fn other_way(who: Who) -> Option<&'static str> {
    match who {
        Who::Assessor | Who::Region => None,
        Who::Resubmission => Some("Dit gebeurt doordat de regio de aanvraag opnieuw indient."),
        Who::Advice => Some("Dit gebeurt door het advies vast te leggen."),
        Who::Decision => Some("Dit gebeurt door het besluit vast te leggen."),
    }
}

/// The steps `actor` may take by hand from `from` now (the buttons a page shows): a step whose
/// date condition does not hold yet, or no longer, is left out.
pub fn available(actor: &Actor, region_id: &str, from: AssessmentState, facts: Facts) -> Vec<&'static Transition> {
    TRANSITIONS
        .iter()
        .filter(|t| t.from == from && other_way(t.who).is_none() && t.permitted(actor, region_id))
        .filter(|t| t.unmet(facts).is_none())
        .collect()
}

impl Transition {
    /// Why the step's date condition does not hold on `facts.today`, or `None` when it does.
    pub fn unmet(&self, facts: Facts) -> Option<TransitionError> {
        match self.condition {
            Condition::None => None,
            Condition::DuePassed => facts.due.filter(|d| facts.today <= *d).map(TransitionError::DueNotPassed),
            Condition::WithinObjectionPeriod if facts.objected => Some(TransitionError::AlreadyObjected),
            Condition::WithinObjectionPeriod => {
                facts.objection_until.filter(|u| facts.today > *u).map(TransitionError::ObjectionPeriodOver)
            }
        }
    }
}

/// The step from `from` to `to` taken by `who` for `actor`, or why not. `who` says how the
/// caller takes it: by hand (`Assessor` or `Region`), or by a resubmission, advice or decision.
pub fn transition(
    actor: &Actor,
    region_id: &str,
    (from, to): (AssessmentState, AssessmentState),
    by_hand: bool,
    input: &StepInput,
    facts: Facts,
) -> Result<&'static Transition, TransitionError> {
    let t =
        TRANSITIONS.iter().find(|t| t.from == from && t.to == to).ok_or(TransitionError::NotAllowed { from, to })?;
    if by_hand && let Some(how) = other_way(t.who) {
        return Err(TransitionError::OtherWay(how));
    }
    if !t.permitted(actor, region_id) {
        return Err(TransitionError::Forbidden { from, to });
    }
    if t.comment_required && input.comment.trim().is_empty() {
        return Err(TransitionError::CommentRequired { to });
    }
    too_long(input)?;
    if t.repair_request {
        if input.items.iter().all(|i| i.trim().is_empty()) {
            return Err(TransitionError::ItemsRequired);
        }
        if input.due.is_none_or(|d| d <= facts.today) {
            return Err(TransitionError::DueRequired);
        }
    }
    match t.unmet(facts) {
        Some(e) => Err(e),
        None => Ok(t),
    }
}

/// The most a step carries: a comment, and a repair request's items.
const MAX_COMMENT: usize = 5_000;
const MAX_ITEMS: usize = 20;
const MAX_ITEM: usize = 500;

fn too_long(input: &StepInput) -> Result<(), TransitionError> {
    if input.comment.chars().count() > MAX_COMMENT {
        return Err(TransitionError::TooLong { field: "comment", what: "De toelichting", max: "5.000 tekens" });
    }
    if input.items.len() > MAX_ITEMS {
        return Err(TransitionError::TooLong { field: "items", what: "De lijst", max: "20 onderdelen" });
    }
    if input.items.iter().any(|i| i.chars().count() > MAX_ITEM) {
        return Err(TransitionError::TooLong { field: "items", what: "Een onderdeel", max: "500 tekens" });
    }
    Ok(())
}

/// Whether the region may change and resubmit its application although the phase is closed: a
/// repair request is open and its due date has not passed.
pub fn repair_open(state: AssessmentState, due: Option<Date>, today: Date) -> bool {
    state == AssessmentState::AanvullingGevraagd && due.is_some_and(|d| today <= d)
}

#[cfg(test)]
mod tests;
