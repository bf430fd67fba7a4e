//! School plans (deelplannen): the states a plan moves through and who may move it. The
//! transitions are one table of data, not scattered conditions; services and every surface use it.

use serde::{Deserialize, Serialize};

use crate::access::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanState {
    Concept,
    Ingediend,
    InBehandeling,
    Teruggestuurd,
    Goedgekeurd,
    Afgewezen,
}

impl PlanState {
    pub const ALL: [PlanState; 6] = [
        PlanState::Concept,
        PlanState::Ingediend,
        PlanState::InBehandeling,
        PlanState::Teruggestuurd,
        PlanState::Goedgekeurd,
        PlanState::Afgewezen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlanState::Concept => "concept",
            PlanState::Ingediend => "ingediend",
            PlanState::InBehandeling => "in-behandeling",
            PlanState::Teruggestuurd => "teruggestuurd",
            PlanState::Goedgekeurd => "goedgekeurd",
            PlanState::Afgewezen => "afgewezen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanState::Concept => "Concept",
            PlanState::Ingediend => "Ingediend",
            PlanState::InBehandeling => "In behandeling",
            PlanState::Teruggestuurd => "Teruggestuurd",
            PlanState::Goedgekeurd => "Goedgekeurd",
            PlanState::Afgewezen => "Afgewezen",
        }
    }

    pub fn parse(code: &str) -> Option<PlanState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the school can still change the plan's content in this state.
    pub fn editable(self) -> bool {
        matches!(self, PlanState::Concept | PlanState::Teruggestuurd)
    }
}

/// Which message a transition sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Notify {
    /// Tell the region's manager a plan came in.
    Submitted,
    Returned,
    Approved,
    Rejected,
    None,
}

/// One allowed step: from, to, who may take it, whether a comment is required, what it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: PlanState,
    pub to: PlanState,
    pub roles: &'static [Role],
    pub comment_required: bool,
    pub notify: Notify,
}

const SCHOOL: &[Role] = &[Role::SchoolContact, Role::RegionManager];
const REGION: &[Role] = &[Role::RegionManager];

/// The whole workflow, as data.
pub const TRANSITIONS: [Transition; 8] = [
    Transition {
        from: PlanState::Concept,
        to: PlanState::Ingediend,
        roles: SCHOOL,
        comment_required: false,
        notify: Notify::Submitted,
    },
    Transition {
        from: PlanState::Teruggestuurd,
        to: PlanState::Ingediend,
        roles: SCHOOL,
        comment_required: false,
        notify: Notify::Submitted,
    },
    Transition {
        from: PlanState::Ingediend,
        to: PlanState::InBehandeling,
        roles: REGION,
        comment_required: false,
        notify: Notify::None,
    },
    Transition {
        from: PlanState::Ingediend,
        to: PlanState::Teruggestuurd,
        roles: REGION,
        comment_required: true,
        notify: Notify::Returned,
    },
    Transition {
        from: PlanState::InBehandeling,
        to: PlanState::Teruggestuurd,
        roles: REGION,
        comment_required: true,
        notify: Notify::Returned,
    },
    Transition {
        from: PlanState::InBehandeling,
        to: PlanState::Goedgekeurd,
        roles: REGION,
        comment_required: false,
        notify: Notify::Approved,
    },
    Transition {
        from: PlanState::InBehandeling,
        to: PlanState::Afgewezen,
        roles: REGION,
        comment_required: true,
        notify: Notify::Rejected,
    },
    Transition {
        from: PlanState::Ingediend,
        to: PlanState::Goedgekeurd,
        roles: REGION,
        comment_required: false,
        notify: Notify::Approved,
    },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Not a step of the workflow from this state (HTTP 409).
    #[error("Een deelplan met status {} kan niet naar {}.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    NotAllowed { from: PlanState, to: PlanState },
    /// A step of the workflow, but not for this actor (HTTP 403).
    #[error("U mag een deelplan niet van {} naar {} zetten.", .from.label().to_lowercase(), .to.label().to_lowercase())]
    Forbidden { from: PlanState, to: PlanState },
    #[error("Geef een toelichting: die is verplicht bij {}.", .to.label().to_lowercase())]
    CommentRequired { to: PlanState },
}

/// The transition from `from` to `to` for `actor` in the plan's region, or why not.
pub fn transition(
    actor: &Actor,
    region_id: &str,
    from: PlanState,
    to: PlanState,
    comment: &str,
) -> Result<&'static Transition, TransitionError> {
    let t =
        TRANSITIONS.iter().find(|t| t.from == from && t.to == to).ok_or(TransitionError::NotAllowed { from, to })?;
    let allowed = actor.system || t.roles.iter().any(|r| actor.has_role_in(*r, region_id));
    if !allowed {
        return Err(TransitionError::Forbidden { from, to });
    }
    if t.comment_required && comment.trim().is_empty() {
        return Err(TransitionError::CommentRequired { to });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;

    fn actor(role: Role, region: &str) -> Actor {
        Actor { user_id: Some("u".into()), grants: vec![Grant { role, region_id: Some(region.into()) }], system: false }
    }

    #[test]
    fn every_allowed_transition_succeeds_for_its_roles_and_fails_for_the_others() {
        for t in &TRANSITIONS {
            for role in Role::ALL {
                let own = transition(&actor(role, "r1"), "r1", t.from, t.to, "toelichting");
                assert_eq!(own.is_ok(), t.roles.contains(&role), "{role:?} {:?} → {:?}", t.from, t.to);
                let other = transition(&actor(role, "r2"), "r1", t.from, t.to, "toelichting");
                assert!(matches!(other, Err(TransitionError::Forbidden { .. })), "{role:?} in another region");
            }
        }
    }

    #[test]
    fn steps_outside_the_table_are_not_allowed_for_anyone() {
        let pm = actor(Role::RegionManager, "r1");
        for from in PlanState::ALL {
            for to in PlanState::ALL {
                if !TRANSITIONS.iter().any(|t| t.from == from && t.to == to) {
                    assert_eq!(transition(&pm, "r1", from, to, "x"), Err(TransitionError::NotAllowed { from, to }));
                }
            }
        }
        let err = transition(&pm, "r1", PlanState::Goedgekeurd, PlanState::Concept, "").unwrap_err();
        assert_eq!(err.to_string(), "Een deelplan met status goedgekeurd kan niet naar concept.");
    }

    #[test]
    fn returning_and_rejecting_need_a_comment() {
        let pm = actor(Role::RegionManager, "r1");
        let err = transition(&pm, "r1", PlanState::InBehandeling, PlanState::Afgewezen, "  ").unwrap_err();
        assert_eq!(err.to_string(), "Geef een toelichting: die is verplicht bij afgewezen.");
        assert!(transition(&pm, "r1", PlanState::InBehandeling, PlanState::Teruggestuurd, "Meer doelen graag").is_ok());
        assert!(transition(&pm, "r1", PlanState::InBehandeling, PlanState::Goedgekeurd, "").is_ok());
    }

    #[test]
    fn only_concept_and_returned_plans_are_editable() {
        let editable: Vec<PlanState> = PlanState::ALL.into_iter().filter(|s| s.editable()).collect();
        assert_eq!(editable, vec![PlanState::Concept, PlanState::Teruggestuurd]);
        assert_eq!(PlanState::parse("in-behandeling"), Some(PlanState::InBehandeling));
    }
}
