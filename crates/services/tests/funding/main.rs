//! The money side of the funder's work, through the use cases: the region maximum table the
//! national team keeps (every check and decision reads it), and the payment register (advances
//! planned from decisions, payments recorded or imported, what settlement and the annual accounts
//! read as received). Reports to the funder and settlement are in `reports`.

use domain::Actor;
use domain::payments::PaymentText;
use domain::regulation::maximum::MaximumInput;
use rust_decimal::Decimal;
use services::demo::{DEMO_REGION, DEMO_USERS};
use services::{App, ServiceError, maximums, payments};

mod reports;

const REGULATION: &str = "sto-2025-2028";

/// The demo set, on the demo's day (15 September 2026).
async fn app() -> App {
    let db = store::Db::fresh_for_test().await.expect("test database");
    let mut app = App::new(db);
    app.clock = Some("2024-09-30T12:00:00+02:00".parse().unwrap());
    services::demo::load(&app).await.expect("demo set");
    app.clock = Some("2026-09-15T12:00:00+02:00".parse().unwrap());
    app
}

async fn actor(app: &App, email: &str) -> Actor {
    let mut conn = app.db.conn().await.unwrap();
    let id = store::users::id_by_email(&mut conn, email).await.unwrap().unwrap();
    services::auth::actor_for_user(app, &id).await.unwrap()
}

fn denied<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> bool {
    matches!(r, Err(ServiceError::Denied(_)))
}

fn field<T: std::fmt::Debug>(r: &Result<T, ServiceError>, name: &str) -> Option<String> {
    match r {
        Err(ServiceError::Invalid(e)) => e.get(name).map(str::to_owned),
        _ => None,
    }
}

fn maximum<'a>(amount: i64, reason: &'a str) -> MaximumInput<'a> {
    MaximumInput {
        amount: Some(Decimal::from(amount)),
        source: "Bijlage 3 bij de regeling, zoals gepubliceerd",
        verified: true,
        reason,
    }
}

