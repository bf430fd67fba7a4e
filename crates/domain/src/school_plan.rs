//! School plans (deelplannen): the states a plan moves through and who may move it. The
//! transitions are one table of data, not scattered conditions; services and every surface use it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::FieldErrors;
use crate::access::{Actor, Role};
use crate::regulation::Regulation;
use crate::regulation::application::{Activity, Application, ApplicationOrganisation, BudgetLine, FundingSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanState {
    Concept,
    /// Written, waiting for the school's management to endorse it before the region sees it.
    BijSchoolleiding,
    Ingediend,
    InBehandeling,
    Teruggestuurd,
    Goedgekeurd,
    Afgewezen,
}

impl PlanState {
    pub const ALL: [PlanState; 7] = [
        PlanState::Concept,
        PlanState::BijSchoolleiding,
        PlanState::Ingediend,
        PlanState::InBehandeling,
        PlanState::Teruggestuurd,
        PlanState::Goedgekeurd,
        PlanState::Afgewezen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlanState::Concept => "concept",
            PlanState::BijSchoolleiding => "bij-schoolleiding",
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
            PlanState::BijSchoolleiding => "Bij de schoolleiding",
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
    /// Ask the school's management to endorse the plan.
    EndorsementAsked,
    /// Tell the author the school's management sent the plan back.
    NotEndorsed,
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
    /// Only the plan's author takes this step (a submission: the region reviews, it does not
    /// submit a school's plan for it).
    pub by_author: bool,
    /// Only who signs for the plan's school (its management) takes this step; by a mailed link,
    /// the system takes it for them.
    pub by_signatory: bool,
    pub comment_required: bool,
    pub notify: Notify,
}

const SCHOOL: &[Role] = &[Role::SchoolContact, Role::RegionManager];
const REGION: &[Role] = &[Role::RegionManager];
/// Who may sign for a school: its contact or the lead applicant, with the signatory mark.
const LEADERS: &[Role] = &[Role::SchoolContact, Role::LeadApplicant];

/// The whole workflow, as data.
pub const TRANSITIONS: [Transition; 12] = [
    Transition {
        from: PlanState::Concept,
        to: PlanState::BijSchoolleiding,
        roles: SCHOOL,
        by_author: true,
        by_signatory: false,
        comment_required: false,
        notify: Notify::EndorsementAsked,
    },
    Transition {
        from: PlanState::Teruggestuurd,
        to: PlanState::BijSchoolleiding,
        roles: SCHOOL,
        by_author: true,
        by_signatory: false,
        comment_required: false,
        notify: Notify::EndorsementAsked,
    },
    // A school leader who wrote the plan endorses it by submitting it.
    Transition {
        from: PlanState::Concept,
        to: PlanState::Ingediend,
        roles: SCHOOL,
        by_author: true,
        by_signatory: true,
        comment_required: false,
        notify: Notify::Submitted,
    },
    Transition {
        from: PlanState::Teruggestuurd,
        to: PlanState::Ingediend,
        roles: SCHOOL,
        by_author: true,
        by_signatory: true,
        comment_required: false,
        notify: Notify::Submitted,
    },
    Transition {
        from: PlanState::BijSchoolleiding,
        to: PlanState::Ingediend,
        roles: LEADERS,
        by_author: false,
        by_signatory: true,
        comment_required: false,
        notify: Notify::Submitted,
    },
    Transition {
        from: PlanState::BijSchoolleiding,
        to: PlanState::Concept,
        roles: LEADERS,
        by_author: false,
        by_signatory: true,
        comment_required: true,
        notify: Notify::NotEndorsed,
    },
    Transition {
        from: PlanState::Ingediend,
        to: PlanState::InBehandeling,
        roles: REGION,
        by_author: false,
        by_signatory: false,
        comment_required: false,
        notify: Notify::None,
    },
    Transition {
        from: PlanState::Ingediend,
        to: PlanState::Teruggestuurd,
        roles: REGION,
        by_author: false,
        by_signatory: false,
        comment_required: true,
        notify: Notify::Returned,
    },
    Transition {
        from: PlanState::InBehandeling,
        to: PlanState::Teruggestuurd,
        roles: REGION,
        by_author: false,
        by_signatory: false,
        comment_required: true,
        notify: Notify::Returned,
    },
    Transition {
        from: PlanState::InBehandeling,
        to: PlanState::Goedgekeurd,
        roles: REGION,
        by_author: false,
        by_signatory: false,
        comment_required: false,
        notify: Notify::Approved,
    },
    Transition {
        from: PlanState::InBehandeling,
        to: PlanState::Afgewezen,
        roles: REGION,
        by_author: false,
        by_signatory: false,
        comment_required: true,
        notify: Notify::Rejected,
    },
    Transition {
        from: PlanState::Ingediend,
        to: PlanState::Goedgekeurd,
        roles: REGION,
        by_author: false,
        by_signatory: false,
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

/// Where a plan is: its region and who wrote it (a school contact acts only on their own plans).
#[derive(Debug, Clone, Copy)]
pub struct PlanScope<'a> {
    pub region_id: &'a str,
    pub author_id: &'a str,
    /// The school the plan is for.
    pub organisation_id: &'a str,
}

impl Transition {
    /// Whether `actor` may take this step for a plan in `scope`.
    pub fn permitted(&self, actor: &Actor, scope: PlanScope<'_>) -> bool {
        let is_author = actor.user_id.as_deref() == Some(scope.author_id);
        actor.system
            || (self.roles.iter().any(|r| actor.has_role_in(*r, scope.region_id))
                && (!self.by_author || is_author)
                && (!self.by_signatory || actor.signs_for(scope.region_id, scope.organisation_id)))
    }
}

/// The steps `actor` may take from `from` (the buttons a plan page shows).
/// A school leader who may submit does not also see "to the school's management".
pub fn available(actor: &Actor, scope: PlanScope<'_>, from: PlanState) -> Vec<&'static Transition> {
    let steps: Vec<&Transition> = TRANSITIONS.iter().filter(|t| t.from == from && t.permitted(actor, scope)).collect();
    let submits = steps.iter().any(|t| t.to == PlanState::Ingediend);
    steps.into_iter().filter(|t| !(submits && t.to == PlanState::BijSchoolleiding)).collect()
}

/// The transition from `from` to `to` for `actor` on a plan in `scope`, or why not.
pub fn transition(
    actor: &Actor,
    scope: PlanScope<'_>,
    from: PlanState,
    to: PlanState,
    comment: &str,
) -> Result<&'static Transition, TransitionError> {
    let t =
        TRANSITIONS.iter().find(|t| t.from == from && t.to == to).ok_or(TransitionError::NotAllowed { from, to })?;
    if !t.permitted(actor, scope) {
        return Err(TransitionError::Forbidden { from, to });
    }
    if t.comment_required && comment.trim().is_empty() {
        return Err(TransitionError::CommentRequired { to });
    }
    Ok(t)
}

/// Something a plan still lacks: the field it concerns and what to do, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub field: &'static str,
    pub message: String,
    /// Whether submission and approval wait for it (otherwise it is advice).
    pub blocking: bool,
}

/// What a school writes: the questions the region must see answered, the activities with their
/// milestones, and the means needed as budget lines (price × quantity per year and category).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchoolPlan {
    pub title: String,
    /// The school (organisation id) the plan is for; a member of the region.
    pub organisation: String,
    /// One of the regulation's themes.
    #[serde(default)]
    pub theme: String,
    /// How the plan fits the regional vision.
    #[serde(default)]
    pub vision_fit: String,
    #[serde(default)]
    pub goals: String,
    /// With whom and how the school cooperates (primary schools, secondary schools, companies, mbo).
    #[serde(default)]
    pub cooperation: String,
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(default)]
    pub budget: Vec<BudgetLine>,
}

