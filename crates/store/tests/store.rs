//! Store behaviour on the database `TEST_DATABASE_URL` names (SQLite by default).

use domain::region::RegionIdentity;
use domain::{DuoCode, OrganisationDraft, OrganisationKind, RegionProfile};
use store::{Db, StoreError, execution, now_ms, organisations, regions, sessions, settings};

fn identity(name: &str) -> RegionIdentity {
    RegionIdentity { name: name.into(), slug: domain::slugify(name), kind: None, province: "Utrecht".into() }
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let db = Db::fresh_for_test().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    let r = regions::insert(&mut conn, &identity("Eemland"), &RegionProfile::default(), None).await.unwrap();
    let first = RegionProfile { description: "eerste".into(), ..RegionProfile::default() };
    regions::update_profile(&mut conn, &r.id, r.version, &first).await.unwrap();
    let second = RegionProfile { description: "tweede".into(), ..RegionProfile::default() };
    let stale = regions::update_profile(&mut conn, &r.id, r.version, &second).await;
    assert!(matches!(stale, Err(StoreError::Conflict)));
    let now = regions::by_id(&mut conn, &r.id).await.unwrap().unwrap();
    assert_eq!(now.profile.description, "eerste");
    assert_eq!(now.version, r.version + 1);
}

#[tokio::test]
async fn slugs_and_duo_codes_are_unique() {
    let db = Db::fresh_for_test().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    regions::insert(&mut conn, &identity("Eemland"), &RegionProfile::default(), None).await.unwrap();
    let dup = regions::insert(&mut conn, &identity("Eemland"), &RegionProfile::default(), None).await;
    assert!(matches!(dup, Err(StoreError::Duplicate)));
    let draft = OrganisationDraft {
        name: "A".into(),
        kind: OrganisationKind::Vmbo,
        duo_code: DuoCode::parse("01AB00"),
        place: None,
        website: None,
    };
    organisations::insert(&mut conn, &draft, None).await.unwrap();
    let again = organisations::insert(&mut conn, &OrganisationDraft { name: "B".into(), ..draft }, None).await;
    assert!(matches!(again, Err(StoreError::Duplicate)));
}

#[tokio::test]
async fn expired_sessions_are_purged_and_never_returned() {
    let db = Db::fresh_for_test().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    let session = |token_hash, csrf_token, expires_at| sessions::NewSession {
        token_hash,
        user_id: None,
        csrf_token,
        expires_at,
        stage: sessions::Stage::Full,
        user_agent: "",
        client: "",
        sso: None,
    };
    sessions::insert(&mut conn, &session("old", "c1", now_ms() - 1)).await.unwrap();
    sessions::insert(&mut conn, &session("new", "c2", now_ms() + 60_000)).await.unwrap();
    assert!(sessions::get(&mut conn, "old").await.unwrap().is_none());
    assert_eq!(sessions::get(&mut conn, "new").await.unwrap().unwrap().csrf_token, "c2");
    assert_eq!(sessions::delete_expired(&mut conn).await.unwrap(), 1);
    assert!(sessions::get(&mut conn, "new").await.unwrap().is_some());
}

#[tokio::test]
async fn the_school_finder_escapes_like_wildcards() {
    let db = Db::fresh_for_test().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    for name in ["100% Techniek College", "Techniekschool"] {
        let draft = OrganisationDraft {
            name: name.into(),
            kind: OrganisationKind::Vo,
            duo_code: None,
            place: None,
            website: None,
        };
        organisations::insert(&mut conn, &draft, None).await.unwrap();
    }
    let hits = organisations::find_schools(&mut conn, "100%", 10).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert!(organisations::find_schools(&mut conn, "%", 10).await.unwrap().iter().all(|h| h.school.name.contains('%')));
    assert!(organisations::find_schools(&mut conn, "", 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn sign_in_limits_count_atomically_and_a_full_queue_does_not_grow() {
    use store::limits;
    let db = Db::fresh_for_test().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    let (now, window) = (1_000_000, 60_000);
    for expected in 1..=3 {
        assert_eq!(limits::reserve(&mut conn, "account:a", now, window).await.unwrap(), (expected, now));
    }
    // Slots 3 s apart, at most 9 s ahead: the fifth attempt is refused and moves nothing.
    let slots: Vec<Option<i64>> = {
        let mut out = Vec::new();
        for _ in 0..5 {
            out.push(limits::next_slot(&mut conn, "account:a", now, (3_000, 9_000)).await.unwrap());
        }
        out
    };
    assert_eq!(slots, [Some(now), Some(now + 3_000), Some(now + 6_000), Some(now + 9_000), None]);
    assert_eq!(
        limits::next_slot(&mut conn, "account:a", now + 3_000, (3_000, 9_000)).await.unwrap(),
        Some(now + 12_000)
    );
    // A new window starts the count and the queue afresh.
    let later = now + window + 1;
    assert_eq!(limits::reserve(&mut conn, "account:a", later, window).await.unwrap(), (1, later));
    assert_eq!(limits::next_slot(&mut conn, "account:a", later, (3_000, 9_000)).await.unwrap(), Some(later));
}

#[tokio::test]
async fn migrations_11_and_16_move_received_and_explanations_out_of_settings_into_the_register() {
    let db = Db::fresh_for_test().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    let r = regions::insert(&mut conn, &identity("Eemland"), &RegionProfile::default(), None).await.unwrap();
    // The database as it was before migration 11, with what a region had entered then.
    for sql in [
        "DROP TABLE advances_received",
        "DROP TABLE activity_explanations",
        "DELETE FROM _sqlx_migrations WHERE version = 11",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.unwrap();
    }
    settings::set(&mut conn, &format!("execution.received:{}", r.id), "1234567.8").await.unwrap();
    settings::set(&mut conn, "execution.received:no-such-region", "5").await.unwrap();
    let texts = r#"{"a1":"Later begonnen.","a2":"Goedkoper ingekocht."}"#;
    settings::set(&mut conn, &format!("execution.explanations:{}", r.id), texts).await.unwrap();
    settings::set(&mut conn, "execution.explanations:broken", "niet json").await.unwrap();
    drop(conn);
    db.migrate().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    // Migration 16 then moves the typed amount into the payment register as a paid advance.
    let paid = store::payments::of_region(&mut conn, &r.id).await.unwrap();
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert_eq!((paid[0].kind.as_str(), paid[0].amount_cents), ("voorschot", 123_456_780));
    assert!(paid[0].paid_on.is_some() && paid[0].note.contains("vóór het betaalregister"));
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM advances_received").fetch_one(&mut *conn).await.unwrap();
    assert_eq!(left, 0);
    let moved = execution::explanations(&mut conn, &r.id).await.unwrap();
    assert_eq!(moved, [("a1".into(), "Later begonnen.".into()), ("a2".into(), "Goedkoper ingekocht.".into())]);
    assert_eq!(settings::get(&mut conn, &format!("execution.received:{}", r.id)).await.unwrap(), None);
    assert_eq!(settings::get(&mut conn, &format!("execution.explanations:{}", r.id)).await.unwrap(), None);
    // What cannot be read is kept, not lost.
    assert!(settings::get(&mut conn, "execution.explanations:broken").await.unwrap().is_some());
    // Running the migrations again changes nothing.
    drop(conn);
    db.migrate().await.unwrap();
    let mut conn = db.conn().await.unwrap();
    assert_eq!(execution::explanations(&mut conn, &r.id).await.unwrap().len(), 2);
    assert_eq!(store::payments::of_region(&mut conn, &r.id).await.unwrap().len(), 1, "moved once");
}
