//! The funder's half of an application's life, through the use cases: the steps of the table
//! per role, a repair request that opens a closed phase, four eyes and the conflict declaration,
//! the decision and what execution is held to afterwards.

use std::collections::BTreeMap;
use std::process::Command;

use domain::Actor;
use domain::assessment::decision::{DecisionInput, Outcome};
use domain::assessment::scoring::Score;
use domain::assessment::{AssessmentState, StepInput};
use domain::regulation::application::Amount;
use jiff::civil::date;
use rust_decimal::Decimal;
use services::assessments::{self as funder, decisions, scoring};
use services::demo::{DEMO_REGION, DEMO_USERS};
use services::execution::Basis;
use services::{App, ServiceError};

const PHASE: &str = "uitwerking-2027-2028";

async fn app() -> App {
    let db = store::Db::fresh_for_test().await.expect("test database");
    let mut app = App::new(db);
    app.clock = Some("2024-09-30T12:00:00+02:00".parse().unwrap());
    services::demo::load(&app).await.expect("demo set");
    app
}

fn at(app: &App, instant: &str) -> App {
    App { clock: Some(instant.parse().unwrap()), ..app.clone() }
}

async fn actor(app: &App, email: &str) -> Actor {
    let mut conn = app.db.conn().await.unwrap();
    let id = store::users::id_by_email(&mut conn, email).await.unwrap().unwrap();
    services::auth::actor_for_user(app, &id).await.unwrap()
}

struct People {
    manager: Actor,
    /// Signs for the lead applicant: submits.
    lead: Actor,
    partner: Actor,
    assessor: Actor,
    second: Actor,
    ministry: Actor,
    national: Actor,
}

async fn people(app: &App) -> People {
    People {
        national: actor(app, DEMO_USERS[0].0).await,
        manager: actor(app, DEMO_USERS[1].0).await,
        lead: actor(app, DEMO_USERS[2].0).await,
        partner: actor(app, DEMO_USERS[4].0).await,
        assessor: actor(app, DEMO_USERS[5].0).await,
        second: actor(app, DEMO_USERS[6].0).await,
        ministry: actor(app, DEMO_USERS[7].0).await,
    }
}

/// The detailed application for 2027 and 2028, made from the main lines (its 2027–2028 lines),
/// made by the region's manager and submitted by the lead applicant's signatory; returns the
/// submitted version's number.
async fn submit_detailed(app: &App, manager: &Actor) -> i64 {
    let (mut a, _) = services::applications::content(app, manager, DEMO_REGION, "hoofdlijnen", 1).await.unwrap();
    a.phase = PHASE.into();
    a.budget.retain(|l| l.year >= 2027);
    services::applications::import(app, manager, DEMO_REGION, &a.canonical_json(), None).await.unwrap();
    let (_, version) = services::applications::get(app, manager, DEMO_REGION, PHASE).await.unwrap();
    let lead = actor(app, DEMO_USERS[2].0).await;
    services::applications::submit(app, &lead, DEMO_REGION, PHASE, version).await.expect("submitted").number
}

fn step(comment: &str) -> StepInput {
    StepInput { comment: comment.into(), ..StepInput::default() }
}

fn repair(items: &[&str], due: jiff::civil::Date) -> StepInput {
    StepInput { comment: String::new(), items: items.iter().map(|i| (*i).to_owned()).collect(), due: Some(due) }
}

async fn state(app: &App, who: &Actor) -> AssessmentState {
    funder::status(app, who, DEMO_REGION, PHASE).await.unwrap().expect("submitted").state
}

async fn score_all(app: &App, who: &Actor, score: i64) {
    let reg = app.current_regulation().unwrap();
    let scores: Vec<Score> = reg
        .criteria
        .iter()
        .map(|c| Score { criterion: c.id.clone(), score, motivation: format!("Onderbouwing bij {}.", c.title) })
        .collect();
    scoring::save_scores(app, who, (DEMO_REGION, PHASE), scores, true).await.unwrap();
}