/// The longest free text a plan's fields take.
const MAX_TEXT: usize = 20_000;

impl SchoolPlan {
    /// Problems with the plan as Dutch field errors; `members` are the region's organisation ids.
    pub fn validate(&self, reg: &Regulation, members: &[String]) -> FieldErrors {
        let mut e = FieldErrors::default();
        crate::validation::required(&mut e, "title", "de titel van het deelplan", &self.title, 200);
        if !members.contains(&self.organisation) {
            e.add("organisation", "Kies de school van het deelplan uit de deelnemers van de regio.");
        }
        if !self.theme.is_empty() && !reg.themes.iter().any(|t| t.id == self.theme) {
            e.add("theme", format!("Onbekend thema \"{}\".", self.theme));
        }
        for (field, text) in
            [("vision_fit", &self.vision_fit), ("goals", &self.goals), ("cooperation", &self.cooperation)]
        {
            if text.chars().count() > MAX_TEXT {
                e.add(field, "Deze tekst is te lang: hoogstens 20.000 tekens.");
            }
        }
        let years: Vec<i16> = reg.phases.iter().flat_map(|p| p.years.iter().copied()).collect();
        for (i, a) in self.activities.iter().enumerate() {
            if self.activities.iter().filter(|b| b.id == a.id).count() > 1 {
                e.add(&format!("activities[{i}].id"), format!("De activiteit \"{}\" komt twee keer voor.", a.id));
            }
        }
        for (i, l) in self.budget.iter().enumerate() {
            let at = |f: &str| format!("budget[{i}].{f}");
            let row = i + 1;
            if !self.activities.iter().any(|a| a.id == l.activity) {
                e.add(&at("activity"), format!("Regel {row}: kies een activiteit van dit deelplan."));
            }
            if !reg.categories.iter().any(|c| c.id == l.category && !c.forbidden) {
                e.add(&at("category"), format!("Regel {row}: kies een kostensoort van de regeling."));
            }
            if !years.contains(&l.year) {
                e.add(&at("year"), format!("Regel {row}: het jaar {} valt buiten de regeling.", l.year));
            }
            if l.quantity.0.is_sign_negative() || l.unit_price_eur.0.is_sign_negative() {
                e.add(&at("quantity"), format!("Regel {row}: aantal en prijs zijn niet negatief."));
            }
            match (&l.funding.source, &l.funding.by) {
                (FundingSource::Cofinancing, Some(by)) if members.contains(by) => {}
                (FundingSource::Cofinancing, _) => {
                    e.add(&at("funding"), format!("Regel {row}: kies een deelnemer van de regio die cofinanciert."))
                }
                _ => {}
            }
        }
        e
    }