#[tokio::test]
async fn the_national_team_keeps_the_maximum_table_with_its_history_and_the_checks_read_it() {
    let app = app().await;
    let national = actor(&app, DEMO_USERS[0].0).await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let (_, history) = maximums::history(&app, REGULATION, DEMO_REGION).await.unwrap();
    assert_eq!(history.len(), 1, "the demo's row");
    assert_eq!((history[0].amount_cents, history[0].verified), (320_000_000, false));

    let key = (REGULATION, DEMO_REGION);
    let first = Some(history[0].id.as_str());
    assert!(denied(maximums::set(&app, &manager, key, &maximum(150_000, "Lager."), first).await));
    let no_reason = maximums::set(&app, &national, key, &maximum(150_000, ""), first).await;
    assert!(field(&no_reason, "reason").is_some_and(|m| m.contains("reden")), "{no_reason:?}");
    let stale = maximums::set(&app, &national, key, &maximum(150_000, "Lager."), Some("een oudere rij")).await;
    assert!(matches!(stale, Err(ServiceError::Conflict)), "a change made meanwhile is not overwritten");
    let unknown = maximums::set(&app, &national, (REGULATION, "nergensland"), &maximum(1, ""), None).await;
    assert!(matches!(unknown, Err(ServiceError::NotFound)));

    // Below what Zuid-Friesland asked on main lines: its check now fails, naming the new amount.
    maximums::set(&app, &national, key, &maximum(150_000, "Gecorrigeerd naar bijlage 3."), first).await.unwrap();
    let twice = maximums::set(&app, &national, key, &maximum(160_000, "Tegelijk."), first).await;
    assert!(matches!(twice, Err(ServiceError::Conflict)), "a second change from the same row is refused");
    let (_, history) = maximums::history(&app, REGULATION, DEMO_REGION).await.unwrap();
    assert_eq!(history.len(), 2, "the old row stays in the history");
    assert_eq!((history[0].amount_cents, history[0].verified), (15_000_000, true));
    assert_eq!(history[0].reason.as_deref(), Some("Gecorrigeerd naar bijlage 3."));
    assert_eq!(history[0].set_by_name.as_deref(), Some(DEMO_USERS[0].1));
    let ws = services::applications::workspace(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap().unwrap();
    let finding = ws.report.findings.iter().find(|f| f.rule == "region-maximum").unwrap();
    assert!(!finding.passed && finding.message.contains("€ 150.000,00"), "{}", finding.message);
    assert!(
        finding.trace.iter().any(|t| t.source.as_deref() == Some("Bijlage 3 bij de regeling, zoals gepubliceerd")
            && t.verified == Some(true)),
        "the trace names the row's source: {:?}",
        finding.trace
    );
    let table = maximums::table(&app, REGULATION).await.unwrap();
    let row = table.iter().find(|r| r.slug == DEMO_REGION).unwrap();
    assert_eq!(row.current.as_ref().map(|m| m.amount_cents), Some(15_000_000));
    assert!(table.iter().all(|r| r.slug != "caribisch-nederland"), "a low-tech region has no row");
}

fn text(kind: &str, year: &str, paid_on: &str, amount: &str, reference: &str) -> PaymentText {
    PaymentText {
        kind: kind.into(),
        year: year.into(),
        paid_on: paid_on.into(),
        amount: amount.into(),
        reference: reference.into(),
        ..PaymentText::default()
    }
}

#[tokio::test]
async fn decisions_plan_advances_and_settlement_and_the_annual_accounts_read_what_was_paid() {
    let app = app().await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let school = actor(&app, DEMO_USERS[3].0).await;
    let partner = actor(&app, DEMO_USERS[4].0).await;
    let assessor = actor(&app, DEMO_USERS[5].0).await;
    let ministry = actor(&app, DEMO_USERS[7].0).await;
    let r = payments::register(&app, &manager, DEMO_REGION).await.unwrap();
    assert_eq!(r.payments.len(), 4, "one advance per decided year");
    for y in &r.years {
        assert_eq!(y.planned, y.decided, "the advance share is 100 %: {y:?}");
    }
    let decided = |year: i16| r.years.iter().find(|y| y.year == Some(year)).unwrap().decided;
    assert_eq!(r.received, decided(2025) + decided(2026), "the demo paid 2025 and 2026");
    assert!(!r.can_edit && payments::register(&app, &assessor, DEMO_REGION).await.unwrap().can_edit);
    assert!(payments::register(&app, &ministry, DEMO_REGION).await.is_ok());
    for who in [&school, &partner] {
        assert!(denied(payments::register(&app, who, DEMO_REGION).await));
    }

    // Settlement and the annual accounts note read the register.
    let (ledger, s) = services::execution::settlement(&app, &manager, DEMO_REGION).await.unwrap();
    assert_eq!(s.received, r.received);
    let note = services::execution::annual_note(&app, &ledger).await.unwrap();
    let line = note.iter().find(|l| l.year == 2025).unwrap();
    assert_eq!(line.received, decided(2025));
    assert_eq!(line.balance, line.received - line.spent);

    // The funder's staff record a repayment; the region may not; every bad field is named.
    let repayment = text("terugvordering", "", "10-09-2026", "1.000,00", "TV-2026-0001");
    assert!(denied(payments::add(&app, &manager, DEMO_REGION, &repayment).await));
    // An assessor who also holds a role in the region does not keep its payments (as for the assessment).
    let mut involved = assessor.clone();
    let grant = domain::Grant {
        role: domain::Role::LeadApplicant,
        region_id: Some(r.region.id.clone()),
        organisation_id: None,
        signatory: false,
    };
    involved.grants.push(grant);
    assert!(denied(payments::add(&app, &involved, DEMO_REGION, &repayment).await));
    assert!(!payments::register(&app, &involved, DEMO_REGION).await.unwrap().can_edit);
    payments::add(&app, &assessor, DEMO_REGION, &repayment).await.unwrap();
    let after = payments::register(&app, &manager, DEMO_REGION).await.unwrap();
    assert_eq!(after.received, r.received - Decimal::from(1000));
    let again = payments::add(&app, &assessor, DEMO_REGION, &repayment).await;
    assert!(field(&again, "reference").is_some_and(|m| m.contains("al")), "{again:?}");
    let bad = payments::add(&app, &assessor, DEMO_REGION, &text("gift", "2031", "1-1-2027", "-5", "")).await;
    for name in ["kind", "year", "paid_on", "amount"] {
        assert!(field(&bad, name).is_some(), "{name}: {bad:?}");
    }
    let unreadable = payments::add(&app, &assessor, DEMO_REGION, &text("voorschot", "twee", "gisteren", "1", "")).await;
    assert!(field(&unreadable, "year").is_some_and(|m| m.contains("twee")), "{unreadable:?}");
    assert!(field(&unreadable, "paid_on").is_some_and(|m| m.contains("gisteren")), "{unreadable:?}");
    assert_eq!(payments::register(&app, &manager, DEMO_REGION).await.unwrap().payments.len(), 5);
}

#[tokio::test]
async fn an_import_settles_planned_advances_whole_or_not_at_all_and_twice_changes_nothing() {
    let app = app().await;
    let assessor = actor(&app, DEMO_USERS[5].0).await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let before = payments::register(&app, &assessor, DEMO_REGION).await.unwrap();
    let planned_2027 = before.payments.iter().find(|p| p.year == Some(2027)).unwrap();
    let amount = domain::fmt::decimal_nl(Decimal::new(planned_2027.amount_cents, 2));
    let file = format!(
        "Regio;Soort;Jaar;Betaald;Bedrag;Kenmerk\n\
         zuid-friesland;voorschot;2027;01-09-2026;{amount};BET-2026-0999\n\
         Utrecht;eindbetaling;;10-09-2026;500,00;EB-2026-0001\n"
    );
    assert!(denied(payments::import(&app, &manager, file.as_bytes()).await));
    let done = payments::import(&app, &assessor, file.as_bytes()).await.unwrap();
    assert_eq!((done.added, done.settled, done.unchanged), (1, 1, 0));
    let after = payments::register(&app, &assessor, DEMO_REGION).await.unwrap();
    assert_eq!(after.payments.len(), before.payments.len(), "the planned advance is now paid, not doubled");
    let settled = after.payments.iter().find(|p| p.id == planned_2027.id).unwrap();
    assert_eq!((settled.paid_on.as_deref(), settled.reference.as_deref()), (Some("2026-09-01"), Some("BET-2026-0999")));
    assert_eq!(settled.planned_on, planned_2027.planned_on, "the plan's date is kept");

    let again = payments::import(&app, &assessor, file.as_bytes()).await.unwrap();
    assert_eq!((again.added, again.settled, again.unchanged), (0, 0, 2));

    let bad = "Regio;Soort;Jaar;Betaald;Bedrag;Kenmerk\n\
               zuid-friesland;eindbetaling;;02-09-2026;7,00;OK-1\n\
               nergensland;voorschot;2027;01-09-2026;5,00;X-1\n\
               zuid-friesland;voorschot;2027;01-09-2026;5,00;BET-2026-0999\n\
               zuid-friesland;voorschot;2031;01-09-2026;5,00;X-3\n";
    let refused = payments::import(&app, &assessor, bad.as_bytes()).await;
    let Err(ServiceError::Invalid(e)) = &refused else { panic!("{refused:?}") };
    let messages: Vec<String> = e.iter().map(|f| f.message.clone()).collect();
    assert!(messages.iter().any(|m| m.contains("rij 3") && m.contains("nergensland")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("rij 4") && m.contains("andere gegevens")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("rij 5") && m.contains("Jaar")), "{messages:?}");
    let unchanged = payments::register(&app, &assessor, DEMO_REGION).await.unwrap();
    assert_eq!(unchanged.payments.len(), after.payments.len(), "the good first row was not kept either");
    let broken = payments::import(&app, &assessor, b"Regio;Bedrag\nx;1\n").await;
    assert!(
        matches!(&broken, Err(ServiceError::Invalid(e)) if e.iter().any(|f| f.message.contains("Soort"))),
        "{broken:?}"
    );
}

#[tokio::test]
async fn the_portfolio_shows_every_submitted_application_with_what_was_decided_and_paid() {
    let app = app().await;
    let national = actor(&app, DEMO_USERS[0].0).await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let p = services::portfolio::portfolio(&app, &national).await.unwrap();
    let rows = &p.rows;
    assert_eq!(rows.len(), 6, "four main lines and two detailed plans at the funder");
    let main_lines = rows.iter().find(|r| r.item.region_slug == DEMO_REGION && r.item.phase == "hoofdlijnen").unwrap();
    let register = payments::register(&app, &manager, DEMO_REGION).await.unwrap();
    assert_eq!((main_lines.decided, main_lines.paid), (register.decided, register.received));
    // What was spent is the annual accounts' figure; the region's co-financing share is known.
    let ledger = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap();
    let spent: Decimal = services::execution::annual_note(&app, &ledger).await.unwrap().iter().map(|l| l.spent).sum();
    assert!(spent > Decimal::ZERO);
    assert_eq!(main_lines.realised, spent);
    assert!(main_lines.region.cofinancing_share.is_some_and(|s| s > Decimal::ZERO));
    let utrecht = rows.iter().find(|r| r.item.region_slug == "utrecht" && r.item.phase == "hoofdlijnen").unwrap();
    assert_eq!(utrecht.open_changes, 1, "Utrecht's change waits for the funder");
    let rejected = rows.iter().find(|r| r.item.region_slug == "almere").unwrap();
    assert_eq!(rejected.outcome(), Some(domain::assessment::decision::Outcome::Afgewezen));
    assert_eq!((rejected.decided, rejected.paid, rejected.realised), (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO));
    let by_year: Decimal = p.per_year.iter().map(|y| y.decided).sum();
    assert_eq!(by_year, rows.iter().map(|r| r.decided).sum::<Decimal>(), "the years add up to the decisions");
    assert_eq!(
        p.per_year.iter().map(|y| y.realised).sum::<Decimal>(),
        rows.iter().map(|r| r.realised).sum::<Decimal>()
    );
    for email in [DEMO_USERS[5].0, DEMO_USERS[7].0] {
        assert!(services::portfolio::portfolio(&app, &actor(&app, email).await).await.is_ok(), "{email}");
    }
    assert!(denied(services::portfolio::portfolio(&app, &manager).await), "the portfolio is national");

    // The CSV for Dutch Excel, read back: the same amounts.
    let text = services::portfolio::csv(&p).unwrap();
    assert!(text.starts_with('\u{feff}') && text.contains("\r\n"), "a byte order mark and CRLF");
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.headers().unwrap().get(6), Some("Besloten (EUR)"));
    let decided: Decimal = reader.records().map(|r| r.unwrap()[6].replace(',', ".").parse::<Decimal>().unwrap()).sum();
    assert_eq!(decided, rows.iter().map(|r| r.decided).sum::<Decimal>());
}

