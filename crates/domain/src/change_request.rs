//! Change requests (wijzigingsverzoek): a region proposes a change to its decided plan. Whether
//! the change is substantial follows from the difference with the decided basis, by the rules of
//! the duty to report ([`ChangeNotice::substantial`]) and a few of the decision's own: a
//! substantial change waits for the funder's approval, a minor one is reported (gemeld) and holds
//! at once. The workflow is one table of data, like the school plan's and the assessment's.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Role};
use crate::execution::{BudgetMove, ChangeNotice};
use crate::regulation::Regulation;
use crate::regulation::application::{Application, FundingSource};
use crate::regulation::check::{self, CheckError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeState {
    Concept,
    Ingediend,
    /// A minor change, reported: it holds at once.
    Gemeld,
    Goedgekeurd,
    Afgewezen,
    Teruggestuurd,
    Ingetrokken,
}

impl ChangeState {
    pub const ALL: [ChangeState; 7] = [
        ChangeState::Concept,
        ChangeState::Ingediend,
        ChangeState::Gemeld,
        ChangeState::Goedgekeurd,
        ChangeState::Afgewezen,
        ChangeState::Teruggestuurd,
        ChangeState::Ingetrokken,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ChangeState::Concept => "concept",
            ChangeState::Ingediend => "ingediend",
            ChangeState::Gemeld => "gemeld",
            ChangeState::Goedgekeurd => "goedgekeurd",
            ChangeState::Afgewezen => "afgewezen",
            ChangeState::Teruggestuurd => "teruggestuurd",
            ChangeState::Ingetrokken => "ingetrokken",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeState::Concept => "Concept",
            ChangeState::Ingediend => "Ingediend",
            ChangeState::Gemeld => "Gemeld",
            ChangeState::Goedgekeurd => "Goedgekeurd",
            ChangeState::Afgewezen => "Afgewezen",
            ChangeState::Teruggestuurd => "Teruggestuurd",
            ChangeState::Ingetrokken => "Ingetrokken",
        }
    }

    /// What the state means, in one sentence for the region.
    pub fn explanation(self) -> &'static str {
        match self {
            ChangeState::Concept => {
                "De regio werkt het plan bij in de aanvraag; het besloten plan blijft gelden tot de wijziging is ingediend en, als ze wezenlijk is, goedgekeurd."
            }
            ChangeState::Ingediend => {
                "De wijziging is wezenlijk en wacht op het oordeel van DUS-I; tot dan geldt het besloten plan."
            }
            ChangeState::Gemeld => "De wijziging is niet wezenlijk: ze is gemeld en geldt direct.",
            ChangeState::Goedgekeurd => "DUS-I heeft de wijziging goedgekeurd: het gewijzigde plan geldt.",
            ChangeState::Afgewezen => "DUS-I heeft de wijziging afgewezen: het besloten plan blijft gelden.",
            ChangeState::Teruggestuurd => {
                "DUS-I vraagt de regio de wijziging aan te passen en opnieuw in te dienen; tot dan geldt het besloten plan."
            }
            ChangeState::Ingetrokken => "De regio heeft de wijziging ingetrokken.",
        }
    }

    pub fn parse(code: &str) -> Option<ChangeState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still in the works: the region's application is open for it, and no second one starts.
    pub fn is_open(self) -> bool {
        matches!(self, ChangeState::Concept | ChangeState::Ingediend | ChangeState::Teruggestuurd)
    }

    /// The region edits the proposal in these states.
    pub fn editable(self) -> bool {
        matches!(self, ChangeState::Concept | ChangeState::Teruggestuurd)
    }

    /// The proposal became the plan the region is held to.
    pub fn holds(self) -> bool {
        matches!(self, ChangeState::Gemeld | ChangeState::Goedgekeurd)
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The region's managers and lead applicant.
    Region,
    /// The funder's staff.
    Assessor,
}

/// Which proposals a step is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Any,
    /// Only a substantial change (it needs approval).
    Substantial,
    /// Only a minor change (reporting it is enough).
    Minor,
}

/// Which message a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Notify {
    /// To the assessors: a change waits for approval.
    Submitted,
    /// To the assessors, for their information: a minor change was reported.
    Reported,
    /// To the region: the funder's answer.
    Answered,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ChangeState,
    pub to: ChangeState,
    pub who: Who,
    pub applies: Applies,
    pub comment_required: bool,
    pub notify: Notify,
}

use ChangeState as S;

const fn step(from: S, to: S, who: Who, applies: Applies, comment_required: bool, notify: Notify) -> Transition {
    Transition { from, to, who, applies, comment_required, notify }
}