    /// What the plan still lacks, in the order of the form: a blocking gap keeps it from being
    /// submitted or approved; the others are advice. Shown beside the plan while it is written.
    pub fn gaps(&self, reg: &Regulation) -> Vec<Gap> {
        let mut gaps = Vec::new();
        let mut need = |field: &'static str, missing: bool, message: String| {
            if missing {
                gaps.push(Gap { field, message, blocking: true });
            }
        };
        need("title", self.title.trim().is_empty(), "Geef het deelplan een titel.".into());
        need("vision_fit", self.vision_fit.trim().is_empty(), "Beschrijf hoe het plan in de regiovisie past.".into());
        need("goals", self.goals.trim().is_empty(), "Beschrijf de specifieke doelen van het plan.".into());
        need("activities", self.activities.is_empty(), "Voeg minstens één activiteit toe.".into());
        for a in self.activities.iter().filter(|a| a.milestones.is_empty()) {
            need("activities", true, format!("Geef de activiteit \"{}\" minstens één mijlpaal.", a.title));
        }
        need(
            "budget",
            self.budget.is_empty(),
            "Voeg minstens één begrotingsregel toe: welke middelen zijn nodig?".into(),
        );
        let minimum = reg.decimal_at("cofinancing-minimum-share", reg.start()).map_or(Decimal::ZERO, |(d, _)| d);
        if minimum > Decimal::ZERO && !self.budget.is_empty() && self.cofinancing().is_zero() {
            gaps.push(Gap {
                field: "budget",
                message: format!(
                    "Er staat nog geen cofinanciering in het plan. De regio moet in totaal minstens {} \
                     cofinanciering hebben; een bijdrage van een bedrijf aan dit plan telt daarvoor mee.",
                    crate::fmt::percent_nl(minimum)
                ),
                blocking: false,
            });
        }
        gaps
    }

    /// The blocking gaps as field errors: why a submission or approval is refused.
    pub fn incomplete(&self, reg: &Regulation) -> FieldErrors {
        let mut e = FieldErrors::default();
        for g in self.gaps(reg).into_iter().filter(|g| g.blocking) {
            e.add(g.field, g.message);
        }
        e
    }

    /// The subsidy the plan asks for (its subsidy lines, price × quantity).
    pub fn requested(&self) -> Decimal {
        self.sum(FundingSource::Subsidy)
    }

    /// What partners contribute to the plan.
    pub fn cofinancing(&self) -> Decimal {
        self.sum(FundingSource::Cofinancing)
    }

    fn sum(&self, source: FundingSource) -> Decimal {
        self.budget.iter().filter(|l| l.funding.source == source).map(BudgetLine::amount).sum()
    }
}

