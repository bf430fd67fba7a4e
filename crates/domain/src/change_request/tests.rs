use rust_decimal::Decimal;

use super::*;
use crate::access::Grant;
use crate::regulation::application::Amount;

const REGION: &str = "r1";

fn actor(role: Role, region: Option<&str>) -> Actor {
    Actor {
        user_id: Some(format!("u-{}", role.code())),
        grants: vec![Grant { role, region_id: region.map(str::to_owned), organisation_id: None, signatory: false }],
        system: false,
    }
}

fn reg() -> Regulation {
    Regulation::builtin("sto-2025-2028").unwrap()
}

fn plan() -> Application {
    Application::from_json(include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap()
}

#[test]
fn the_region_submits_and_withdraws_the_funder_answers_and_no_one_else_moves_a_change() {
    let manager = actor(Role::RegionManager, Some(REGION));
    let lead = actor(Role::LeadApplicant, Some(REGION));
    let assessor = actor(Role::Assessor, None);
    let others = [
        actor(Role::RegionManager, Some("r2")),
        actor(Role::SchoolContact, Some(REGION)),
        actor(Role::Partner, Some(REGION)),
        actor(Role::Observer, None),
        actor(Role::NationalAdmin, None),
    ];
    for t in &TRANSITIONS {
        let (doers, refused): (Vec<&Actor>, Vec<&Actor>) = match t.who {
            Who::Region => (vec![&manager, &lead], vec![&assessor]),
            Who::Assessor => (vec![&assessor], vec![&manager, &lead]),
        };
        let substantial = t.applies != Applies::Minor;
        let comment = if t.comment_required { "Omdat het zo is." } else { "" };
        for a in doers {
            assert!(transition(a, REGION, (t.from, t.to), substantial, comment).is_ok(), "{t:?} for {:?}", a.grants);
        }
        for a in refused.into_iter().chain(&others) {
            assert_eq!(
                transition(a, REGION, (t.from, t.to), substantial, comment),
                Err(TransitionError::Forbidden { from: t.from, to: t.to }),
                "{t:?} refused to {:?}",
                a.grants
            );
        }
    }
}

#[test]
fn a_substantial_change_needs_approval_and_a_minor_one_is_reported() {
    let manager = actor(Role::RegionManager, Some(REGION));
    let to_report = (S::Concept, S::Gemeld);
    let to_submit = (S::Concept, S::Ingediend);
    assert_eq!(transition(&manager, REGION, to_report, true, ""), Err(TransitionError::NeedsApproval));
    assert_eq!(transition(&manager, REGION, to_submit, false, ""), Err(TransitionError::OnlyReport));
    assert_eq!(submitted_state(true), S::Ingediend);
    assert_eq!(submitted_state(false), S::Gemeld);
    let buttons: Vec<S> = available(&manager, REGION, S::Concept, true).iter().map(|t| t.to).collect();
    assert_eq!(buttons, [S::Ingediend, S::Ingetrokken]);
    // A decided change stays decided; a rejection needs a reason.
    let assessor = actor(Role::Assessor, None);
    for from in [S::Goedgekeurd, S::Afgewezen, S::Gemeld, S::Ingetrokken] {
        assert!(
            available(&assessor, REGION, from, true).is_empty() && available(&manager, REGION, from, true).is_empty()
        );
    }
    assert_eq!(
        transition(&assessor, REGION, (S::Ingediend, S::Afgewezen), true, " "),
        Err(TransitionError::CommentRequired { to: S::Afgewezen })
    );
    // An assessor with a role in the region does not judge its change.
    let mut conflicted = assessor.clone();
    conflicted.grants.push(Grant {
        role: Role::Partner,
        region_id: Some(REGION.into()),
        organisation_id: None,
        signatory: false,
    });
    assert!(transition(&conflicted, REGION, (S::Ingediend, S::Goedgekeurd), true, "").is_err());
    assert!(S::ALL.iter().all(|s| S::parse(s.code()) == Some(*s)));
}

#[test]
fn moving_money_between_activities_of_a_category_is_minor() {
    let (reg, old) = (reg(), plan());
    let mut new = old.clone();
    // Two activities of the same category trade 1.000 euro: nothing the duty to report names.
    let i = new.budget.iter().position(|l| l.activity == "a2" && l.year == 2025).unwrap();
    new.budget[i].quantity = Amount(Decimal::from(16));
    let mut extra = new.budget[i].clone();
    extra.activity = "a1".into();
    extra.quantity = Amount(Decimal::from(4));
    new.budget.push(extra);
    assert_eq!(substantial(&reg, &old, &new).unwrap(), Vec::<String>::new());
    assert!(notice_between(&old, &new, "").moves.is_empty());
}

#[test]
fn a_dropped_activity_money_to_overhead_more_subsidy_and_a_leaving_partner_are_substantial() {
    let (reg, old) = (reg(), plan());
    let mut dropped = old.clone();
    dropped.activities.retain(|a| a.id != "a2");
    dropped.budget.retain(|l| l.activity != "a2");
    let why = substantial(&reg, &old, &dropped).unwrap();
    assert!(why.iter().any(|w| w.contains("1 activiteit(en) worden niet uitgevoerd")), "{why:?}");
    assert!(why.iter().any(|w| w.contains("Doelen gewijzigd (1 vervallen, 0 toegevoegd)")), "{why:?}");

    let mut overhead = old.clone();
    let i =
        overhead.budget.iter().position(|l| l.activity == "a3" && l.year == 2026 && l.category == "materials").unwrap();
    overhead.budget[i].unit_price_eur = Amount(Decimal::from(8_000));
    let mut line = overhead.budget[i].clone();
    line.category = "overhead".into();
    line.unit_price_eur = Amount(Decimal::from(2_000));
    overhead.budget.push(line);
    let why = substantial(&reg, &old, &overhead).unwrap();
    assert!(why.iter().any(|w| w.contains("€ 2.000,00 verschoven van") && w.contains("naar overhead")), "{why:?}");

    let mut more = old.clone();
    more.budget[0].quantity = Amount(Decimal::from(500));
    let why = substantial(&reg, &old, &more).unwrap();
    assert!(why.iter().any(|w| w.contains("De subsidie stijgt van")), "{why:?}");

    let mut moved = old.clone();
    let i = moved.budget.iter().position(|l| l.activity == "a1" && l.year == 2025).unwrap();
    moved.budget[i].quantity = Amount(Decimal::from(300));
    let j = moved.budget.iter().position(|l| l.activity == "a1" && l.year == 2026).unwrap();
    moved.budget[j].quantity = Amount(Decimal::from(500));
    let why = substantial(&reg, &old, &moved).unwrap();
    assert!(why.iter().any(|w| w.starts_with("Subsidie verschoven naar een ander jaar (2026")), "{why:?}");

    let mut partner = old.clone();
    partner.organisations.retain(|o| o.id != "gemeente-1");
    partner.budget.retain(|l| l.funding.by.as_deref() != Some("gemeente-1"));
    let why = substantial(&reg, &old, &partner).unwrap();
    assert!(why.iter().any(|w| w.starts_with("Partner(s) doen niet meer mee")), "{why:?}");
}
