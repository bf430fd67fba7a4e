use jiff::civil::date;

use super::scoring::{self, Score, Scorecard};
use super::*;
use crate::access::Grant;
use crate::regulation::Regulation;

const REGION: &str = "r1";

fn actor(role: Role, region: Option<&str>) -> Actor {
    Actor {
        user_id: Some(format!("u-{}", role.code())),
        grants: vec![Grant { role, region_id: region.map(str::to_owned), organisation_id: None, signatory: false }],
        system: false,
    }
}

fn facts() -> Facts {
    Facts {
        today: date(2025, 1, 10),
        due: Some(date(2025, 1, 20)),
        objection_until: Some(date(2025, 2, 26)),
        objected: false,
    }
}

fn hand(
    who: &Actor,
    from: AssessmentState,
    to: AssessmentState,
    input: &StepInput,
) -> Result<&'static Transition, TransitionError> {
    transition(who, REGION, (from, to), true, input, facts())
}

fn with_comment() -> StepInput {
    StepInput { comment: "Toelichting".into(), ..StepInput::default() }
}

#[test]
fn every_hand_step_of_the_table_is_taken_by_its_role_and_refused_to_every_other() {
    let everyone = [
        actor(Role::Assessor, None),
        actor(Role::Observer, None),
        actor(Role::NationalAdmin, None),
        actor(Role::RegionManager, Some(REGION)),
        actor(Role::LeadApplicant, Some(REGION)),
        actor(Role::RegionManager, Some("r2")),
        actor(Role::SchoolContact, Some(REGION)),
        actor(Role::Partner, Some(REGION)),
    ];
    let input = StepInput {
        comment: "Toelichting".into(),
        items: vec!["De begroting per jaar".into()],
        due: Some(date(2025, 1, 31)),
    };
    let mut tried = 0;
    for t in TRANSITIONS.iter().filter(|t| matches!(t.who, Who::Assessor | Who::Region)) {
        let dates = Facts { due: Some(date(2025, 1, 1)), ..facts() };
        for who in &everyone {
            let may = match t.who {
                Who::Assessor => who.grants[0].role == Role::Assessor,
                _ => {
                    matches!(who.grants[0].role, Role::RegionManager | Role::LeadApplicant)
                        && who.grants[0].region_id.as_deref() == Some(REGION)
                }
            };
            let got = transition(who, REGION, (t.from, t.to), true, &input, dates);
            if may {
                assert_eq!(got, Ok(t), "{:?} {:?}→{:?}", who.grants[0].role, t.from, t.to);
            } else {
                assert!(
                    matches!(got, Err(TransitionError::Forbidden { .. })),
                    "{:?} {:?}→{:?}",
                    who.grants[0],
                    t.from,
                    t.to
                );
            }
            tried += 1;
        }
    }
    assert_eq!(tried, 6 * everyone.len());
}

#[test]
fn steps_outside_the_table_and_steps_taken_another_way_are_conflicts() {
    let assessor = actor(Role::Assessor, None);
    let region = actor(Role::LeadApplicant, Some(REGION));
    assert_eq!(
        hand(&assessor, AssessmentState::Ingediend, AssessmentState::Besloten, &with_comment()),
        Err(TransitionError::NotAllowed { from: AssessmentState::Ingediend, to: AssessmentState::Besloten })
    );
    assert!(matches!(
        hand(&assessor, AssessmentState::InBehandeling, AssessmentState::Beoordeeld, &with_comment()),
        Err(TransitionError::OtherWay(m)) if m.contains("advies")
    ));
    assert!(matches!(
        hand(&region, AssessmentState::AanvullingGevraagd, AssessmentState::InBehandeling, &with_comment()),
        Err(TransitionError::OtherWay(m)) if m.contains("opnieuw indient")
    ));
    // The same steps, taken their own way.
    let by_advice = transition(
        &assessor,
        REGION,
        (AssessmentState::InBehandeling, AssessmentState::Beoordeeld),
        false,
        &StepInput::default(),
        facts(),
    );
    assert_eq!(by_advice.map(|t| t.who), Ok(Who::Advice));
    let by_resubmission = transition(
        &region,
        REGION,
        (AssessmentState::AanvullingGevraagd, AssessmentState::InBehandeling),
        false,
        &StepInput::default(),
        facts(),
    );
    assert_eq!(by_resubmission.map(|t| t.notify), Ok(Notify::Resubmitted));
}