fn denied<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> bool {
    matches!(r, Err(ServiceError::Denied(_)))
}

#[tokio::test]
async fn from_submission_to_decision_and_a_later_resubmission_moves_nothing() {
    let base = app().await;
    let app = at(&base, "2024-11-01T10:00:00+01:00");
    let p = people(&app).await;
    let first = submit_detailed(&app, &p.manager).await;
    assert_eq!(state(&app, &p.manager).await, AssessmentState::Ingediend, "the region sees where it stands");

    // Only the funder's staff take it; the ministry and the region may not.
    let take = |who: &Actor| {
        let (app, who) = (app.clone(), who.clone());
        async move {
            funder::step(&app, &who, (DEMO_REGION, PHASE), AssessmentState::InBehandeling, StepInput::default(), None)
                .await
        }
    };
    for who in [&p.ministry, &p.manager, &p.national, &p.partner] {
        assert!(denied(take(who).await), "{:?}", who.grants);
    }
    take(&p.assessor).await.unwrap();
    assert_eq!(state(&app, &p.manager).await, AssessmentState::InBehandeling);
    let (_, version) = services::applications::get(&app, &p.manager, DEMO_REGION, PHASE).await.unwrap();
    let meanwhile = services::applications::submit(&app, &p.lead, DEMO_REGION, PHASE, version).await;
    assert!(matches!(&meanwhile, Err(ServiceError::NotAllowed(m)) if m.contains("DUS-I behandelt")), "{meanwhile:?}");

    // A repair request needs items and a due date; the region sees both and answers by resubmitting.
    let none = funder::step(
        &app,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::AanvullingGevraagd,
        repair(&[], date(2024, 11, 15)),
        None,
    )
    .await;
    assert!(matches!(&none, Err(ServiceError::Invalid(e)) if e.get("items").is_some()), "{none:?}");
    let items = ["De begroting per activiteit voor 2028", "De rol van het primair onderwijs"];
    funder::step(
        &app,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::AanvullingGevraagd,
        repair(&items, date(2024, 11, 15)),
        None,
    )
    .await
    .unwrap();
    let seen = funder::status(&app, &p.manager, DEMO_REGION, PHASE).await.unwrap().unwrap();
    assert_eq!(seen.request.as_ref().map(|r| (r.items.len(), r.due)), Some((2, date(2024, 11, 15))));
    let mail = services::mail::mine(&app, &p.manager).await.unwrap();
    assert!(
        mail.iter().any(|m| m.subject.starts_with("Aanvulling gevraagd") && m.body.contains("primair onderwijs")),
        "mailed to the region"
    );
    let (_, version) = services::applications::get(&app, &p.manager, DEMO_REGION, PHASE).await.unwrap();
    let second = services::applications::submit(&app, &p.lead, DEMO_REGION, PHASE, version).await.unwrap().number;
    assert_eq!(second, first + 1);
    assert_eq!(state(&app, &p.manager).await, AssessmentState::InBehandeling, "the resubmission puts it back");

    // Four eyes: a declaration first, scores hidden from the other until both are in.
    let early = scoring::save_scores(&app, &p.assessor, (DEMO_REGION, PHASE), Vec::new(), false).await;
    assert!(matches!(&early, Err(ServiceError::NotAllowed(m)) if m.contains("Verklaar eerst")), "{early:?}");
    scoring::declare(&app, &p.assessor, (DEMO_REGION, PHASE), false).await.unwrap();
    score_all(&app, &p.assessor, 4).await;
    let theirs = scoring::review(&app, &p.second, DEMO_REGION, PHASE).await.unwrap();
    assert!(theirs.cards.is_empty() && theirs.hidden == 1, "the second assessor does not see the first's scores");
    let ministry = scoring::review(&app, &p.ministry, DEMO_REGION, PHASE).await.unwrap();
    assert!(ministry.cards.is_empty(), "nor does the ministry");
    assert!(denied(scoring::review(&app, &p.manager, DEMO_REGION, PHASE).await), "the region sees no scores");
    let one = scoring::advise(&app, &p.assessor, (DEMO_REGION, PHASE), "Positief.").await;
    assert!(matches!(&one, Err(ServiceError::NotAllowed(m)) if m.contains("er zijn er 1 binnen")), "{one:?}");
    scoring::declare(&app, &p.second, (DEMO_REGION, PHASE), false).await.unwrap();
    score_all(&app, &p.second, 3).await;
    let both = scoring::review(&app, &p.second, DEMO_REGION, PHASE).await.unwrap();
    assert_eq!(both.cards.len(), 2);
    assert_eq!(both.averages.first().and_then(|(_, a)| *a), Some(3.5));
    scoring::advise(&app, &p.second, (DEMO_REGION, PHASE), "Toekennen: een sterk en haalbaar plan.").await.unwrap();
    assert_eq!(state(&app, &p.manager).await, AssessmentState::Beoordeeld);

    // The decision: never more than asked, recorded on the latest version, with its letter.
    let review = scoring::review(&app, &p.assessor, DEMO_REGION, PHASE).await.unwrap();
    let asked: BTreeMap<i16, Amount> = review.requested.iter().map(|(y, a)| (*y, Amount(*a))).collect();
    let mut too_much = asked.clone();
    too_much.values_mut().for_each(|a| a.0 += Decimal::ONE);
    let input = |amounts: BTreeMap<i16, Amount>| DecisionInput {
        reference: "DUS-I/STO/2024/0042".into(),
        decided_on: date(2024, 11, 1),
        outcome: Outcome::Toegekend,
        amounts,
        conditions: "Rapporteer elk jaar over de drie thema's.".into(),
    };
    let refused = decisions::decide(&app, &p.assessor, (DEMO_REGION, PHASE), input(too_much)).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e.iter().any(|f| f.message.contains("niet meer worden toegekend"))),
        "{refused:?}"
    );
    assert!(denied(decisions::decide(&app, &p.ministry, (DEMO_REGION, PHASE), input(asked.clone())).await));
    // The region maximum table the national team keeps bounds the decision.
    let table = ("sto-2025-2028", DEMO_REGION);
    let lower = |amount: i64, reason: &'static str| domain::regulation::maximum::MaximumInput {
        amount: Some(Decimal::from(amount)),
        source: "Bijlage 3",
        verified: true,
        reason,
    };
    let in_force = |app: &App| {
        let app = app.clone();
        async move { services::maximums::history(&app, table.0, table.1).await.unwrap().1[0].id.clone() }
    };
    let row = in_force(&app).await;
    services::maximums::set(&app, &p.national, table, &lower(1_000, "Tijdelijk te laag."), Some(&row)).await.unwrap();
    let above = decisions::decide(&app, &p.assessor, (DEMO_REGION, PHASE), input(asked.clone())).await;
    assert!(
        matches!(&above, Err(ServiceError::Invalid(e)) if e.iter().any(|f| f.message.contains("meer dan het maximum van € 1.000,00"))),
        "{above:?}"
    );
    let row = in_force(&app).await;
    services::maximums::set(&app, &p.national, table, &lower(3_200_000, "Hersteld."), Some(&row)).await.unwrap();
    let d = decisions::decide(&app, &p.assessor, (DEMO_REGION, PHASE), input(asked.clone())).await.unwrap();
    assert_eq!((d.version, d.objection_until), (second, date(2024, 12, 13)));
    assert_eq!(state(&app, &p.manager).await, AssessmentState::Besloten);
    let (_, pdf) = decisions::letter(&app, &p.manager, DEMO_REGION, PHASE).await.unwrap();
    let file = std::env::temp_dir().join(format!("besluit-{}.pdf", std::process::id()));
    std::fs::write(&file, &pdf).unwrap();
    let text = Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&text.stdout);
    let year_2027 = domain::fmt::euro_nl(asked[&2027].0);
    assert!(
        text.contains("DUS-I/STO/2024/0042") && text.contains(&year_2027),
        "the letter shows the amounts per year: {text}"
    );
    assert!(text.contains("13 december 2024"), "and the end of the objection period: {text}");

    // Execution now follows the decision, and a later resubmission does not move it.
    let ledger = services::execution::ledger(&app, &p.manager, DEMO_REGION).await.unwrap();
    let decided_lines = ledger.approved.budget.iter().filter(|l| l.year >= 2027).count();
    assert!(
        matches!(&ledger.basis, Basis::Submitted(used) if used.iter().any(|u| u.decision.as_deref() == Some("DUS-I/STO/2024/0042") && u.version == second)),
        "{:?}",
        ledger.basis
    );
    assert_eq!(ledger.decided.get(&2027), asked.get(&2027).map(|a| &a.0));
    let (_, version) = services::applications::get(&app, &p.manager, DEMO_REGION, PHASE).await.unwrap();
    let version = services::applications::update(&app, &p.manager, DEMO_REGION, PHASE, version, |a| {
        a.budget.retain(|l| l.year == 2027);
        Ok(())
    })
    .await
    .unwrap();
    let third = services::applications::submit(&app, &p.lead, DEMO_REGION, PHASE, version).await.unwrap();
    assert_eq!(third.number, second + 1);
    let after = services::execution::ledger(&app, &p.manager, DEMO_REGION).await.unwrap();
    assert_eq!(after.basis, ledger.basis, "the decided version still counts");
    assert_eq!(after.approved.budget.iter().filter(|l| l.year >= 2027).count(), decided_lines);
    assert_eq!(after.decided, ledger.decided);
    assert_eq!(state(&app, &p.manager).await, AssessmentState::Besloten);

    // An objection within six weeks, founded: the decision is withdrawn and a new one follows.
    let objection =
        funder::step(&app, &p.manager, (DEMO_REGION, PHASE), AssessmentState::Bezwaar, step(""), None).await;
    assert!(matches!(&objection, Err(ServiceError::Invalid(e)) if e.get("comment").is_some()), "{objection:?}");
    funder::step(
        &app,
        &p.manager,
        (DEMO_REGION, PHASE),
        AssessmentState::Bezwaar,
        step("De voorwaarde is te zwaar."),
        None,
    )
    .await
    .unwrap();
    funder::step(&app, &p.assessor, (DEMO_REGION, PHASE), AssessmentState::Beoordeeld, step("Gegrond."), None)
        .await
        .unwrap();
    let reopened = funder::status(&app, &p.manager, DEMO_REGION, PHASE).await.unwrap().unwrap();
    assert!(reopened.decision.is_none() && reopened.withdrawn.len() == 1, "withdrawn, not deleted");
}

