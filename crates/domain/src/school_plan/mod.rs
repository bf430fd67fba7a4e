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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
mod tests;