impl crate::regulation::application::Budgeted for SchoolPlan {
    fn parts(&mut self) -> (&mut Vec<Activity>, &mut Vec<BudgetLine>) {
        (&mut self.activities, &mut self.budget)
    }
}

/// Puts an approved plan's activities and lines into `application`, marked with the plan's id,
/// in place of whatever that plan put there before: merging twice never counts money twice.
/// Co-financing partners missing from the application are added from `members`.
pub fn merge_into(
    application: &mut Application,
    plan_id: &str,
    plan: &SchoolPlan,
    members: &[ApplicationOrganisation],
) {
    let from_plan = |p: &Option<String>| p.as_deref() == Some(plan_id);
    application.activities.retain(|a| !from_plan(&a.school_plan));
    application.budget.retain(|l| !from_plan(&l.school_plan));
    let id = |local: &str| format!("{plan_id}:{local}");
    for a in &plan.activities {
        let mut a = a.clone();
        a.id = id(&a.id);
        a.school_plan = Some(plan_id.to_owned());
        a.lead = Some(plan.organisation.clone());
        a.themes = if plan.theme.is_empty() { a.themes } else { vec![plan.theme.clone()] };
        application.activities.push(a);
    }
    for l in &plan.budget {
        let mut l = l.clone();
        l.activity = id(&l.activity);
        l.school_plan = Some(plan_id.to_owned());
        application.budget.push(l);
    }
    let needed = std::iter::once(&plan.organisation).chain(plan.budget.iter().filter_map(|l| l.funding.by.as_ref()));
    for org in needed {
        if application.organisation(org).is_none()
            && let Some(m) = members.iter().find(|m| &m.id == org)
        {
            application.organisations.push(m.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;

    const MINE: PlanScope = PlanScope { region_id: "r1", author_id: "u", organisation_id: "school" };
    const THEIRS: PlanScope = PlanScope { region_id: "r1", author_id: "someone-else", organisation_id: "school" };

    fn actor(role: Role, region: &str) -> Actor {
        Actor {
            user_id: Some("u".into()),
            grants: vec![Grant { role, region_id: Some(region.into()), organisation_id: None, signatory: false }],
            system: false,
        }
    }

    /// `role` held for the plan's school with the signatory mark: its management.
    fn leader(role: Role, region: &str) -> Actor {
        let grant =
            Grant { role, region_id: Some(region.into()), organisation_id: Some("school".into()), signatory: true };
        Actor { user_id: Some("u".into()), grants: vec![grant], system: false }
    }

    #[test]
    fn every_allowed_transition_succeeds_for_its_roles_and_fails_for_the_others() {
        for t in &TRANSITIONS {
            for role in Role::ALL {
                let own = transition(&leader(role, "r1"), MINE, t.from, t.to, "toelichting");
                assert_eq!(own.is_ok(), t.roles.contains(&role), "{role:?} {:?} → {:?}", t.from, t.to);
                // Without the signatory mark, the management's steps are closed.
                let plain = transition(&actor(role, "r1"), MINE, t.from, t.to, "toelichting");
                assert_eq!(plain.is_ok(), t.roles.contains(&role) && !t.by_signatory, "{role:?} unmarked");
                let theirs = transition(&leader(role, "r1"), THEIRS, t.from, t.to, "toelichting");
                // Only its author submits a plan; the region reviews anyone's.
                let expected = t.roles.contains(&role) && !t.by_author;
                assert_eq!(theirs.is_ok(), expected, "{role:?} on someone else's plan");
                let other = transition(&leader(role, "r2"), MINE, t.from, t.to, "toelichting");
                assert!(matches!(other, Err(TransitionError::Forbidden { .. })), "{role:?} in another region");
            }
        }
    }

    #[test]
    fn a_plan_goes_to_the_school_management_before_the_region() {
        let teacher = actor(Role::SchoolContact, "r1");
        let steps: Vec<PlanState> = available(&teacher, MINE, PlanState::Concept).iter().map(|t| t.to).collect();
        assert_eq!(steps, [PlanState::BijSchoolleiding]);
        assert!(matches!(
            transition(&teacher, MINE, PlanState::Concept, PlanState::Ingediend, ""),
            Err(TransitionError::Forbidden { .. })
        ));
        // The school leader endorses (or sends back, saying why); writing it themselves, they submit.
        let head = leader(Role::SchoolContact, "r1");
        let theirs: Vec<PlanState> =
            available(&head, THEIRS, PlanState::BijSchoolleiding).iter().map(|t| t.to).collect();
        assert_eq!(theirs, [PlanState::Ingediend, PlanState::Concept]);
        let own: Vec<PlanState> = available(&head, MINE, PlanState::Concept).iter().map(|t| t.to).collect();
        assert_eq!(own, [PlanState::Ingediend]);
        let err = transition(&head, THEIRS, PlanState::BijSchoolleiding, PlanState::Concept, "").unwrap_err();
        assert_eq!(err, TransitionError::CommentRequired { to: PlanState::Concept });
        // A leader of another school is no leader of this one.
        let elsewhere = Actor {
            grants: vec![Grant { organisation_id: Some("other".into()), ..head.grants[0].clone() }],
            ..head.clone()
        };
        assert!(available(&elsewhere, THEIRS, PlanState::BijSchoolleiding).is_empty());
    }

    #[test]
    fn steps_outside_the_table_are_not_allowed_for_anyone() {
        let pm = actor(Role::RegionManager, "r1");
        for from in PlanState::ALL {
            for to in PlanState::ALL {
                if !TRANSITIONS.iter().any(|t| t.from == from && t.to == to) {
                    assert_eq!(transition(&pm, MINE, from, to, "x"), Err(TransitionError::NotAllowed { from, to }));
                }
            }
        }
        let err = transition(&pm, MINE, PlanState::Goedgekeurd, PlanState::Concept, "").unwrap_err();
        assert_eq!(err.to_string(), "Een deelplan met status goedgekeurd kan niet naar concept.");
    }

    #[test]
    fn returning_and_rejecting_need_a_comment() {
        let pm = actor(Role::RegionManager, "r1");
        let err = transition(&pm, MINE, PlanState::InBehandeling, PlanState::Afgewezen, "  ").unwrap_err();
        assert_eq!(err.to_string(), "Geef een toelichting: die is verplicht bij afgewezen.");
        assert!(transition(&pm, MINE, PlanState::InBehandeling, PlanState::Teruggestuurd, "Meer doelen graag").is_ok());
        assert!(transition(&pm, MINE, PlanState::InBehandeling, PlanState::Goedgekeurd, "").is_ok());
    }

    #[test]
    fn only_concept_and_returned_plans_are_editable() {
        let editable: Vec<PlanState> = PlanState::ALL.into_iter().filter(|s| s.editable()).collect();
        assert_eq!(editable, vec![PlanState::Concept, PlanState::Teruggestuurd]);
        assert_eq!(PlanState::parse("in-behandeling"), Some(PlanState::InBehandeling));
    }

    fn plan() -> (SchoolPlan, Vec<ApplicationOrganisation>) {
        let app = crate::regulation::sample::large_application(2, 4);
        let mut plan = SchoolPlan {
            title: "Techlab".into(),
            organisation: "vmbo-1".into(),
            theme: "duurzaamheid".into(),
            activities: app.activities.clone(),
            budget: app.budget.clone(),
            ..SchoolPlan::default()
        };
        plan.budget.iter_mut().for_each(|l| l.funding.by = None);
        plan.budget.iter_mut().for_each(|l| l.funding.source = FundingSource::Subsidy);
        (plan, app.organisations)
    }

    #[test]
    fn merging_a_plan_twice_counts_its_money_once_and_marks_where_lines_came_from() {
        let (plan, members) = plan();
        let mut app = crate::regulation::sample::large_application(3, 10);
        let before: Decimal = app.budget.iter().map(BudgetLine::amount).sum();
        merge_into(&mut app, "p1", &plan, &members);
        merge_into(&mut app, "p1", &plan, &members);
        let after: Decimal = app.budget.iter().map(BudgetLine::amount).sum();
        assert_eq!(after - before, plan.requested());
        assert_eq!(app.budget.iter().filter(|l| l.school_plan.as_deref() == Some("p1")).count(), plan.budget.len());
        assert_eq!(app.activities.len(), 3 + plan.activities.len());
        assert!(app.validate_structure().is_ok(), "lines point at the plan's activities");
        // A changed plan replaces its earlier lines instead of adding to them.
        let mut smaller = plan.clone();
        smaller.budget.truncate(1);
        merge_into(&mut app, "p1", &smaller, &members);
        let now: Decimal = app.budget.iter().map(BudgetLine::amount).sum();
        assert_eq!(now - before, smaller.requested());
    }

    #[test]
    fn a_plan_names_its_problems_per_row() {
        let (mut plan, members) = plan();
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
        assert!(plan.validate(&reg, &ids).is_empty(), "{:?}", plan.validate(&reg, &ids));
        plan.budget[1].category = "vliegreizen".into();
        plan.budget[2].year = 2031;
        plan.organisation = "elders".into();
        let messages: Vec<String> = plan.validate(&reg, &ids).iter().map(|f| f.message.clone()).collect();
        assert!(messages.contains(&"Regel 2: kies een kostensoort van de regeling.".to_owned()), "{messages:?}");
        assert!(messages.contains(&"Regel 3: het jaar 2031 valt buiten de regeling.".to_owned()), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("Kies de school")));
    }

    #[test]
    fn an_empty_plan_lists_what_it_lacks_and_a_complete_one_nothing_that_blocks() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let empty = SchoolPlan { organisation: "vmbo-1".into(), ..SchoolPlan::default() };
        let fields: Vec<&str> = empty.gaps(&reg).iter().filter(|g| g.blocking).map(|g| g.field).collect();
        assert_eq!(fields, ["title", "vision_fit", "goals", "activities", "budget"]);
        assert_eq!(empty.incomplete(&reg).iter().count(), 5);
        let (mut plan, _) = plan();
        plan.vision_fit = "Past bij de visie.".into();
        plan.goals = "Meer leerlingen kiezen techniek.".into();
        let milestone = crate::regulation::application::Milestone {
            title: "Eerste les".into(),
            due: jiff::civil::date(2026, 3, 1),
        };
        plan.activities.iter_mut().for_each(|a| a.milestones = vec![milestone.clone()]);
        assert!(plan.incomplete(&reg).is_empty(), "{:?}", plan.gaps(&reg));
        // Without co-financing the plan may go, with advice that names the regulation's minimum.
        let gaps = plan.gaps(&reg);
        assert!(gaps.iter().any(|g| !g.blocking && g.message.contains("cofinanciering")), "{gaps:?}");
        plan.activities[0].milestones.clear();
        let title = plan.activities[0].title.clone();
        let lacking = plan.incomplete(&reg);
        assert_eq!(
            lacking.get("activities"),
            Some(format!("Geef de activiteit \"{title}\" minstens één mijlpaal.").as_str())
        );
    }
}
