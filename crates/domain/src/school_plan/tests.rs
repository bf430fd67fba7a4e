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
    let grant = Grant { role, region_id: Some(region.into()), organisation_id: Some("school".into()), signatory: true };
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
    let theirs: Vec<PlanState> = available(&head, THEIRS, PlanState::BijSchoolleiding).iter().map(|t| t.to).collect();
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
    let milestone =
        crate::regulation::application::Milestone { title: "Eerste les".into(), due: jiff::civil::date(2026, 3, 1) };
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
