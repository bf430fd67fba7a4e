//! The use cases themselves, without the router: applications, school plans, execution and the
//! application's files, on a fresh database with the demo set (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` says so).

use domain::Actor;
use domain::execution::HourEntry;
use domain::school_plan::PlanState;
use rust_decimal::Decimal;
use services::demo::{DEMO_REGION, DEMO_USERS};
use services::{App, ServiceError};

async fn app() -> App {
    let db = store::Db::fresh_for_test().await.expect("test database");
    let mut app = App::new(db);
    app.clock = Some("2024-09-30T12:00:00+02:00".parse().unwrap());
    services::demo::load(&app).await.expect("demo set");
    app
}

async fn actor(app: &App, nth: usize) -> Actor {
    let mut conn = app.db.conn().await.unwrap();
    let id = store::users::id_by_email(&mut conn, DEMO_USERS[nth].0).await.unwrap().unwrap();
    services::auth::actor_for_user(app, &id).await.unwrap()
}

#[tokio::test]
async fn an_application_is_edited_on_its_version_and_submitted_frozen() {
    let app = app().await;
    let manager = actor(&app, 1).await;
    let (_, version) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    let edited = services::applications::update(&app, &manager, DEMO_REGION, "hoofdlijnen", version, |a| {
        a.vision = Some("Samen sterk in techniek.".into());
        Ok(())
    })
    .await
    .unwrap();
    assert!(edited > version);
    // The version it was read at is stale now: nothing is overwritten.
    let stale = services::applications::update(&app, &manager, DEMO_REGION, "hoofdlijnen", version, |_| Ok(())).await;
    assert!(matches!(stale, Err(ServiceError::Conflict)), "{stale:?}");
    // A change that breaks a rule is refused with the field.
    let invalid = services::applications::update(&app, &manager, DEMO_REGION, "hoofdlijnen", edited, |_| {
        let mut e = domain::FieldErrors::default();
        e.add("vision", "Vul de visie in.");
        Err(e)
    })
    .await;
    assert!(matches!(invalid, Err(ServiceError::Invalid(_))), "{invalid:?}");
    let before = services::applications::versions(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap().len();
    // The region's manager may not submit: the lead applicant's signatory does.
    let refused = services::applications::submit(&app, &manager, DEMO_REGION, "hoofdlijnen", edited).await;
    assert!(matches!(&refused, Err(ServiceError::NotAllowed(m)) if m.contains("tekenbevoegd")), "{refused:?}");
    let lead = actor(&app, 2).await;
    let v = services::applications::submit(&app, &lead, DEMO_REGION, "hoofdlijnen", edited).await.unwrap();
    assert_eq!(v.sha256.len(), 64);
    let (frozen, _) =
        services::applications::content(&app, &manager, DEMO_REGION, "hoofdlijnen", v.number).await.unwrap();
    assert_eq!(frozen.vision.as_deref(), Some("Samen sterk in techniek."));
    let after = services::applications::versions(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    assert_eq!(after.len(), before + 1);
    // A partner reads along but may not write.
    let partner = actor(&app, 4).await;
    let refused = services::applications::update(&app, &partner, DEMO_REGION, "hoofdlijnen", 0, |_| Ok(())).await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
}

#[tokio::test]
async fn a_school_plan_moves_only_along_its_workflow() {
    let app = app().await;
    let manager = actor(&app, 1).await;
    let board = services::school_plans::board(&app, &manager, DEMO_REGION, &Default::default()).await.unwrap();
    let approved = board.plans.iter().find(|p| p.state == PlanState::Goedgekeurd).expect("an approved demo plan");
    let back = services::school_plans::transition(&app, &manager, &approved.id, PlanState::Concept, "").await;
    assert!(matches!(back, Err(ServiceError::NotAllowed(_))), "{back:?}");
    let submitted = board.plans.iter().find(|p| p.state == PlanState::Ingediend).expect("a submitted demo plan");
    let without_comment =
        services::school_plans::transition(&app, &manager, &submitted.id, PlanState::Teruggestuurd, "").await;
    assert!(matches!(without_comment, Err(ServiceError::Invalid(_))), "a return needs a comment: {without_comment:?}");
    let taken = services::school_plans::transition(&app, &manager, &submitted.id, PlanState::InBehandeling, "").await;
    assert_eq!(taken.unwrap(), PlanState::InBehandeling);
}

#[tokio::test]
async fn hours_are_capped_and_a_wrong_row_writes_nothing() {
    let app = app().await;
    let manager = actor(&app, 1).await;
    let school = services::regions::page(&app, &manager, DEMO_REGION).await.unwrap().members;
    let school = school.iter().find(|o| o.kind.is_school()).unwrap().id.clone();
    let entry = |activity: &str, hours: i64| {
        services::execution::Record::Hours(HourEntry {
            person: "Jan".into(),
            organisation: school.clone(),
            activity: activity.into(),
            date: jiff::civil::date(2025, 3, 10),
            hours: Decimal::from(hours),
            rate_eur: Decimal::from(500),
            external: false,
            note: String::new(),
        })
    };
    let before = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap().entries.len();
    let added = services::execution::add_one(&app, &manager, DEMO_REGION, entry("a1", 8), None).await.unwrap();
    assert!(added.eligible < Decimal::from(8 * 500), "the hourly rate is capped: {}", added.eligible);
    assert!(added.explanation.is_some(), "and the cap is explained");
    let rows = vec![("rij 2".to_owned(), entry("a1", 8)), ("rij 3".to_owned(), entry("zz", 8))];
    let refused = services::execution::add_all(&app, &manager, DEMO_REGION, rows, None).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
    let after = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap().entries.len();
    assert_eq!(after, before + 1, "only the first, single entry was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_at_the_same_moment_all_succeed() {
    // Each write reads (the region, the plan) before it writes: on SQLite such transactions used
    // to fail at once with "database is locked" when another writer committed in between.
    let app = app().await;
    let manager = actor(&app, 1).await;
    let school = services::regions::page(&app, &manager, DEMO_REGION).await.unwrap().members;
    let school = school.iter().find(|o| o.kind.is_school()).unwrap().id.clone();
    let before = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap().entries.len();
    let writers = (0..8).map(|w| {
        let (app, manager, school) = (app.clone(), manager.clone(), school.clone());
        tokio::spawn(async move {
            for n in 0..10 {
                let entry = services::execution::Record::Hours(HourEntry {
                    person: format!("Schrijver {w}-{n}"),
                    organisation: school.clone(),
                    activity: "a1".into(),
                    date: jiff::civil::date(2025, 3, 10),
                    hours: Decimal::ONE,
                    rate_eur: Decimal::from(50),
                    external: false,
                    note: String::new(),
                });
                services::execution::add_one(&app, &manager, DEMO_REGION, entry, None).await.unwrap();
            }
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.expect("every write succeeds");
    }
    let after = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap().entries.len();
    assert_eq!(after, before + 80);
}

#[tokio::test]
async fn the_same_version_gives_the_same_file_every_time() {
    let app = app().await;
    let manager = actor(&app, 1).await;
    let of = (DEMO_REGION, "hoofdlijnen");
    for format in
        [services::documents::Format::Pdf, services::documents::Format::Xlsx, services::documents::Format::Json]
    {
        let a = services::documents::application(&app, &manager, of, 1, format).await.unwrap();
        let b = services::documents::application(&app, &manager, of, 1, format).await.unwrap();
        assert_eq!(a.bytes, b.bytes, "{format:?}");
        assert!(a.name.ends_with(&format!("-versie-1.{}", a.name.rsplit('.').next().unwrap())), "{}", a.name);
    }
    let draft =
        services::documents::application(&app, &manager, of, 0, services::documents::Format::Pdf).await.unwrap();
    assert_eq!(draft.name, "aanvraag-zuid-friesland-hoofdlijnen-concept.pdf");
    let missing = services::documents::application(&app, &manager, of, 99, services::documents::Format::Pdf).await;
    assert!(matches!(missing, Err(ServiceError::NotFound)));
}

#[tokio::test]
async fn explanations_are_kept_per_activity() {
    let app = app().await;
    let manager = actor(&app, 1).await;
    let region = services::execution::ledger(&app, &manager, DEMO_REGION).await.unwrap().region.id;
    services::execution::set_explanation(&app, &manager, DEMO_REGION, "a1", "  Later begonnen.  ").await.unwrap();
    let unknown = services::execution::set_explanation(&app, &manager, DEMO_REGION, "zz", "Tekst").await;
    assert!(matches!(unknown, Err(ServiceError::Invalid(_))), "{unknown:?}");
    let shown = services::execution::explanations(&app, &region).await.unwrap();
    assert_eq!(shown.into_iter().collect::<Vec<_>>(), [("a1".to_owned(), "Later begonnen.".to_owned())]);
    services::execution::set_explanation(&app, &manager, DEMO_REGION, "a1", " ").await.unwrap();
    assert!(services::execution::explanations(&app, &region).await.unwrap().is_empty(), "an empty text removes it");
    let partner = actor(&app, 4).await;
    let refused = services::execution::set_explanation(&app, &partner, DEMO_REGION, "a1", "Tekst").await;
    assert!(matches!(refused, Err(ServiceError::Denied(_))), "{refused:?}");
}

#[tokio::test]
async fn indicators_are_made_once_however_many_ask_at_the_same_time() {
    let app = app().await;
    let exams = std::fs::read("../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv").unwrap();
    let admin = actor(&app, 0).await;
    services::monitoring::import_exams(&app, &admin, &exams, |_| {}).await.unwrap();
    let ask = || services::monitoring::computed(&app);
    let (a, b, c, d) = tokio::join!(ask(), ask(), ask(), ask());
    let made = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()];
    assert!(!made[0].national.is_empty(), "the nation has figures");
    assert!(made.iter().all(|m| std::sync::Arc::ptr_eq(m, &made[0])), "one computation, shared");
    assert_eq!(app.indicators.version(), Some(services::data_version(&app).await.unwrap()));

    // A write that is not an input (the region's text) moves the version, not the figures.
    let manager = actor(&app, 1).await;
    let page = services::regions::page(&app, &manager, DEMO_REGION).await.unwrap();
    let text = domain::region::RegionProfileInput { description: "Een nieuwe tekst.".into(), ..Default::default() };
    services::regions::update_profile(&app, &manager, DEMO_REGION, page.region.version, &text).await.unwrap();
    let again = services::monitoring::computed(&app).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&again, &made[0]), "the same inputs: not computed again");
    assert_eq!(app.indicators.version(), Some(services::data_version(&app).await.unwrap()));

    // A member leaving is an input: the region's figures are made again.
    let member = page.members.iter().find(|m| m.duo_code.is_some()).expect("a member with a DUO location");
    services::regions::remove_member(&app, &admin, DEMO_REGION, &member.id).await.unwrap();
    let after = services::monitoring::computed(&app).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&after, &made[0]), "made again");
}

#[tokio::test]
async fn files_kept_on_disk_before_move_into_the_database_with_every_hash_checked() {
    let app = app().await;
    let dir = std::env::temp_dir().join(format!("sterk-uploads-{}", store::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sha = |b: &[u8]| services::auth::sha256_bytes_hex(b);
    let (invoice, agreement) = (b"%PDF-1.4 factuur".as_slice(), b"%PDF-1.4 getekende overeenkomst".as_slice());
    std::fs::write(dir.join(format!("{}.bin", sha(invoice))), invoice).unwrap();
    std::fs::write(dir.join(format!("{}.pdf", sha(agreement))), agreement).unwrap();
    // The region's draft names the agreement, as an earlier Sterk wrote it.
    let region_id = {
        let mut conn = app.db.conn().await.unwrap();
        let region = store::regions::by_slug(&mut conn, DEMO_REGION).await.unwrap().unwrap();
        let draft = store::applications::get(&mut conn, &region.id, "hoofdlijnen").await.unwrap().unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&draft.content).unwrap();
        doc["agreement"] =
            serde_json::json!({ "document": { "filename": "o.pdf", "sha256": sha(agreement), "size": 31 } });
        store::applications::update(&mut conn, &draft.id, draft.version, &doc.to_string(), None).await.unwrap();
        region.id
    };

    // A file whose bytes do not match its name: nothing moves, the folder stays.
    let wrong = dir.join(format!("{}.bin", "0".repeat(64)));
    std::fs::write(&wrong, b"something else").unwrap();
    let err = services::files::move_uploads(&app, &dir).await.unwrap_err();
    assert!(err.to_string().contains("past niet bij de naam"), "{err}");
    assert!(matches!(
        services::files::get(&mut app.db.conn().await.unwrap(), &sha(invoice)).await,
        Err(ServiceError::NotFound)
    ));
    assert!(dir.exists());

    std::fs::remove_file(&wrong).unwrap();
    assert_eq!(services::files::move_uploads(&app, &dir).await.unwrap(), 2);
    assert_eq!(services::files::get(&mut app.db.conn().await.unwrap(), &sha(invoice)).await.unwrap(), invoice);
    assert_eq!(services::files::get(&mut app.db.conn().await.unwrap(), &sha(agreement)).await.unwrap(), agreement);
    let mut conn = app.db.conn().await.unwrap();
    assert!(store::files::is_agreement_of(&mut conn, &region_id, &sha(agreement)).await.unwrap());
    assert!(!store::files::is_agreement_of(&mut conn, &region_id, &sha(invoice)).await.unwrap());
    assert!(!dir.exists() && dir.with_extension("moved-to-database").exists());
    // Nothing left to move the next time.
    assert_eq!(services::files::move_uploads(&app, &dir).await.unwrap(), 0);
}

#[tokio::test]
async fn a_draft_names_only_an_agreement_its_region_uploaded_on_every_path() {
    let app = app().await;
    let manager = actor(&app, 1).await;
    // A PDF Sterk stores, but not as this region's agreement (an invoice, another region's file).
    let invoice = {
        let mut tx = app.db.begin().await.unwrap();
        let sha = services::files::put(&mut tx, b"%PDF-1.4 factuur van een ander").await.unwrap();
        tx.commit().await.unwrap();
        sha
    };
    let (_, version) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    // The path the forms and the JSON and workbook imports take.
    let err = services::applications::update(&app, &manager, DEMO_REGION, "hoofdlijnen", version, |a| {
        let document =
            domain::regulation::application::Document { filename: "o.pdf".into(), sha256: invoice.clone(), size: 30 };
        a.agreement.get_or_insert_with(Default::default).document = Some(document);
        Ok(())
    })
    .await
    .unwrap_err();
    let ServiceError::Invalid(errors) = err else { panic!("refused as a field error: {err}") };
    assert_eq!(errors.iter().next().unwrap().field, "agreement.document.sha256");
    // Even written straight into the database, the download serves no file but an agreement.
    {
        let mut conn = app.db.conn().await.unwrap();
        let region = store::regions::by_slug(&mut conn, DEMO_REGION).await.unwrap().unwrap();
        let draft = store::applications::get(&mut conn, &region.id, "hoofdlijnen").await.unwrap().unwrap();
        let mut doc: serde_json::Value = serde_json::from_str(&draft.content).unwrap();
        doc["agreement"] = serde_json::json!({ "document": { "filename": "o.pdf", "sha256": invoice, "size": 30 } });
        store::applications::update(&mut conn, &draft.id, draft.version, &doc.to_string(), None).await.unwrap();
    }
    let refused = services::agreement::document(&app, &manager, DEMO_REGION, "hoofdlijnen", 0).await;
    assert!(matches!(refused, Err(ServiceError::NotFound)), "{refused:?}");
    let (_, version) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();

    // Uploaded as the region's agreement, the same kind of file may be named.
    let pdf = b"%PDF-1.4 getekend";
    let version =
        services::agreement::attach(&app, &manager, (DEMO_REGION, "hoofdlijnen"), version, "o.pdf", pdf).await.unwrap();
    let (draft, _) = services::applications::get(&app, &manager, DEMO_REGION, "hoofdlijnen").await.unwrap();
    services::applications::save(&app, &manager, DEMO_REGION, "hoofdlijnen", version, draft).await.unwrap();
}