/// The whole workflow, as data.
pub const TRANSITIONS: [Transition; 9] = [
    step(S::Concept, S::Ingediend, Who::Region, Applies::Substantial, false, Notify::Submitted),
    step(S::Concept, S::Gemeld, Who::Region, Applies::Minor, false, Notify::Reported),
    step(S::Concept, S::Ingetrokken, Who::Region, Applies::Any, false, Notify::None),
    step(S::Teruggestuurd, S::Ingediend, Who::Region, Applies::Substantial, false, Notify::Submitted),
    step(S::Teruggestuurd, S::Gemeld, Who::Region, Applies::Minor, false, Notify::Reported),
    step(S::Teruggestuurd, S::Ingetrokken, Who::Region, Applies::Any, false, Notify::None),
    step(S::Ingediend, S::Goedgekeurd, Who::Assessor, Applies::Any, false, Notify::Answered),
    step(S::Ingediend, S::Afgewezen, Who::Assessor, Applies::Any, true, Notify::Answered),
    step(S::Ingediend, S::Teruggestuurd, Who::Assessor, Applies::Any, true, Notify::Answered),
];

/// The longest comment a step takes.
pub const MAX_COMMENT: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// HTTP 409.
    #[error("Een wijziging met status {} kan niet naar {}.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    NotAllowed { from: ChangeState, to: ChangeState },
    /// HTTP 403.
    #[error("U mag een wijziging niet van {} naar {} zetten.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    Forbidden { from: ChangeState, to: ChangeState },
    /// HTTP 409: a substantial change cannot be merely reported.
    #[error("Deze wijziging is wezenlijk: DUS-I moet haar goedkeuren, melden is niet genoeg.")]
    NeedsApproval,
    /// HTTP 409: a minor change is reported, not put to the funder.
    #[error("Deze wijziging is niet wezenlijk: melden is genoeg.")]
    OnlyReport,
    /// HTTP 422.
    #[error("Geef een toelichting: die is verplicht bij {}.", .to.label().to_lowercase())]
    CommentRequired { to: ChangeState },
    /// HTTP 422.
    #[error("De toelichting is te lang: hoogstens 5.000 tekens.")]
    TooLong,
}

impl TransitionError {
    /// The field a 422 concerns.
    pub fn field(&self) -> Option<&'static str> {
        matches!(self, TransitionError::CommentRequired { .. } | TransitionError::TooLong).then_some("comment")
    }
}

impl Transition {
    /// Whether `actor` is one who takes this step in `region_id`.
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

    fn fits(&self, substantial: bool) -> bool {
        match self.applies {
            Applies::Any => true,
            Applies::Substantial => substantial,
            Applies::Minor => !substantial,
        }
    }
}

/// The steps `actor` may take from `from` for a proposal that is (or is not) substantial: the
/// buttons a page shows.
pub fn available(actor: &Actor, region_id: &str, from: ChangeState, substantial: bool) -> Vec<&'static Transition> {
    TRANSITIONS.iter().filter(|t| t.from == from && t.fits(substantial) && t.permitted(actor, region_id)).collect()
}

/// Where the region's submission goes: to the funder when substantial, else reported.
pub fn submitted_state(substantial: bool) -> ChangeState {
    if substantial { ChangeState::Ingediend } else { ChangeState::Gemeld }
}

/// The step from `from` to `to` for `actor`, or why not.
pub fn transition(
    actor: &Actor,
    region_id: &str,
    (from, to): (ChangeState, ChangeState),
    substantial: bool,
    comment: &str,
) -> Result<&'static Transition, TransitionError> {
    let t =
        TRANSITIONS.iter().find(|t| t.from == from && t.to == to).ok_or(TransitionError::NotAllowed { from, to })?;
    if !t.permitted(actor, region_id) {
        return Err(TransitionError::Forbidden { from, to });
    }
    if !t.fits(substantial) {
        return Err(if substantial { TransitionError::NeedsApproval } else { TransitionError::OnlyReport });
    }
    if t.comment_required && comment.trim().is_empty() {
        return Err(TransitionError::CommentRequired { to });
    }
    if comment.chars().count() > MAX_COMMENT {
        return Err(TransitionError::TooLong);
    }
    Ok(t)
}

/// The change from `old` to `new` in the terms of the duty to report: goals dropped or added,
/// activities dropped or late, budget moved between categories.
pub fn notice_between(old: &Application, new: &Application, description: &str) -> ChangeNotice {
    let goal = |a: &crate::regulation::application::Activity| {
        if a.goals.trim().is_empty() { a.title.clone() } else { a.goals.clone() }
    };
    let mut n = ChangeNotice { description: description.to_owned(), ..ChangeNotice::default() };
    for o in &old.activities {
        match new.activities.iter().find(|a| a.id == o.id) {
            None => {
                n.activities_dropped.push(o.id.clone());
                n.goals_dropped.push(goal(o));
            }
            Some(a) if a.goals != o.goals => n.goals_dropped.push(goal(o)),
            Some(a) if later(&o.milestones, &a.milestones) => n.activities_late.push(o.id.clone()),
            Some(_) => {}
        }
    }
    for a in &new.activities {
        match old.activities.iter().find(|o| o.id == a.id) {
            Some(o) if o.goals == a.goals => {}
            _ => n.goals_added.push(goal(a)),
        }
    }
    n.moves = moves(old, new);
    n
}

