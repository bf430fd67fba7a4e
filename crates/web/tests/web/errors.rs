//! One error path: a refused save answers 422 (invalid) or 409 (stale) with the Dutch message on
//! the page, in every feature; every JSON error is problem details (RFC 9457).

use axum::http::{Method, StatusCode, header};

use crate::common::{ADMIN, Client, LEAD, MANAGER, SCHOOL, state, version_of};

const WS: &str = "/regio/zuid-friesland/aanvragen/hoofdlijnen";

/// A form post as a person sends it: the page first (for its token), then the form.
async fn post(c: &mut Client, page: &str, to: &str, fields: &[(&str, &str)]) -> crate::common::Response {
    c.get(page).await;
    c.post(to, fields).await
}

#[tokio::test]
async fn every_feature_answers_a_refused_save_with_422_or_409_and_the_message_on_the_page() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let mut other = Client::new(st.clone());
    other.login(ADMIN).await;

    // execution: a milestone achieved in the future.
    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    let ms = "/regio/zuid-friesland/uitvoering/mijlpalen";
    let fields = [("activity", "a2"), ("title", "Lesprogramma groep 7–8 klaar"), ("achieved_on", "2030-01-01")];
    let bad = post(&mut school, ms, ms, &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "execution: {}", bad.body);
    bad.assert_contains("Een mijlpaal kan niet in de toekomst behaald zijn.");

    // admin: a region's profile.
    let region = "/beheer/regios/zuid-friesland";
    let v = version_of(&pm.get(region).await.body);
    let bad = post(&mut pm, region, region, &[("version", &v), ("contact_phone", "bel me")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "admin");
    bad.assert_contains("Een telefoonnummer bevat alleen cijfers");
    let saved = post(&mut other, region, region, &[("version", &v), ("description", "Versie van B")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = post(&mut pm, region, region, &[("version", &v)]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "admin");
    stale.assert_contains("Iemand anders heeft deze regio gewijzigd");

    // applications: the workspace's budget line and vision.
    let v = version_of(&pm.get(WS).await.body);
    let line = [("version", v.as_str()), ("activity", "a1"), ("year", "2025"), ("category", "materials")];
    let bad = post(&mut pm, WS, &format!("{WS}/begroting"), &[&line[..], &[("quantity", "€ 85,-")]].concat()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "applications");
    bad.assert_contains("Niet opgeslagen:");
    let mut lead = Client::new(st.clone());
    lead.login(LEAD).await;
    let saved = post(&mut lead, WS, &format!("{WS}/visie"), &[("version", &v), ("vision", "Van B")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = post(&mut pm, WS, &format!("{WS}/visie"), &[("version", &v), ("vision", "Van A")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "applications");
    stale.assert_contains("Iemand anders heeft de aanvraag gewijzigd");

    // monitoring: a region's targets.
    let targets = "/regio/zuid-friesland/doelen";
    let fields = [("indicator", "techniek-share"), ("kind", "target"), ("school_year", "2027"), ("value", "veel")];
    let bad = post(&mut pm, targets, targets, &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "monitoring");
    bad.assert_contains("Geef een schooljaar als 2025-2026.");

    // content: an agenda item.
    let new = "/beheer/inhoud/nieuw?soort=agenda";
    let fields = [("scope", ""), ("title", "Bijeenkomst"), ("starts", "morgen"), ("status", "concept")];
    let bad = post(&mut other, new, new, &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "content");
    bad.assert_contains("Vul een datum en tijd in als 2024-06-19 15:00.");

    // account: a new password that is too short.
    let pw = "/account/wachtwoord";
    let fields = [
        ("current", "fout"),
        ("password", "een nieuw lang wachtwoord"),
        ("password_repeat", "een nieuw lang wachtwoord"),
    ];
    let bad = post(&mut pm, pw, pw, &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "account");
    bad.assert_contains("Uw huidige wachtwoord klopt niet.");
}

#[tokio::test]
async fn every_json_error_is_problem_details() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let app = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";
    let draft = pm.get(app).await.json();
    let cases: Vec<(&str, crate::common::Response)> = vec![
        ("unknown path", visitor.get("/api/v1/bestaat-niet").await),
        ("unknown region", visitor.get("/api/v1/regions/bestaat-niet").await),
        ("not signed in", visitor.get(app).await),
        ("bad scope", visitor.get("/api/v1/indicators?scope=alles").await),
        ("no If-Match", pm.json(Method::PUT, app, &draft).await),
        ("stale", pm.put_if_match(app, &draft, "\"0\"").await),
        ("unreadable", pm.send(Method::PUT, app, Some("application/json"), b"{".to_vec()).await),
        ("method", visitor.send(Method::DELETE, "/api/v1/regions", None, Vec::new()).await),
        // A session without the X-CSRF-Token header: refused by the CSRF guard.
        ("csrf", pm.send(Method::POST, &format!("{app}/submit"), None, Vec::new()).await),
    ];
    for (what, res) in cases {
        assert!(res.status.is_client_error(), "{what}: {}", res.status);
        let ct = res.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(ct.as_deref(), Some("application/problem+json"), "{what}: {}", res.body);
        let p = res.json();
        assert_eq!(p["type"], "about:blank", "{what}");
        assert_eq!(p["status"], res.status.as_u16(), "{what}");
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{what}");
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{what}");
        assert_eq!(p["detail"], p["error"], "{what}: the older `error` member says the same");
    }
}

#[tokio::test]
async fn a_message_after_a_save_is_sealed_by_the_server_and_shown_once() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let targets = "/regio/zuid-friesland/doelen";
    let fields = [("indicator", "techniek-share"), ("kind", "target"), ("school_year", "2027-2028"), ("value", "25")];
    let saved = post(&mut pm, targets, targets, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), targets, "no text in the address");
    pm.get(targets).await.assert_contains("Opgeslagen.");
    assert!(!pm.get(targets).await.body.contains("Opgeslagen."), "shown once");
    // A crafted link or a forged cookie says nothing.
    let crafted = pm.get(&format!("{targets}?opgeslagen=Uw+account+is+geblokkeerd")).await;
    assert!(!crafted.body.contains("geblokkeerd"));
    pm.message = Some("557720626c6f6b6b656572642e.99999999999999.00".into());
    assert!(!pm.get(targets).await.body.contains("geblokkeerd"));
}

#[tokio::test]
async fn an_upload_carries_its_token_in_the_form_never_in_the_address() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let page = pm.get(WS).await;
    page.assert_contains("action=\"/regio/zuid-friesland/aanvragen/hoofdlijnen/import.json\"");
    assert!(!page.body.contains("?csrf="), "no token in any form's address");
    let token = pm.csrf.clone().unwrap();
    let (form, ct) = crate::common::upload_form(&version_of(&page.body), "a.json", b"{}");
    // The right token in the address, none in the form: refused.
    let mut body = b"--sterkgrens\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\r\n".to_vec();
    body.extend_from_slice(&form);
    let res = pm.send(Method::POST, &format!("{WS}/import.json?csrf={token}"), Some(&ct), body).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
}
