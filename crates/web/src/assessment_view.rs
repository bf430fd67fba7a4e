//! Where an application stands at the funder, as both the region's workspace and the assessor's
//! page show it: the state, what is asked, the decision with its letter, the history.

use domain::assessment::{AssessmentState, Transition};
use domain::fmt::{date_nl, euro_nl};
use services::assessments::Status;
use services::assessments::decisions::DecisionView;

use crate::layout::ms;

pub struct StepView {
    pub at: String,
    pub by: String,
    pub to: &'static str,
    pub comment: String,
    pub items: Vec<String>,
    pub due: Option<String>,
}

pub struct DecisionShown {
    pub reference: String,
    pub decided_on: String,
    pub outcome: &'static str,
    pub outcome_code: &'static str,
    pub amounts: Vec<(i16, String)>,
    pub total: String,
    pub conditions: String,
    pub version: i64,
    pub objection_until: String,
}

impl DecisionShown {
    pub fn of(d: &DecisionView) -> DecisionShown {
        DecisionShown {
            reference: d.input.reference.clone(),
            decided_on: date_nl(d.input.decided_on),
            outcome: d.input.outcome.label(),
            outcome_code: d.input.outcome.code(),
            amounts: d.input.amounts.iter().map(|(y, a)| (*y, euro_nl(a.0))).collect(),
            total: euro_nl(d.total()),
            conditions: d.input.conditions.clone(),
            version: d.version,
            objection_until: date_nl(d.objection_until),
        }
    }
}

/// A step the viewer may take by hand: where to, its button, whether a comment is required.
pub struct ButtonView {
    pub to: &'static str,
    /// The form's name, for what was typed in it to come back after a refusal.
    pub form: String,
    pub label: &'static str,
    pub comment_required: bool,
    pub repair_request: bool,
}

pub fn button_label(t: &Transition) -> &'static str {
    match (t.from, t.to) {
        (_, AssessmentState::InBehandeling) => "In behandeling nemen",
        (_, AssessmentState::AanvullingGevraagd) => "Aanvulling vragen",
        (_, AssessmentState::BuitenBehandeling) => "Buiten behandeling stellen",
        (_, AssessmentState::Bezwaar) => "Bezwaar maken",
        (AssessmentState::Bezwaar, AssessmentState::Besloten) => "Bezwaar ongegrond: het besluit blijft",
        (AssessmentState::Bezwaar, AssessmentState::Beoordeeld) => "Bezwaar gegrond: nieuw besluit nemen",
        _ => "Volgende stap",
    }
}

pub struct StatusView {
    pub state: &'static str,
    pub state_code: &'static str,
    pub explanation: &'static str,
    pub taken_by: Option<String>,
    pub request: Option<(Vec<String>, String)>,
    pub decision: Option<DecisionShown>,
    pub withdrawn: Vec<DecisionShown>,
    /// Whether the objection period still runs (the letter says until when).
    pub objection_open: bool,
    pub steps: Vec<StepView>,
    pub buttons: Vec<ButtonView>,
    /// Where the decision letter is.
    pub letter: String,
    /// Where the steps are posted.
    pub action: String,
    /// The region's payment register (advances planned from the decision).
    pub payments: String,
}

impl StatusView {
    /// `base` is the page's address; the letter and the steps live under it.
    pub fn of(s: &Status, base: &str) -> StatusView {
        StatusView {
            state: s.state.label(),
            state_code: s.state.code(),
            explanation: s.state.explanation(),
            taken_by: s.taken_by.clone(),
            request: s.request.as_ref().map(|r| (r.items.clone(), date_nl(r.due))),
            decision: s.decision.as_ref().map(DecisionShown::of),
            withdrawn: s.withdrawn.iter().map(DecisionShown::of).collect(),
            objection_open: s.decision.as_ref().is_some_and(|d| s.today <= d.objection_until),
            steps: s
                .steps
                .iter()
                .rev()
                .map(|st| StepView {
                    at: ms(st.at),
                    by: st.by.clone().unwrap_or_else(|| "Sterk".into()),
                    to: st.to.label(),
                    comment: st.comment.clone(),
                    items: st.request.as_ref().map(|r| r.items.clone()).unwrap_or_default(),
                    due: st.request.as_ref().map(|r| date_nl(r.due)),
                })
                .collect(),
            buttons: s
                .buttons
                .iter()
                .map(|t| ButtonView {
                    to: t.to.code(),
                    form: step_form(t.to),
                    label: button_label(t),
                    comment_required: t.comment_required,
                    repair_request: t.repair_request,
                })
                .collect(),
            letter: format!("{base}/besluit.pdf"),
            action: format!("{base}/status"),
            payments: format!("/regio/{}/betalingen", s.region.slug),
        }
    }
}

fn step_form(to: AssessmentState) -> String {
    format!("stap-{}", to.code())
}

/// What a refused step's form held, to show it again as typed.
pub(crate) fn typed_step(f: &crate::form::Pairs) -> crate::form::Typed {
    let to = AssessmentState::parse(&f.get("to")).unwrap_or(AssessmentState::Ingediend);
    crate::form::Typed::new(step_form(to), format!("f-{}", to.code()), f)
}

/// A step posted from a page's form: where to, the comment, a repair request's items (one per
/// line) and due date; a due date that is not a date is refused at its field.
pub(crate) fn posted_step(
    f: &crate::form::Pairs,
) -> Result<(AssessmentState, domain::assessment::StepInput), services::ServiceError> {
    let to = AssessmentState::parse(&f.get("to")).ok_or(services::ServiceError::NotFound)?;
    let raw_due = f.get("due");
    let due = domain::fmt::parse_date_nl(&raw_due);
    if !raw_due.is_empty() && due.is_none() {
        let mut e = domain::FieldErrors::default();
        e.add("due", format!("\"{raw_due}\" is geen datum; vul de datum in als dd-mm-jjjj."));
        return Err(services::ServiceError::Invalid(e));
    }
    let items = f.get("items").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    Ok((to, domain::assessment::StepInput { comment: f.get("comment"), items, due }))
}