#[test]
fn a_repair_request_lists_items_and_a_due_date_after_today() {
    let assessor = actor(Role::Assessor, None);
    let (from, to) = (AssessmentState::InBehandeling, AssessmentState::AanvullingGevraagd);
    let no_items = StepInput { items: vec!["  ".into()], due: Some(date(2025, 2, 1)), ..StepInput::default() };
    assert_eq!(hand(&assessor, from, to, &no_items), Err(TransitionError::ItemsRequired));
    let today = StepInput { items: vec!["Begroting".into()], due: Some(date(2025, 1, 10)), ..StepInput::default() };
    assert_eq!(hand(&assessor, from, to, &today), Err(TransitionError::DueRequired));
    assert_eq!(TransitionError::DueRequired.field(), Some("due"));
    let fine = StepInput { due: Some(date(2025, 1, 11)), ..today };
    assert_eq!(hand(&assessor, from, to, &fine).map(|t| t.notify), Ok(Notify::RepairRequested));
}

#[test]
fn out_of_procedure_only_after_the_due_date_and_an_objection_only_within_six_weeks() {
    let assessor = actor(Role::Assessor, None);
    let region = actor(Role::RegionManager, Some(REGION));
    let out = (AssessmentState::AanvullingGevraagd, AssessmentState::BuitenBehandeling);
    let early = transition(&assessor, REGION, out, true, &with_comment(), facts());
    assert_eq!(early, Err(TransitionError::DueNotPassed(date(2025, 1, 20))));
    assert!(early.unwrap_err().to_string().contains("20 januari 2025"));
    let late = Facts { today: date(2025, 1, 21), ..facts() };
    assert!(transition(&assessor, REGION, out, true, &with_comment(), late).is_ok());
    assert_eq!(
        transition(&assessor, REGION, out, true, &StepInput::default(), late),
        Err(TransitionError::CommentRequired { to: AssessmentState::BuitenBehandeling })
    );

    let object = (AssessmentState::Besloten, AssessmentState::Bezwaar);
    assert!(
        transition(&region, REGION, object, true, &with_comment(), Facts { today: date(2025, 2, 26), ..facts() })
            .is_ok()
    );
    assert_eq!(
        transition(&region, REGION, object, true, &with_comment(), Facts { today: date(2025, 2, 27), ..facts() }),
        Err(TransitionError::ObjectionPeriodOver(date(2025, 2, 26)))
    );
    assert_eq!(
        transition(&region, REGION, object, true, &with_comment(), Facts { objected: true, ..facts() }),
        Err(TransitionError::AlreadyObjected),
        "one objection per decision"
    );
}

#[test]
fn the_buttons_are_the_hand_steps_of_the_actor() {
    let assessor = actor(Role::Assessor, None);
    let observer = actor(Role::Observer, None);
    let to = |ts: Vec<&Transition>| ts.into_iter().map(|t| t.to).collect::<Vec<_>>();
    let now = facts();
    assert_eq!(to(available(&assessor, REGION, AssessmentState::Ingediend, now)), [AssessmentState::InBehandeling]);
    assert_eq!(
        to(available(&assessor, REGION, AssessmentState::InBehandeling, now)),
        [AssessmentState::AanvullingGevraagd]
    );
    assert!(available(&observer, REGION, AssessmentState::Ingediend, now).is_empty(), "the ministry changes nothing");
    let region = actor(Role::LeadApplicant, Some(REGION));
    assert_eq!(to(available(&region, REGION, AssessmentState::Besloten, now)), [AssessmentState::Bezwaar]);
    assert!(available(&region, REGION, AssessmentState::AanvullingGevraagd, now).is_empty(), "resubmitting is the way");
    // Date conditions: out of procedure after the due date, an objection within the period.
    assert!(available(&assessor, REGION, AssessmentState::AanvullingGevraagd, now).is_empty());
    let later = Facts { today: date(2025, 3, 1), ..now };
    assert_eq!(
        to(available(&assessor, REGION, AssessmentState::AanvullingGevraagd, later)),
        [AssessmentState::BuitenBehandeling]
    );
    assert!(available(&region, REGION, AssessmentState::Besloten, later).is_empty(), "the objection period is over");
}