#[tokio::test]
async fn a_repair_request_opens_a_closed_phase_until_its_due_date_and_then_out_of_procedure() {
    let base = app().await;
    let before_close = at(&base, "2026-09-20T10:00:00+02:00");
    let p = people(&before_close).await;
    submit_detailed(&before_close, &p.manager).await;
    let closed = at(&base, "2026-10-05T10:00:00+02:00");
    let refused = services::applications::get(&closed, &p.manager, DEMO_REGION, PHASE).await.unwrap().1;
    let edit = |app: &App, v: i64| {
        let (app, manager) = (app.clone(), p.manager.clone());
        async move {
            services::applications::update(&app, &manager, DEMO_REGION, PHASE, v, |a| {
                a.vision = Some("Aangevuld met de rol van het primair onderwijs.".into());
                Ok(())
            })
            .await
        }
    };
    assert!(matches!(edit(&closed, refused).await, Err(ServiceError::NotAllowed(_))), "the phase is closed");
    funder::step(
        &closed,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::InBehandeling,
        StepInput::default(),
        None,
    )
    .await
    .unwrap();
    funder::step(
        &closed,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::AanvullingGevraagd,
        repair(&["Visie"], date(2026, 10, 15)),
        None,
    )
    .await
    .unwrap();
    let v = edit(&closed, refused).await.expect("open for the repair");
    let submitted = services::applications::submit(&closed, &p.lead, DEMO_REGION, PHASE, v).await;
    assert!(submitted.is_ok(), "the deadline rule counts the repair term: {submitted:?}");
    let review = scoring::review(&closed, &p.assessor, DEMO_REGION, PHASE).await.unwrap();
    let deadline = review.report.findings.iter().find(|f| f.rule == "deadline").unwrap();
    assert!(
        deadline.passed && deadline.trace.iter().any(|t| t.source.as_deref().is_some_and(|s| s.contains("aanvulling"))),
        "{deadline:?}"
    );

    // A second request, not answered: out of procedure only after its due date.
    funder::step(
        &closed,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::AanvullingGevraagd,
        repair(&["Begroting"], date(2026, 10, 25)),
        None,
    )
    .await
    .unwrap();
    let out = |app: &App| {
        let (app, who) = (app.clone(), p.assessor.clone());
        async move {
            funder::step(
                &app,
                &who,
                (DEMO_REGION, PHASE),
                AssessmentState::BuitenBehandeling,
                step("Geen aanvulling ontvangen."),
                None,
            )
            .await
        }
    };
    let early = out(&at(&base, "2026-10-25T18:00:00+02:00")).await;
    assert!(matches!(&early, Err(ServiceError::NotAllowed(m)) if m.contains("25 oktober 2026")), "{early:?}");
    let late = at(&base, "2026-10-26T09:00:00+01:00");
    out(&late).await.unwrap();
    let (_, v) = services::applications::get(&late, &p.manager, DEMO_REGION, PHASE).await.unwrap();
    assert!(matches!(edit(&late, v).await, Err(ServiceError::NotAllowed(_))), "closed again");
    assert_eq!(state(&late, &p.manager).await, AssessmentState::BuitenBehandeling);
}

