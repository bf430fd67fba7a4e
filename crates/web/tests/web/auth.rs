use axum::http::{Method, StatusCode};

use crate::common::{ADMIN, Client, MANAGER, csrf_of, mailed_link, state};

#[tokio::test]
async fn sign_in_replaces_the_session_and_sign_out_ends_it() {
    let mut c = Client::new(state().await);
    let form = c.get("/inloggen").await;
    assert_eq!(form.status, StatusCode::OK);
    let set_cookie = form.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(c.anonymous.is_some() && c.cookie.is_none(), "an anonymous visitor gets a signed cookie, no session");

    let bad = c.post("/inloggen", &[("email", MANAGER), ("password", "verkeerd wachtwoord")]).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    bad.assert_contains("Het e-mailadres of het wachtwoord klopt niet.");
    bad.assert_contains(&format!("value=\"{MANAGER}\""));

    let ok = c.post("/inloggen", &[("email", MANAGER), ("password", services::demo::DEMO_PASSWORD)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location(), "/beheer");
    assert!(c.cookie.is_some() && c.anonymous.is_none(), "a new session after sign-in; the anonymous cookie is gone");

    let dash = c.get("/beheer").await;
    dash.assert_contains("Ingelogd als Demo Programmamanager");
    dash.assert_contains("Programmamanager in Zuid-Friesland");

    let out = c.post("/uitloggen", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = c.get("/beheer").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/inloggen");
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    let mut c = Client::new(state().await);
    c.get("/inloggen").await;
    for _ in 0..5 {
        let res = c.post("/inloggen", &[("email", ADMIN), ("password", "fout")]).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = c.post("/inloggen", &[("email", ADMIN), ("password", services::demo::DEMO_PASSWORD)]).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    blocked.assert_contains("te vaak geprobeerd");
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let mut c = Client::new(state().await);
    c.login(MANAGER).await;
    let good = c.csrf.clone().unwrap();
    c.csrf = Some("0".repeat(64));
    let forged = c.post("/beheer/regios/zuid-friesland/deelnemers", &[("organisation_id", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    forged.assert_contains("Verzoek geweigerd");

    // A cross-site request is refused even with the right token.
    c.csrf = Some(good.clone());
    let body = format!("csrf={good}&organisation_id=x");
    let mut req_client = c;
    let res = {
        let router = req_client.router.clone();
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/beheer/regios/zuid-friesland/deelnemers")
            .header("host", "localhost")
            .header("cookie", format!("sterk_sessie={}", req_client.cookie.clone().unwrap()))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(axum::body::Body::from(body))
            .unwrap();
        tower::ServiceExt::oneshot(router, req).await.unwrap()
    };
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = req_client.get("/beheer").await;
    assert!(csrf_of(&page.body).is_some());
}

#[tokio::test]
async fn oversized_bodies_are_rejected() {
    let mut c = Client::new(state().await);
    c.login(MANAGER).await;
    let huge = "x".repeat(web::MAX_BODY_BYTES + 1);
    let res = c.post("/beheer/regios/zuid-friesland", &[("description", &huge)]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn password_change_checks_the_current_password_and_rules() {
    let mut c = Client::new(state().await);
    c.login(MANAGER).await;
    c.get("/account/wachtwoord").await;
    let wrong = c
        .post(
            "/account/wachtwoord",
            &[
                ("current", "fout"),
                ("password", "een nieuw lang wachtwoord"),
                ("password_repeat", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Uw huidige wachtwoord klopt niet.");
    let short = c
        .post(
            "/account/wachtwoord",
            &[("current", services::demo::DEMO_PASSWORD), ("password", "kort"), ("password_repeat", "kort")],
        )
        .await;
    short.assert_contains("minstens 12 tekens");
    let ok = c
        .post(
            "/account/wachtwoord",
            &[
                ("current", services::demo::DEMO_PASSWORD),
                ("password", "een nieuw lang wachtwoord"),
                ("password_repeat", "een nieuw lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    ok.assert_contains("Uw wachtwoord is gewijzigd");

    let mut again = Client::new(c.state.clone());
    again.get("/inloggen").await;
    let old = again.post("/inloggen", &[("email", MANAGER), ("password", services::demo::DEMO_PASSWORD)]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = again.post("/inloggen", &[("email", MANAGER), ("password", "een nieuw lang wachtwoord")]).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn invitation_creates_an_account_with_the_role() {
    let st = state().await;
    let mut manager = Client::new(st.clone());
    manager.login(MANAGER).await;
    manager.get("/beheer/gebruikers").await;
    let bad = manager
        .post(
            "/beheer/gebruikers",
            &[("email", "geen-adres"), ("role", "school_contact"), ("region", "zuid-friesland")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("geen geldig e-mailadres");
    let res = manager
        .post(
            "/beheer/gebruikers",
            &[("email", "docent@kei.example"), ("role", "school_contact"), ("region", "zuid-friesland")],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.assert_contains("per e-mail verstuurd naar <strong>docent@kei.example</strong>");
    assert!(!res.body.contains("/uitnodiging/"), "the link goes to the invitee only");
    let link = mailed_link(&st, "docent@kei.example", "/uitnodiging/").await.replace("/uitnodiging/", "");

    let mut invitee = Client::new(st.clone());
    let form = invitee.get(&format!("/uitnodiging/{link}")).await;
    form.assert_contains("Contactpersoon school");
    form.assert_contains("Zuid-Friesland");
    let mismatch = invitee
        .post(
            &format!("/uitnodiging/{link}"),
            &[("name", "Docent Kei"), ("password", "lang genoeg wachtwoord"), ("password_repeat", "anders")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    mismatch.assert_contains("value=\"Docent Kei\"");
    let ok = invitee
        .post(
            &format!("/uitnodiging/{link}"),
            &[
                ("name", "Docent Kei"),
                ("password", "lang genoeg wachtwoord"),
                ("password_repeat", "lang genoeg wachtwoord"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let dash = invitee.get("/beheer").await;
    dash.assert_contains("Contactpersoon school in Zuid-Friesland");

    // Used once only.
    let mut late = Client::new(st);
    let reused = late.get(&format!("/uitnodiging/{link}")).await;
    assert_eq!(reused.status, StatusCode::NOT_FOUND);
}
