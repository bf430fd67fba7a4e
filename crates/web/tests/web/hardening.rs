//! The findings of the attack on `serve --demo` (issue 13), each reproduced: a far-cell
//! spreadsheet, a client-chosen file reference, shared organisations, plans for another school,
//! a form field that sliced a string inside a character.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{ADMIN, Client, MANAGER, SCHOOL, state, upload_form};
use services::demo::DEMO_PASSWORD;

const WS: &str = "/regio/zuid-friesland/aanvragen/hoofdlijnen";

async fn post_file(c: &mut Client, path: &str, name: &str, bytes: &[u8], version: &str) -> crate::common::Response {
    let (body, ct) = upload_form(version, name, bytes);
    let path = path.to_owned();
    c.send(Method::POST, &path, Some(&ct), body).await
}

#[tokio::test]
async fn a_far_cell_spreadsheet_is_refused_and_anonymous_uploads_are_not_read() {
    let st = state().await;
    let bytes = import::sheet::fixtures::far_cell();
    assert!(bytes.len() < 8 * 1024);
    let mut anon = Client::new(st.clone());
    anon.anonymous_with_session().await;
    for path in ["/regio/zuid-friesland/uitvoering/uren/import", &format!("{WS}/import.xlsx")] {
        let res = post_file(&mut anon, path, "ver.xlsx", &bytes, "1").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}: {}", res.body);
        res.assert_contains("Inloggen nodig");
    }
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let res = post_file(&mut pm, "/regio/zuid-friesland/uitvoering/uren/import", "ver.xlsx", &bytes, "1").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("te groot: hoogstens 100.000 regels");
    let page = pm.get(WS).await;
    let version = crate::common::version_of(&page.body);
    let res = post_file(&mut pm, &format!("{WS}/import.xlsx"), "ver.xlsx", &bytes, &version).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("te groot: hoogstens 100.000 regels");
    assert_eq!(pm.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_client_cannot_point_the_agreement_at_another_file() {
    let st = state().await;
    // A PDF Sterk stores, but not as this region's agreement (an invoice, another region's file).
    let other = b"%PDF- not yours";
    let other_sha = {
        let mut tx = st.app.db.begin().await.unwrap();
        let sha = services::files::put(&mut tx, other).await.unwrap();
        tx.commit().await.unwrap();
        sha
    };
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let path = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";
    let got = pm.get(path).await;
    let etag = got.headers["etag"].to_str().unwrap().to_owned();
    let mut doc = got.json();
    for (sha, field) in [
        ("../secret", "agreement.document.sha256"),
        (&"a".repeat(64), "agreement.document.sha256"), // well formed, but Sterk never stored it
        (&other_sha, "agreement.document.sha256"),      // stored, but not this region's agreement
    ] {
        doc["agreement"]["document"] = json!({ "filename": "x.pdf", "sha256": sha, "size": 1 });
        let res = pm.put_if_match(path, &doc, &etag).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{sha}: {}", res.body);
        assert_eq!(res.json()["fields"][0]["field"], field, "{}", res.body);
    }
    // The draft still names the demo's signed copy, and that is what is served.
    let served = pm.get(&format!("{WS}/overeenkomst.pdf")).await;
    assert_eq!(served.status, StatusCode::OK);
    served.assert_contains("Samenwerkingsovereenkomst Sterk Techniekonderwijs");

    // A real upload, then a name with a quote and a right-to-left override set through the API:
    // the download header stays one well-formed line.
    let page = pm.get(WS).await;
    let version = crate::common::version_of(&page.body);
    let pdf = b"%PDF-1.4 getekend";
    let res = post_file(&mut pm, &format!("{WS}/overeenkomst.pdf"), "getekend.pdf", pdf, &version).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let got = pm.get(path).await;
    let etag = got.headers["etag"].to_str().unwrap().to_owned();
    let mut doc = got.json();
    doc["agreement"]["document"]["filename"] = json!("a\"b\u{202e}fdp.exe");
    let res = pm.put_if_match(path, &doc, &etag).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let got = pm.get(&format!("{WS}/overeenkomst.pdf")).await;
    assert_eq!(got.body.as_bytes(), pdf);
    let disposition = got.headers["content-disposition"].to_str().unwrap();
    // The right-to-left override is gone: "fdp.exe" cannot show as "exe.pdf".
    assert_eq!(disposition, "attachment; filename=\"a_bfdp.exe\"; filename*=UTF-8''a%22bfdp.exe");
    doc["agreement"]["document"]["filename"] = json!("a\r\nSet-Cookie: x");
    let etag = pm.get(path).await.headers["etag"].to_str().unwrap().to_owned();
    let res = pm.put_if_match(path, &doc, &etag).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
}

#[tokio::test]
async fn a_region_manager_cannot_rename_another_regions_school() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let utrecht = visitor.get("/api/v1/regions/utrecht").await.json();
    let shared = utrecht["organisations"][0].clone();
    let (id, name) = (shared["id"].as_str().unwrap(), shared["name"].as_str().unwrap());
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    pm.get("/beheer/regios/zuid-friesland/deelnemers").await;
    let added = pm.post("/beheer/regios/zuid-friesland/deelnemers", &[("organisation_id", id)]).await;
    assert_eq!(added.status, StatusCode::OK, "adding an organisation of another region stays possible");
    assert_eq!(pm.get(&format!("/beheer/organisaties/{id}")).await.status, StatusCode::FORBIDDEN);
    pm.get("/beheer").await;
    let renamed = pm.post(&format!("/beheer/organisaties/{id}"), &[("name", "Overgenomen"), ("kind", "vmbo")]).await;
    assert_eq!(renamed.status, StatusCode::FORBIDDEN);
    visitor.get("/regios/utrecht").await.assert_contains(name);
    assert!(!visitor.get("/regios/utrecht").await.body.contains("Overgenomen"));
}