/// The region's changed plan as execution reads it: (change number it follows, activity ids).
async fn basis(app: &App, actor: &Actor, slug: &str) -> (Vec<Option<i64>>, Vec<String>) {
    let ledger = services::execution::ledger(app, actor, slug).await.unwrap();
    let services::execution::Basis::Submitted(used) = ledger.basis else { panic!("submitted basis") };
    (used.iter().map(|u| u.change).collect(), ledger.approved.activities.iter().map(|a| a.id.clone()).collect())
}

#[tokio::test]
async fn an_approved_change_moves_the_decided_basis_and_a_rejected_one_does_not() {
    use domain::change_request::ChangeState;
    use services::change_requests as changes;
    let app = app().await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let assessor = actor(&app, DEMO_USERS[5].0).await;
    // The demo's approved change 1 holds: execution follows it (its overhead line is in the plan).
    let (used, activities) = basis(&app, &manager, DEMO_REGION).await;
    assert_eq!(used, vec![Some(1)]);
    assert!(activities.contains(&"a2".to_owned()));
    let ledger = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap();
    assert!(ledger.approved.budget.iter().any(|l| l.category == "overhead" && l.year == 2026));

    let id = changes::start(&app, &manager, DEMO_REGION, "hoofdlijnen", "De techniekmiddagen stoppen.").await.unwrap();
    let again = changes::start(&app, &manager, DEMO_REGION, "hoofdlijnen", "Nog een.").await;
    assert!(matches!(again, Err(ServiceError::NotAllowed(m)) if m.contains("loopt al")));
    let (_, version) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    services::applications::update(&app, &manager, DEMO_REGION, "hoofdlijnen", version, |a| {
        a.activities.retain(|x| x.id != "a2");
        a.budget.retain(|l| l.activity != "a2");
        Ok(())
    })
    .await
    .unwrap();
    let d = changes::detail(&app, &manager, DEMO_REGION, &id).await.unwrap();
    assert!(
        d.request.reasons.iter().any(|r| r.contains("1 activiteit(en) worden niet uitgevoerd")),
        "{:?}",
        d.request.reasons
    );
    assert_eq!(d.next, [ChangeState::Ingediend, ChangeState::Ingetrokken], "substantial: to the funder, not reported");
    let (_, version) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    let normal = services::applications::submit(&app, &manager, DEMO_REGION, "hoofdlijnen", version).await;
    assert!(matches!(normal, Err(ServiceError::NotAllowed(m)) if m.contains("wijzigingsverzoek 2")));

    let key = (id.as_str(), d.request.revision, None);
    let early = changes::step(&app, &assessor, DEMO_REGION, key, Some(ChangeState::Goedgekeurd), "").await;
    assert!(matches!(early, Err(ServiceError::NotAllowed(_))), "a concept is not the funder's yet: {early:?}");
    // The regulation's rules hold for a change too: without a2 no activity covers inclusion.
    let refused = changes::step(&app, &manager, DEMO_REGION, key, None, "").await;
    assert!(
        matches!(&refused, Err(ServiceError::SubmitRefused(f)) if f.iter().any(|f| f.rule == "themes")),
        "{refused:?}"
    );
    let (_, version) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    services::applications::update(&app, &manager, DEMO_REGION, "hoofdlijnen", version, |a| {
        a.activities.iter_mut().filter(|x| x.id == "a3").for_each(|x| x.themes.push("inclusie".into()));
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(changes::step(&app, &manager, DEMO_REGION, key, None, "").await.unwrap(), ChangeState::Ingediend);
    let stale = changes::step(&app, &assessor, DEMO_REGION, key, Some(ChangeState::Goedgekeurd), "").await;
    assert!(matches!(stale, Err(ServiceError::Conflict)), "{stale:?}");
    assert_eq!(basis(&app, &manager, DEMO_REGION).await, (vec![Some(1)], activities), "nothing moves before approval");
    let revision = changes::detail(&app, &assessor, DEMO_REGION, &id).await.unwrap().request.revision;
    assert!(denied(
        changes::step(&app, &manager, DEMO_REGION, (&id, revision, None), Some(ChangeState::Goedgekeurd), "").await
    ));
    changes::step(&app, &assessor, DEMO_REGION, (&id, revision, None), Some(ChangeState::Goedgekeurd), "")
        .await
        .unwrap();
    let (used, now) = basis(&app, &manager, DEMO_REGION).await;
    assert_eq!((used, now.len()), (vec![Some(2)], 3));
    assert!(!now.contains(&"a2".to_owned()), "the approved change is the plan now");

    // Utrecht's change waits for the funder (demo): a refusal needs a reason and leaves the basis.
    let waiting = changes::waiting(&app, &assessor).await.unwrap();
    let utrecht = waiting.iter().find(|w| w.region_slug == "utrecht").expect("Utrecht's change waits");
    let um = actor(&app, "programmamanager-utrecht@sterk.example").await;
    let revision = changes::detail(&app, &assessor, "utrecht", &utrecht.id).await.unwrap().request.revision;
    let key = (utrecht.id.as_str(), revision, None);
    let bare = changes::step(&app, &assessor, "utrecht", key, Some(ChangeState::Afgewezen), " ").await;
    assert!(field(&bare, "comment").is_some(), "{bare:?}");
    let why = "Een zomerschool valt buiten het besluit; dien haar in bij de uitwerking.";
    changes::step(&app, &assessor, "utrecht", key, Some(ChangeState::Afgewezen), why).await.unwrap();
    let (used, activities) = basis(&app, &um, "utrecht").await;
    assert!(used.iter().all(Option::is_none) && !activities.contains(&"a4".to_owned()), "{used:?} {activities:?}");
    let (draft, _) = services::applications::get(&app, &um, "utrecht", "hoofdlijnen").await.unwrap();
    assert!(draft.activities.iter().all(|a| a.id != "a4"), "the application is the plan in force again");
    let mut conn = app.db.conn().await.unwrap();
    let mail = store::notifications::all(&mut conn, None, 500).await.unwrap();
    assert!(mail.iter().any(|n| n.subject == "Wijzigingsverzoek afgewezen: Utrecht" && n.body.contains(why)));
}
