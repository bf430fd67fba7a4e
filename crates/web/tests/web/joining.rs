//! Asking to join a region (a school outside it, a company), the manager's decision, and the
//! contact form with its answer; each public form guarded against robots.

use axum::http::StatusCode;
use web::AppState;

use crate::common::{ADMIN, Client, MANAGER, mailed_link, state, with_duo};

/// A person needs more than the guard's minimum to fill in a form.
async fn as_a_person_would() {
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
}

/// The stamp the form carries (`formulier_getoond`).
fn stamp_of(html: &str) -> String {
    html.split("name=\"formulier_getoond\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a stamp")
        .to_owned()
}

/// (recipient, subject, body) of every mail of `kind`.
async fn mails(st: &AppState, kind: &str) -> Vec<(String, String, String)> {
    let mut conn = st.app.db.conn().await.unwrap();
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT recipient, subject, body FROM notifications WHERE kind = $1 ORDER BY created_at")
            .bind(kind)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    rows
}

async fn count(st: &AppState, sql: &'static str) -> i64 {
    let mut conn = st.app.db.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap()
}

#[tokio::test]
async fn a_school_outside_the_region_asks_to_join_and_is_accepted() {
    let st = with_duo().await;
    let mut school = Client::new(st.clone());
    let form = school.get("/regios/zuid-friesland/aansluiten?school=14FW01").await;
    form.assert_contains("<option value=\"14FW01\" selected>OPB SGM Sevenwolden (Heerenveen, 14FW01)</option>");
    // Members are not offered again.
    assert!(!form.body.contains("value=\"05AC00\""));
    let fields = |stamp: &str| {
        vec![
            ("school", "14FW01".to_owned()),
            ("name", "Wietske Bosma".to_owned()),
            ("email", "w.bosma@sevenwolden.example".to_owned()),
            ("message", "Wij hebben een nieuwe installatietechniekroute.".to_owned()),
            ("website", String::new()),
            ("formulier_getoond", stamp.to_owned()),
        ]
    };
    let stamp = stamp_of(&form.body);
    let fast = fields(&stamp);
    let fast: Vec<(&str, &str)> = fast.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let too_fast = school.post("/regios/zuid-friesland/aansluiten", &fast).await;
    assert_eq!(too_fast.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_fast.assert_contains("Dat ging wel erg snel");
    too_fast.assert_contains("value=\"Wietske Bosma\"");
    as_a_person_would().await;
    let sent = school.post("/regios/zuid-friesland/aansluiten", &fast).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    sent.assert_contains("Uw aanmelding is verstuurd");
    let to_managers = mails(&st, "join_request").await;
    assert!(
        to_managers.iter().any(|(to, subject, _)| to == MANAGER && subject.contains("OPB SGM Sevenwolden wil meedoen"))
    );
    assert_eq!(mails(&st, "join_request.receipt").await[0].0, "w.bosma@sevenwolden.example");

    let mut manager = Client::new(st.clone());
    manager.login(MANAGER).await;
    let list = manager.get("/regio/zuid-friesland/aanmeldingen").await;
    list.assert_contains("OPB SGM Sevenwolden");
    list.assert_contains("Bouwbedrijf Hoekstra (demo)");
    let dashboard = manager.get("/beheer").await;
    dashboard.assert_contains("3 aanmeldingen om mee te doen in Zuid-Friesland");
    let id = {
        let mut conn = st.app.db.conn().await.unwrap();
        let id: String = sqlx::query_scalar("SELECT id FROM join_requests WHERE duo_code = '14FW01'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        id
    };
    let no_reason = manager
        .post(&format!("/regio/zuid-friesland/aanmeldingen/{id}"), &[("decision", "decline"), ("reason", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.assert_contains("Schrijf in een paar zinnen waarom");
    let accepted = manager.post(&format!("/regio/zuid-friesland/aanmeldingen/{id}"), &[("decision", "accept")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let again = manager.post(&format!("/regio/zuid-friesland/aanmeldingen/{id}"), &[("decision", "accept")]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a decided request is decided once");

    let page = school.get("/regios/zuid-friesland").await;
    page.assert_contains("OPB SGM Sevenwolden");
    let link = mailed_link(&st, "w.bosma@sevenwolden.example", "/uitnodiging/").await;
    let invitation = school.get(&link).await;
    assert_eq!(invitation.status, StatusCode::OK);
    invitation.assert_contains("Contactpersoon school");
}

#[tokio::test]
async fn a_company_asks_to_become_a_partner_and_a_decline_says_why() {
    let st = state().await;
    let mut company = Client::new(st.clone());
    let form = company.get("/regios/zuid-friesland/partner-worden").await;
    let stamp = stamp_of(&form.body);
    as_a_person_would().await;
    let typed = [
        ("company", "Elektro Visser"),
        ("kvk", "1234 567"),
        ("name", "Roel Visser"),
        ("email", "roel@elektrovisser.example"),
        ("message", "Gastlessen over zonnepanelen."),
        ("formulier_getoond", stamp.as_str()),
    ];
    let wrong = company.post("/regios/zuid-friesland/partner-worden", &typed).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Vul het KvK-nummer in: acht cijfers");
    wrong.assert_contains("value=\"Elektro Visser\"");
    wrong.assert_contains("Gastlessen over zonnepanelen.");
    let mut fixed = typed;
    fixed[1] = ("kvk", "1234 5678");
    fixed[5] = ("formulier_getoond", &stamp);
    let sent = company.post("/regios/zuid-friesland/partner-worden", &fixed).await;
    sent.assert_contains("Uw aanmelding is verstuurd");
    assert_eq!(count(&st, "SELECT COUNT(*) FROM join_requests WHERE kvk = '12345678'").await, 1);

    // Another region's manager sees none of it.
    let mut other = Client::new(st.clone());
    other.login("programmamanager-utrecht@sterk.example").await;
    assert_eq!(other.get("/regio/zuid-friesland/aanmeldingen").await.status, StatusCode::FORBIDDEN);

    let mut manager = Client::new(st.clone());
    manager.login(MANAGER).await;
    let id = {
        let mut conn = st.app.db.conn().await.unwrap();
        let id: String = sqlx::query_scalar("SELECT id FROM join_requests WHERE kvk = '87654321'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        id
    };
    let declined = manager
        .post(
            &format!("/regio/zuid-friesland/aanmeldingen/{id}"),
            &[
                ("decision", "decline"),
                ("reason", "Wij hebben al genoeg bouwpartners; probeer het bij Noordoost-Friesland."),
            ],
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER);
    let told = mails(&st, "join_request.decision").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].0, "pieter@hoekstra-bouw.example");
    assert!(told[0].2.contains("probeer het bij Noordoost-Friesland"));
    let accepted = manager
        .post(
            &format!("/regio/zuid-friesland/aanmeldingen/{}", {
                let mut conn = st.app.db.conn().await.unwrap();
                let id: String = sqlx::query_scalar("SELECT id FROM join_requests WHERE kvk = '12345678'")
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                id
            }),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    let note: String = {
        let mut conn = st.app.db.conn().await.unwrap();
        sqlx::query_scalar("SELECT note FROM organisations WHERE name = 'Elektro Visser'")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    };
    assert!(note.contains("KvK-nummer 12345678"));
    assert!(mailed_link(&st, "roel@elektrovisser.example", "/uitnodiging/").await.starts_with("/uitnodiging/"));
}

#[tokio::test]
async fn robots_that_fill_the_hidden_field_are_thanked_and_nothing_is_stored() {
    let st = state().await;
    let before = count(&st, "SELECT COUNT(*) FROM contact_messages").await;
    let mut robot = Client::new(st.clone());
    let form = robot.get("/contact").await;
    let stamp = stamp_of(&form.body);
    as_a_person_would().await;
    let fields = [
        ("name", "Goedkope pillen"),
        ("email", "spam@example.com"),
        ("subject", "Aanbieding"),
        ("message", "Klik hier"),
        ("website", "https://spam.example"),
        ("formulier_getoond", stamp.as_str()),
    ];
    let res = robot.post("/contact", &fields).await;
    assert_eq!(res.status, StatusCode::OK);
    res.assert_contains("Uw vraag is verstuurd");
    assert_eq!(count(&st, "SELECT COUNT(*) FROM contact_messages").await, before);
    // A stamp the server did not sign is no stamp.
    let mut forged = fields;
    forged[4] = ("website", "");
    forged[5] = ("formulier_getoond", "1.abc");
    let res = robot.post("/contact", &forged).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Past the limit per address, the answer is 429.
    for _ in 0..4 {
        robot.post("/contact", &fields).await;
    }
    assert_eq!(robot.post("/contact", &fields).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_question_reaches_the_region_manager_and_the_answer_the_sender() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let form = visitor.get("/contact?regio=zuid-friesland").await;
    form.assert_contains("<option value=\"zuid-friesland\" selected>");
    let stamp = stamp_of(&form.body);
    as_a_person_would().await;
    let sent = visitor
        .post(
            "/contact",
            &[
                ("region", "zuid-friesland"),
                ("name", "Anne Post"),
                ("email", "anne.post@example.nl"),
                ("subject", "Stage <b>techniek</b>"),
                ("message", "Kan mijn zoon een snuffelstage doen?"),
                ("formulier_getoond", &stamp),
            ],
        )
        .await;
    sent.assert_contains("Uw vraag is verstuurd");
    assert!(mails(&st, "contact").await.iter().any(|(to, _, body)| to == MANAGER && body.contains("snuffelstage")));

    let mut manager = Client::new(st.clone());
    manager.login(MANAGER).await;
    manager.get("/beheer").await.assert_contains("2 vragen wachten via het contactformulier");
    let inbox = manager.get("/beheer/berichten").await;
    inbox.assert_contains("Stage &#60;b&#62;techniek&#60;/b&#62;");
    // The national question is not the region's.
    assert!(!inbox.body.contains("Regio voor Vlieland?"));
    let id = {
        let mut conn = st.app.db.conn().await.unwrap();
        let id: String = sqlx::query_scalar("SELECT id FROM contact_messages WHERE email = 'anne.post@example.nl'")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        id
    };
    let empty = manager.post(&format!("/beheer/berichten/{id}"), &[("answer", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answered = manager
        .post(&format!("/beheer/berichten/{id}"), &[("answer", "Ja, in de meivakantie bij Van der Meer.")])
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let reply = mails(&st, "contact.answer").await;
    assert_eq!(reply.len(), 1);
    assert_eq!(reply[0].0, "anne.post@example.nl");
    assert!(reply[0].2.contains("meivakantie"));
    assert_eq!(
        manager.post(&format!("/beheer/berichten/{id}"), &[("answer", "Nog eens")]).await.status,
        StatusCode::CONFLICT
    );

    let mut admin = Client::new(st);
    admin.login(ADMIN).await;
    admin.get("/beheer/berichten").await.assert_contains("Regio voor Vlieland?");
}
