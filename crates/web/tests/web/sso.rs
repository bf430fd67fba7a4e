//! Single sign-on against a real OpenID provider: `oidc-provider` (OpenID Certified, from npm,
//! installed by the test command in `e2e/`), started on loopback for each test. The router runs
//! in-process as `http://sterk.test`; the provider's pages are driven over HTTP like a browser.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use axum::http::StatusCode;
use services::sso::{Provider, Providers};

use crate::common::{ADMIN, Client, PARTNER, Response, state};

const STERK: &str = "http://sterk.test";
const SECRET: &str = "sterk-test-geheim-0123456789abcdef";

/// The provider process; stopped when dropped.
struct OidcProvider {
    child: Child,
    issuer: String,
}

impl OidcProvider {
    fn start() -> OidcProvider {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/oidc/provider.mjs");
        let mut child = Command::new("node")
            .args([script, "--port", "0", "--sterk", STERK])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the OIDC provider (the test command installs e2e/node_modules)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = lines
            .find_map(|l| l.ok()?.strip_prefix("OIDC-provider op ").map(str::to_owned))
            .expect("the provider says where it listens");
        // Keep reading what it prints: a closed pipe would end it at its next line.
        std::thread::spawn(move || lines.for_each(drop));
        OidcProvider { child, issuer }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo's router as `http://sterk.test` with the provider's four clients as providers.
async fn sterk_with(provider: &OidcProvider) -> web::AppState {
    let mut st = state().await;
    let make = |id: &str| Provider {
        id: id.into(),
        name: format!("Inloggen met {id}"),
        issuer: provider.issuer.clone(),
        client_id: id.into(),
        client_secret: Some(SECRET.into()),
        scopes: vec!["openid".into(), "email".into(), "profile".into()],
        email_claim: "email".into(),
        trust_email: false,
        domains: if id == "alleen-scholen" { vec!["school.example".into()] } else { Vec::new() },
    };
    let list = ["test", "verkeerde-nonce", "verkeerde-handtekening", "verlopen", "gedraaide-sleutel", "alleen-scholen"]
        .map(make)
        .to_vec();
    st.app.sso = Arc::new(Providers::new(list).unwrap());
    st.app.base_url = STERK.into();
    st
}

/// Signs in at the provider as `email` from the address Sterk sent the browser to; returns the
/// address the provider sends the browser back to (a path at Sterk).
async fn at_provider(start: &str, email: &str) -> String {
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut url = start.to_owned();
    for _ in 0..10 {
        if let Some(back) = url.strip_prefix(STERK) {
            return back.to_owned();
        }
        let res = browser.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            let next = res.headers()["location"].to_str().unwrap().to_owned();
            url = reqwest::Url::parse(&url).unwrap().join(&next).unwrap().to_string();
            continue;
        }
        let page = res.text().await.unwrap();
        let action = page.split("action=\"").nth(1).and_then(|s| s.split('"').next()).expect("the sign-in form");
        let post = reqwest::Url::parse(&url).unwrap().join(action).unwrap();
        let res = browser.post(post).form(&[("email", email)]).send().await.unwrap();
        assert!(res.status().is_redirection(), "the provider accepts the sign-in: {}", res.status());
        url = reqwest::Url::parse(&url).unwrap().join(res.headers()["location"].to_str().unwrap()).unwrap().to_string();
    }
    panic!("the provider never sent the browser back")
}

/// The whole round trip through `provider` as `email`: Sterk's answer to the callback.
async fn sign_in_via(c: &mut Client, provider: &str, email: &str) -> Response {
    let go = c.get(&format!("/inloggen/sso/{provider}")).await;
    assert_eq!(go.status, StatusCode::SEE_OTHER, "{}", go.body);
    assert!(c.sso.is_some(), "the answer is bound to this browser by a cookie");
    let to = go.headers["location"].to_str().unwrap().to_owned();
    assert!(to.contains("code_challenge_method=S256") && to.contains("nonce=") && to.contains("state="), "{to}");
    let back = at_provider(&to, email).await;
    c.get(&back).await
}

#[tokio::test]
async fn a_verified_address_with_an_account_signs_in_and_links_it_once() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    let mut c = Client::new(st.clone());
    c.get("/inloggen").await.assert_contains("href=\"/inloggen/sso/test\"");
    let res = sign_in_via(&mut c, "test", PARTNER).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.headers["location"], "/beheer");
    let page = c.get("/account/inlogdiensten").await;
    page.assert_contains(&format!("gekoppeld als {PARTNER}"));

    // Unlinked: the same address no longer reaches the account through this provider.
    c.get("/account/inlogdiensten").await;
    assert_eq!(c.post("/account/inlogdiensten/test/ontkoppelen", &[]).await.status, StatusCode::SEE_OTHER);
    let mut again = Client::new(st.clone());
    let refused = sign_in_via(&mut again, "test", PARTNER).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("losgekoppeld");
}

