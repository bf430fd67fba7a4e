use jiff::civil::date;

use super::*;
use crate::access::Grant;

const REGION: &str = "r1";

fn actor(role: Role, region: Option<&str>) -> Actor {
    Actor {
        user_id: Some(format!("u-{}", role.code())),
        grants: vec![Grant { role, region_id: region.map(str::to_owned), organisation_id: None, signatory: false }],
        system: false,
    }
}

#[test]
fn the_region_submits_the_funder_accepts_or_asks_more_and_no_one_else_moves_a_report() {
    let region = [actor(Role::RegionManager, Some(REGION)), actor(Role::LeadApplicant, Some(REGION))];
    let assessor = actor(Role::Assessor, None);
    let others = [
        actor(Role::RegionManager, Some("r2")),
        actor(Role::SchoolContact, Some(REGION)),
        actor(Role::Observer, None),
        actor(Role::NationalAdmin, None),
    ];
    for t in &TRANSITIONS {
        let comment = if t.comment_required { "Graag de bewijsstukken." } else { "" };
        let doers: Vec<&Actor> = match t.who {
            Who::Region => region.iter().collect(),
            Who::Assessor => vec![&assessor],
        };
        for a in &doers {
            assert!(transition(a, REGION, (t.from, t.to), comment).is_ok(), "{t:?}");
        }
        for a in others.iter().chain(if t.who == Who::Region { vec![&assessor] } else { region.iter().collect() }) {
            assert_eq!(
                transition(a, REGION, (t.from, t.to), comment),
                Err(TransitionError::Forbidden { from: t.from, to: t.to })
            );
        }
    }
    assert_eq!(
        transition(&assessor, REGION, (S::Ingediend, S::MeerGevraagd), " "),
        Err(TransitionError::CommentRequired)
    );
    assert!(matches!(
        transition(&assessor, REGION, (S::Geaccepteerd, S::MeerGevraagd), "x"),
        Err(TransitionError::NotAllowed { .. })
    ));
    assert!(S::ALL.iter().all(|s| S::parse(s.code()) == Some(*s)));
}

#[test]
fn reminders_step_through_the_leads_and_stop_once_submitted() {
    let due = date(2026, 4, 1);
    let leads = [30, 7, -1, -14];
    assert_eq!(reminder(S::Open, due, date(2026, 2, 1), &leads), None, "too early");
    assert_eq!(reminder(S::Open, due, date(2026, 3, 2), &leads), Some(30));
    assert_eq!(reminder(S::Open, due, date(2026, 3, 28), &leads), Some(7));
    assert_eq!(reminder(S::Open, due, date(2026, 4, 1), &leads), Some(7), "on the day itself it is not late yet");
    assert_eq!(reminder(S::Open, due, date(2026, 4, 2), &leads), Some(-1));
    assert_eq!(reminder(S::MeerGevraagd, due, date(2026, 6, 1), &leads), Some(-14));
    assert_eq!(reminder(S::Ingediend, due, date(2026, 6, 1), &leads), None, "submitted: no more reminders");
    assert_eq!(timeliness(S::Open, due, date(2026, 4, 2)), Timeliness::Overdue);
    assert_eq!(timeliness(S::Ingediend, due, date(2026, 4, 2)), Timeliness::InHand);
    assert_eq!(timeliness(S::Open, due, due), Timeliness::Due);
}

#[test]
fn a_progress_report_opens_when_its_year_is_over_and_the_final_report_at_any_time() {
    assert_eq!(opens(Some(2025)), Some(date(2026, 1, 1)));
    assert_eq!(opens(None), None);
}