#[tokio::test]
async fn a_declared_conflict_steps_aside_and_a_stale_revision_changes_nothing() {
    let base = app().await;
    let app = at(&base, "2024-11-01T10:00:00+01:00");
    let p = people(&app).await;
    submit_detailed(&app, &p.manager).await;
    let status = funder::status(&app, &p.assessor, DEMO_REGION, PHASE).await.unwrap().unwrap();
    funder::step(
        &app,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::InBehandeling,
        StepInput::default(),
        Some(status.revision),
    )
    .await
    .unwrap();
    let stale = funder::step(
        &app,
        &p.assessor,
        (DEMO_REGION, PHASE),
        AssessmentState::AanvullingGevraagd,
        repair(&["x"], date(2024, 12, 1)),
        Some(status.revision),
    )
    .await;
    assert!(matches!(stale, Err(ServiceError::Conflict)), "{stale:?}");
    scoring::declare(&app, &p.second, (DEMO_REGION, PHASE), true).await.unwrap();
    let scores = scoring::save_scores(&app, &p.second, (DEMO_REGION, PHASE), Vec::new(), false).await;
    assert!(matches!(&scores, Err(ServiceError::NotAllowed(m)) if m.contains("belangenconflict")), "{scores:?}");
    let again = scoring::declare(&app, &p.second, (DEMO_REGION, PHASE), false).await;
    assert!(matches!(again, Err(ServiceError::NotAllowed(_))), "a declaration is not taken back");
    let steps_aside = funder::step(
        &app,
        &p.second,
        (DEMO_REGION, PHASE),
        AssessmentState::AanvullingGevraagd,
        repair(&["x"], date(2024, 12, 1)),
        None,
    )
    .await;
    assert!(
        matches!(&steps_aside, Err(ServiceError::NotAllowed(m)) if m.contains("belangenconflict")),
        "{steps_aside:?}"
    );
    let advice = scoring::advise(&app, &p.second, (DEMO_REGION, PHASE), "Toekennen.").await;
    assert!(matches!(&advice, Err(ServiceError::NotAllowed(_))), "{advice:?}");
}