#[test]
fn an_assessor_with_a_grant_in_the_region_does_not_assess_it_and_long_texts_are_refused() {
    let mut both = actor(Role::Assessor, None);
    both.grants.push(Grant {
        role: Role::LeadApplicant,
        region_id: Some(REGION.into()),
        organisation_id: None,
        signatory: false,
    });
    assert!(matches!(
        hand(&both, AssessmentState::Ingediend, AssessmentState::InBehandeling, &StepInput::default()),
        Err(TransitionError::Forbidden { .. })
    ));
    assert!(both.assesses("r2"), "another region is fine");
    let assessor = actor(Role::Assessor, None);
    let long = StepInput { comment: "x".repeat(5_001), ..StepInput::default() };
    let e = hand(&assessor, AssessmentState::Ingediend, AssessmentState::InBehandeling, &long).unwrap_err();
    assert_eq!(e.field(), Some("comment"));
    let many = StepInput { items: vec!["x".into(); 21], due: Some(date(2025, 2, 1)), ..StepInput::default() };
    let e = hand(&assessor, AssessmentState::InBehandeling, AssessmentState::AanvullingGevraagd, &many).unwrap_err();
    assert_eq!(e.field(), Some("items"));
}

#[test]
fn the_repair_window_is_open_until_the_due_date_inclusive() {
    let due = Some(date(2025, 1, 20));
    assert!(repair_open(AssessmentState::AanvullingGevraagd, due, date(2025, 1, 20)));
    assert!(!repair_open(AssessmentState::AanvullingGevraagd, due, date(2025, 1, 21)));
    assert!(!repair_open(AssessmentState::InBehandeling, due, date(2025, 1, 1)));
}

fn card(id: &str, conflict: bool, submitted: bool) -> Scorecard {
    Scorecard {
        assessor_id: id.into(),
        assessor_name: id.into(),
        conflict,
        scores: vec![Score { criterion: "visie".into(), score: 4, motivation: "Helder".into() }],
        submitted_at: submitted.then_some(1),
    }
}

#[test]
fn four_eyes_two_independent_scorers_without_conflict_and_no_peeking() {
    let one = card("a1", false, true);
    let two = card("a2", false, false);
    let cards = vec![one.clone(), two.clone()];
    assert!(scoring::visible(&cards, &one, Some("a1")), "one's own card");
    assert!(!scoring::visible(&cards, &one, Some("a2")), "not a colleague's before both are in");
    assert!(!scoring::visible(&cards, &one, None), "nor the ministry's view");
    assert!(!scoring::all_in(&cards));
    let both = vec![one.clone(), card("a2", false, true)];
    assert!(scoring::visible(&both, &one, Some("a2")) && scoring::all_in(&both));

    // A declared conflict does not count as a scorer and may not score.
    let conflicted = vec![card("a1", true, false), one.clone()];
    assert!(!scoring::all_in(&conflicted));
    assert!(scoring::may_score(&conflicted, "a1").unwrap_err().contains("belangenconflict"));
    assert!(scoring::may_score(&conflicted, "a3").unwrap_err().contains("Verklaar eerst"));
    assert!(scoring::may_declare(&conflicted, "a3").is_ok(), "a conflict leaves room for another");
    assert!(scoring::may_declare(&both, "a3").unwrap_err().contains("Twee beoordelaars"));
    assert!(scoring::may_declare(&both, "a1").is_err(), "not twice");
}

#[test]
fn scores_cover_every_criterion_within_its_scale_with_a_motivation() {
    let reg = Regulation::builtin("sto-2025-2028").unwrap();
    assert!(reg.criteria.len() >= 4 && reg.criteria.iter().all(|c| !c.verified), "from secondary sources");
    let mut scores: Vec<Score> = reg
        .criteria
        .iter()
        .map(|c| Score { criterion: c.id.clone(), score: 3, motivation: "Voldoende onderbouwd.".into() })
        .collect();
    assert!(scoring::validate(&reg.criteria, &scores, true).is_empty());
    scores[0].score = 9;
    scores[1].motivation = " ".into();
    scores.pop();
    scores.push(Score { criterion: "onbekend".into(), score: 3, motivation: "x".into() });
    let draft = scoring::validate(&reg.criteria, &scores, false);
    assert_eq!(draft.iter().count(), 2, "a draft: only the out-of-scale and the unknown: {draft:?}");
    let e = scoring::validate(&reg.criteria, &scores, true);
    let first = &reg.criteria[0];
    assert!(e.get(&format!("scores.{}", first.id)).unwrap().contains("tussen 1 en 5; u gaf 9"));
    assert!(e.get(&format!("motivation.{}", reg.criteria[1].id)).unwrap().contains("Motiveer"));
    assert!(e.get(&format!("scores.{}", reg.criteria.last().unwrap().id)).unwrap().contains("Geef een score"));
    assert!(e.get("scores.onbekend").is_some());
    let twice: Vec<Score> = ["visie", "visie"]
        .into_iter()
        .map(|c| Score { criterion: c.into(), score: 3, motivation: "x".into() })
        .collect();
    assert!(scoring::validate(&reg.criteria, &twice, false).get("scores.visie").unwrap().contains("twee keer"));
}