#[tokio::test]
async fn an_invitation_makes_the_account_and_an_unknown_address_is_refused() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    let mut admin = Client::new(st.clone());
    admin.login(crate::common::MANAGER).await;
    let invited = admin
        .post(
            "/beheer/gebruikers",
            &[("email", "docent@sso.example"), ("role", "school_contact"), ("region", "zuid-friesland")],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK);
    let mut c = Client::new(st.clone());
    let res = sign_in_via(&mut c, "test", "docent@sso.example").await;
    assert_eq!(res.headers["location"], "/beheer", "{}", res.body);
    c.get("/beheer").await.assert_contains("Contactpersoon school in Zuid-Friesland");

    let mut stranger = Client::new(st.clone());
    let res = sign_in_via(&mut stranger, "test", "onbekend@sso.example").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("geen account en geen uitnodiging voor onbekend@sso.example");
    let res = sign_in_via(&mut stranger, "test", "onbevestigd@sso.example").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("geen bevestigd e-mailadres");
}

#[tokio::test]
async fn a_wrong_nonce_signature_or_expiry_is_refused() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    for wrong in ["verkeerde-nonce", "verkeerde-handtekening", "verlopen"] {
        let mut c = Client::new(st.clone());
        let res = sign_in_via(&mut c, wrong, PARTNER).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{wrong}: {}", res.body);
        res.assert_contains("het antwoord van de provider klopte niet");
        assert_eq!(c.get("/beheer").await.status, StatusCode::SEE_OTHER, "{wrong}: not signed in");
    }
}

#[tokio::test]
async fn a_key_rotated_in_after_the_keys_were_fetched_is_found_by_fetching_them_again() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    let mut c = Client::new(st.clone());
    // Sterk fetches the provider's keys when the sign-in starts; the provider rotates after that.
    let go = c.get("/inloggen/sso/gedraaide-sleutel").await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    let rotate = reqwest::Client::new().post(format!("{}/test/draaien", provider.issuer)).send().await.unwrap();
    assert_eq!(rotate.status().as_u16(), 204);
    let back = at_provider(go.headers["location"].to_str().unwrap(), PARTNER).await;
    let res = c.get(&back).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.headers["location"], "/beheer");
}

#[tokio::test]
async fn a_provider_limited_to_its_domains_vouches_for_no_other_address() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    let mut c = Client::new(st.clone());
    let res = sign_in_via(&mut c, "alleen-scholen", PARTNER).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("alleen inloggen met adressen van school.example");
}

#[tokio::test]
async fn an_answer_is_bound_to_its_browser_and_used_once() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    let mut c = Client::new(st.clone());
    let go = c.get("/inloggen/sso/test").await;
    let back = at_provider(go.headers["location"].to_str().unwrap(), PARTNER).await;
    // Another browser (without the cookie) cannot use the answer: login CSRF.
    let mut other = Client::new(st.clone());
    let res = other.get(&back).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("in een andere browser begonnen");
    // And the answer was used up by that attempt.
    assert_eq!(c.get(&back).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_of_a_provider_session_goes_on_to_the_providers_logout() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    let mut c = Client::new(st.clone());
    sign_in_via(&mut c, "test", PARTNER).await;
    c.get("/beheer").await;
    let out = c.post("/uitloggen", &[]).await;
    assert_eq!(out.status, StatusCode::OK, "a page that goes on (a form may lead only to Sterk)");
    let refresh = out.body.split("url=").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert!(refresh.starts_with(&format!("{}/session/end?", provider.issuer)), "{refresh}");
    assert!(refresh.contains("id_token_hint=") && refresh.contains("post_logout_redirect_uri="), "{refresh}");
    assert_eq!(c.get("/beheer").await.status, StatusCode::SEE_OTHER, "signed out of Sterk");
}

#[tokio::test]
async fn a_signed_in_person_links_a_provider_and_national_roles_are_never_linked_by_address() {
    let provider = OidcProvider::start();
    let st = sterk_with(&provider).await;
    // The national team's accounts are not linked on a provider's word.
    let mut c = Client::new(st.clone());
    let res = sign_in_via(&mut c, "test", ADMIN).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("Voor uw rol koppelt u");
    // Signed in with the password, the administrator links it from Mijn Sterk.
    let mut admin = Client::new(st.clone());
    admin.login(ADMIN).await;
    admin.get("/account/inlogdiensten").await.assert_contains("href=\"/account/inlogdiensten/test/koppelen\"");
    let go = admin.get("/account/inlogdiensten/test/koppelen").await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    let back = at_provider(go.headers["location"].to_str().unwrap(), "beheer-bij-de-school@sso.example").await;
    // The answer completes only for the account that asked, in its own browser.
    let mut someone = Client::new(st.clone());
    someone.sso = admin.sso.clone();
    let res = someone.get(&back).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
    let go = admin.get("/account/inlogdiensten/test/koppelen").await;
    let back = at_provider(go.headers["location"].to_str().unwrap(), "beheer-bij-de-school@sso.example").await;
    let linked = admin.get(&back).await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    admin.get("/account/inlogdiensten").await.assert_contains("gekoppeld als beheer-bij-de-school@sso.example");
    // From then on that identity signs in as the administrator.
    let mut later = Client::new(st.clone());
    let res = sign_in_via(&mut later, "test", "beheer-bij-de-school@sso.example").await;
    assert_eq!(res.headers["location"], "/beheer", "{}", res.body);
}