#[tokio::test]
async fn a_school_contact_files_plans_for_the_own_school_only() {
    let st = state().await;
    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    let form = school.get("/regio/zuid-friesland/deelplannen/nieuw").await;
    assert_eq!(form.body.matches("name=\"organisation\"").count(), 1);
    let own = form.body.split("name=\"organisation\"").nth(1).unwrap();
    let own_id = own.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let region = Client::new(st.clone()).get("/api/v1/regions/zuid-friesland").await.json();
    let other = region["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "vmbo" && o["id"] != own_id.as_str())
        .expect("a second school")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!form.body.contains(&other), "the form offers the own school only");
    let before = school.get("/regio/zuid-friesland/deelplannen").await.body.matches("/deelplannen/").count();
    let refused = school
        .post("/regio/zuid-friesland/deelplannen/nieuw", &[("title", "Namens een ander"), ("organisation", &other)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    refused.assert_contains("Geen toegang");
    let api = school
        .json(
            Method::POST,
            "/api/v1/regions/zuid-friesland/school-plans",
            &json!({ "title": "Via de API", "organisation": other }),
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.body);
    let after = school.get("/regio/zuid-friesland/deelplannen").await.body.matches("/deelplannen/").count();
    assert_eq!(before, after, "nothing was filed");
    let ok = school
        .post("/regio/zuid-friesland/deelplannen/nieuw", &[("title", "Eigen plan"), ("organisation", &own_id)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
}

#[tokio::test]
async fn a_school_year_with_a_multibyte_character_is_a_field_error() {
    let st = state().await;
    let mut anon = Client::new(st.clone());
    anon.anonymous_with_session().await;
    let res = anon.post("/regio/zuid-friesland/doelen", &[("school_year", "20€2026"), ("indicator", "x")]).await;
    assert!(res.status.is_client_error() || res.status.is_redirection(), "{}", res.status);
    let mut pm = Client::new(st);
    pm.login(MANAGER).await;
    pm.get("/regio/zuid-friesland/doelen").await;
    let res = pm
        .post(
            "/regio/zuid-friesland/doelen",
            &[("indicator", "techniek-share"), ("kind", "target"), ("school_year", "20€2026"), ("value", "25")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("Geef een schooljaar als 2025-2026.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_wrong_passwords_are_evaluated_at_most_five_times() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    c.peer = Some("198.51.100.7:40000".parse().unwrap());
    c.anonymous_with_session().await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let mut each = Client::new(st.clone());
        (each.anonymous, each.csrf, each.peer) = (c.anonymous.clone(), c.csrf.clone(), c.peer);
        tasks.push(tokio::spawn(async move {
            each.post("/inloggen", &[("email", ADMIN), ("password", "fout")]).await.status
        }));
    }
    let mut evaluated = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(evaluated <= 5, "{evaluated} wrong passwords were evaluated");
    assert!(evaluated >= 1);
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_out_another() {
    let st = state().await;
    let mut attacker = Client::new(st.clone());
    attacker.peer = Some("203.0.113.9:5000".parse().unwrap());
    attacker.anonymous_with_session().await;
    for _ in 0..6 {
        attacker.post("/inloggen", &[("email", ADMIN), ("password", "fout")]).await;
    }
    let blocked = attacker.post("/inloggen", &[("email", ADMIN), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let mut owner = Client::new(st);
    owner.peer = Some("192.0.2.10:6000".parse().unwrap());
    owner.anonymous_with_session().await;
    let res = owner.post("/inloggen", &[("email", ADMIN), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "the owner signs in from their own address");
}

#[tokio::test]
async fn a_password_change_revokes_every_api_key() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let made = pm.post("/account/sleutels", &[("name", "koppeling")]).await;
    made.assert_contains("geldig tot");
    let token = made.body.split("<code class=\"sterk-token\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let mut api = Client::new(st.clone());
    api.bearer = Some(token);
    let me = api.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await;
    assert_eq!(me.status, StatusCode::OK);
    pm.get("/beheer").await.assert_contains("laatst gebruikt");
    pm.get("/account/wachtwoord").await;
    let changed = pm
        .post(
            "/account/wachtwoord",
            &[
                ("current", DEMO_PASSWORD),
                ("password", "een-nieuw-wachtwoord-2026"),
                ("password_repeat", "een-nieuw-wachtwoord-2026"),
            ],
        )
        .await;
    assert!(changed.status.is_success() || changed.status.is_redirection(), "{}", changed.body);
    let after = api.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    pm.get("/beheer").await.assert_contains("U hebt geen API-sleutels.");
}

#[tokio::test]
async fn anonymous_visitors_cost_nothing_stored_and_cookies_live_as_long_as_the_server_says() {
    let st = state().await;
    let sessions = || async {
        let mut conn = st.app.db.conn().await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&mut *conn).await.unwrap();
        n
    };
    let before = sessions().await;
    let mut last = None;
    for _ in 0..200 {
        let res = Client::new(st.clone()).get("/inloggen").await;
        last = Some(res);
    }
    assert_eq!(sessions().await, before, "no session row for a visitor who only opens a form");
    let set = last.unwrap().headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("sterk_anoniem=") && set.contains("Max-Age=7200"), "{set}");

    // The signed token works for the form it came with, and only with its own cookie.
    let mut visitor = Client::new(st.clone());
    visitor.anonymous_with_session().await;
    let mut forged = Client::new(st.clone());
    forged.anonymous_with_session().await;
    let (value, _) =
        forged.anonymous.clone().unwrap().split_once('.').map(|(n, e)| (n.to_owned(), e.to_owned())).unwrap();
    forged.anonymous = Some(format!("{value}.{}", i64::MAX)); // a later expiry than was signed
    let refused = forged.post("/inloggen", &[("email", ADMIN), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    forged.csrf = visitor.csrf.clone(); // another visitor's token
    forged.anonymous = Some(format!("{value}.{}", store::now_ms() + 60_000));
    assert_eq!(forged.post("/inloggen", &[("email", ADMIN)]).await.status, StatusCode::FORBIDDEN);

    let res = visitor.post("/inloggen", &[("email", ADMIN), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let cookies: Vec<&str> = res.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("sterk_sessie=") && c.contains("Max-Age=43200")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("sterk_anoniem=;") && c.contains("Max-Age=0")), "{cookies:?}");
    assert_eq!(sessions().await, before + 1);
}

#[tokio::test]
async fn a_stale_session_cookie_does_not_stand_in_the_way_of_signing_in() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    c.login(MANAGER).await;
    // The session ends elsewhere (a password change on another device, the purge).
    let mut conn = st.app.db.conn().await.unwrap();
    sqlx::query("DELETE FROM sessions").execute(&mut *conn).await.unwrap();
    drop(conn);
    let form = c.get("/inloggen").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(c.cookie.is_some() && c.anonymous.is_some(), "the stale cookie is still sent");
    let res = c.post("/inloggen", &[("email", MANAGER), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    c.get("/beheer").await.assert_contains("Ingelogd als Demo Programmamanager");
}
