//! How a plan's workflow shows: what it lacks, where it can go next and what each button says.

use domain::school_plan::PlanState;

/// Something the plan lacks: the field's id on the page, the message, whether it blocks.
pub struct GapView {
    pub anchor: &'static str,
    pub message: String,
    pub blocking: bool,
}

impl GapView {
    pub fn of(gaps: &[domain::school_plan::Gap]) -> Vec<GapView> {
        gaps.iter()
            .map(|g| GapView {
                anchor: match g.field {
                    "activities" => "activiteiten",
                    "budget" => "begroting",
                    "title" => "f-title",
                    "vision_fit" => "f-vision_fit",
                    _ => "f-goals",
                },
                message: g.message.clone(),
                blocking: g.blocking,
            })
            .collect()
    }
}

/// The label a step's button carries.
pub(crate) fn button_label(from: PlanState, to: PlanState) -> &'static str {
    match (from, to) {
        (PlanState::BijSchoolleiding, PlanState::Ingediend) => "Akkoord: naar de regio",
        (PlanState::BijSchoolleiding, PlanState::Concept) => "Niet akkoord: terug naar de schrijver",
        (_, to) => step_label(to),
    }
}

fn step_label(to: PlanState) -> &'static str {
    match to {
        PlanState::BijSchoolleiding => "Naar de schoolleiding",
        PlanState::Ingediend => "Indienen bij de regio",
        PlanState::InBehandeling => "In behandeling nemen",
        PlanState::Teruggestuurd => "Terugsturen",
        PlanState::Goedgekeurd => "Goedkeuren",
        PlanState::Afgewezen => "Afwijzen",
        PlanState::Concept => "Terug naar concept",
    }
}

/// The author's step out of an editable plan (to the school's management, or to the region when
/// the author signs for the school): it goes through its own confirmation page.
pub(crate) fn is_submission(t: &domain::school_plan::Transition) -> bool {
    t.from.editable() && matches!(t.to, PlanState::Ingediend | PlanState::BijSchoolleiding)
}