/// Whether a milestone of the same title is due later in `new`.
fn later(old: &[crate::regulation::application::Milestone], new: &[crate::regulation::application::Milestone]) -> bool {
    old.iter().any(|o| new.iter().any(|m| m.title == o.title && m.due > o.due))
}

/// The budget per category (P×Q, every funder).
fn per_category(a: &Application) -> BTreeMap<&str, Decimal> {
    let mut m: BTreeMap<&str, Decimal> = BTreeMap::new();
    for l in &a.budget {
        *m.entry(l.category.as_str()).or_default() += l.quantity.0 * l.unit_price_eur.0;
    }
    m
}

/// What moved between categories: each decrease paired with the increases, largest first.
fn moves(old: &Application, new: &Application) -> Vec<BudgetMove> {
    let (before, after) = (per_category(old), per_category(new));
    let delta = |c: &str| after.get(c).copied().unwrap_or_default() - before.get(c).copied().unwrap_or_default();
    let categories: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    let mut down: Vec<(&str, Decimal)> = Vec::new();
    let mut up: Vec<(&str, Decimal)> = Vec::new();
    for c in categories {
        let d = delta(c);
        if d < Decimal::ZERO && !down.iter().any(|(x, _)| *x == c) {
            down.push((c, -d));
        } else if d > Decimal::ZERO && !up.iter().any(|(x, _)| *x == c) {
            up.push((c, d));
        }
    }
    down.sort_by_key(|d| std::cmp::Reverse(d.1));
    up.sort_by_key(|u| std::cmp::Reverse(u.1));
    let mut out = Vec::new();
    for (to, mut need) in up {
        for (from, left) in down.iter_mut() {
            let amount = need.min(*left);
            if amount > Decimal::ZERO {
                out.push(BudgetMove {
                    from_category: (*from).to_owned(),
                    to_category: to.to_owned(),
                    amount_eur: amount,
                });
                need -= amount;
                *left -= amount;
            }
        }
    }
    out
}

/// The eligible subsidy per year.
fn subsidy_per_year(reg: &Regulation, a: &Application) -> Result<BTreeMap<i16, Decimal>, CheckError> {
    let mut m = BTreeMap::new();
    for l in check::evaluate_lines(reg, a)? {
        if l.line.funding.source == FundingSource::Subsidy {
            *m.entry(l.line.year).or_default() += l.eligible;
        }
    }
    Ok(m)
}

/// Whether `new` asks more subsidy than `old`: a change cannot grant that, only a new decision.
pub fn raises_subsidy(reg: &Regulation, old: &Application, new: &Application) -> Result<bool, CheckError> {
    let total = |a| subsidy_per_year(reg, a).map(|m| m.values().sum::<Decimal>());
    Ok(total(new)? > total(old)?)
}

/// Why the change from `old` to `new` is substantial, in Dutch with the numbers; empty when it
/// is minor. The duty to report's rules, and the decision's: more subsidy than decided, subsidy
/// moved between years, partners leaving.
pub fn substantial(reg: &Regulation, old: &Application, new: &Application) -> Result<Vec<String>, CheckError> {
    let mut why = notice_between(old, new, "").substantial(reg);
    let (before, after) = (subsidy_per_year(reg, old)?, subsidy_per_year(reg, new)?);
    let (total_before, total_after): (Decimal, Decimal) = (before.values().sum(), after.values().sum());
    let euro = crate::fmt::euro_nl;
    if total_after > total_before {
        why.push(format!(
            "De subsidie stijgt van {} naar {}: meer dan besloten kan alleen met een nieuw besluit.",
            euro(total_before),
            euro(total_after)
        ));
    }
    let years: Vec<i16> = before.keys().chain(after.keys()).copied().collect();
    let moved: Vec<String> = reg
        .years
        .iter()
        .filter(|y| years.contains(y))
        .filter_map(|y| {
            let (b, a) = (before.get(y).copied().unwrap_or_default(), after.get(y).copied().unwrap_or_default());
            (a > b).then(|| format!("{y}: {} → {}", euro(b), euro(a)))
        })
        .collect();
    if !moved.is_empty() && total_after <= total_before {
        why.push(format!(
            "Subsidie verschoven naar een ander jaar ({}): het besluit noemt het bedrag per jaar.",
            moved.join("; ")
        ));
    }
    let gone: Vec<&str> =
        old.organisations.iter().filter(|o| new.organisation(&o.id).is_none()).map(|o| o.name.as_str()).collect();
    if !gone.is_empty() {
        why.push(format!("Partner(s) doen niet meer mee: {}.", gone.join(", ")));
    }
    Ok(why)
}

#[cfg(test)]
mod tests;
