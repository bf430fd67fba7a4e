//! Identity: a forgotten password, a new e-mail address, two-factor sign-in, one's sessions.

use axum::http::StatusCode;
use services::demo::DEMO_PASSWORD;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::common::{ADMIN, ASSESSOR, Client, MANAGER, PARTNER, mailed_link, state, token_client};

const NEW_PASSWORD: &str = "een heel nieuw wachtwoord";

async fn mails_to(st: &web::AppState, to: &str) -> usize {
    let mut conn = st.app.db.conn().await.unwrap();
    let all = store::notifications::all(&mut conn, None, 500).await.unwrap();
    all.iter().filter(|n| n.recipient == to && n.kind == "account.password_reset").count()
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_a_mailed_link_that_ends_every_session_and_key() {
    let st = state().await;
    let mut signed_in = Client::new(st.clone());
    signed_in.login(MANAGER).await;
    let mut api = token_client(&st, MANAGER).await;
    assert_eq!(api.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await.status, StatusCode::OK);

    let mut c = Client::new(st.clone());
    c.get("/inloggen").await.assert_contains("href=\"/wachtwoord-vergeten\"");
    c.get("/wachtwoord-vergeten").await;
    let empty = c.post("/wachtwoord-vergeten", &[("email", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("Vul een e-mailadres in.");
    // The same answer whether or not the address has an account.
    let known = c.post("/wachtwoord-vergeten", &[("email", MANAGER)]).await;
    let unknown = c.post("/wachtwoord-vergeten", &[("email", "niemand@sterk.example")]).await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    let said = |body: &str, address: &str| body.replace(address, "ADRES");
    assert_eq!(said(&known.body, MANAGER), said(&unknown.body, "niemand@sterk.example"));
    known.assert_contains("De link werkt één keer en een uur lang.");
    assert_eq!(mails_to(&st, "niemand@sterk.example").await, 0);
    let link = mailed_link(&st, MANAGER, "/wachtwoord-herstellen/").await;
    // The national team reads the outbox, but not a link into someone's account.
    let mut admin = Client::new(st.clone());
    admin.login(ADMIN).await;
    let outbox = admin.get("/beheer/uitbak").await;
    outbox.assert_contains("Nieuw wachtwoord voor Sterk");
    assert!(!outbox.body.contains("/wachtwoord-herstellen/"), "the reset link is not in the outbox");

    let short = c.post(&link, &[("password", "kort"), ("password_repeat", "kort")]).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("minstens 12 tekens");
    let done = c.post(&link, &[("password", NEW_PASSWORD), ("password_repeat", NEW_PASSWORD)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.headers["location"], "/inloggen");
    c.get("/inloggen").await.assert_contains("U bent overal afgemeld en uw API-sleutels zijn ingetrokken");

    // Whoever knew the old password is out: the session and the key.
    let old_session = signed_in.get("/beheer").await;
    assert_eq!(old_session.status, StatusCode::SEE_OTHER);
    assert_eq!(
        api.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await.status,
        StatusCode::UNAUTHORIZED
    );
    // One use; the old password no longer works, the new one does.
    let again = c.get(&link).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    again.assert_contains("Deze link werkt niet meer");
    let old = c.post("/inloggen", &[("email", MANAGER), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = c.post("/inloggen", &[("email", MANAGER), ("password", NEW_PASSWORD)]).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn reset_mails_are_bounded_per_address() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    c.get("/wachtwoord-vergeten").await;
    for _ in 0..5 {
        let res = c.post("/wachtwoord-vergeten", &[("email", PARTNER)]).await;
        assert_eq!(res.status, StatusCode::OK);
    }
    // The mails are written after the answer: wait until they are, then check no more come.
    let bound = services::recovery::RESETS_PER_ADDRESS as usize;
    for _ in 0..50 {
        if mails_to(&st, PARTNER).await >= bound {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mails_to(&st, PARTNER).await, bound);
}

#[tokio::test]
async fn a_new_email_address_counts_once_confirmed_from_that_address() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    pm.get("/beheer").await.assert_contains("href=\"/account/e-mailadres\"");
    pm.get("/account/e-mailadres").await;
    let wrong = pm.post("/account/e-mailadres", &[("email", "pm@nieuw.example"), ("password", "fout")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Uw wachtwoord klopt niet.");
    wrong.assert_contains("value=\"pm@nieuw.example\"");
    let sent = pm.post("/account/e-mailadres", &[("email", "PM@nieuw.example"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(sent.status, StatusCode::OK);
    sent.assert_contains("We hebben een e-mail gestuurd naar <strong>pm@nieuw.example</strong>");
    // Nothing changes before the new address confirms.
    let mut other = Client::new(st.clone());
    other.login(MANAGER).await;
    let link = mailed_link(&st, "pm@nieuw.example", "/e-mailadres-bevestigen/").await;
    let mut reader = Client::new(st.clone());
    let page = reader.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "a GET changes nothing (mail scanners follow links)");
    other.login(MANAGER).await;
    let confirmed = reader.post(&link, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let mut later = Client::new(st.clone());
    later.get("/inloggen").await;
    let old = later.post("/inloggen", &[("email", MANAGER), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = later.post("/inloggen", &[("email", "pm@nieuw.example"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
    // The old address was told.
    let all = services::mail::all(&st.app, &domain::Actor::system(), None).await.unwrap();
    assert!(all.iter().any(|n| n.recipient == MANAGER && n.subject == "Uw e-mailadres in Sterk is gewijzigd"));
    assert_eq!(reader.post(&link, &[]).await.status, StatusCode::NOT_FOUND, "one use");
}

/// The secret on the set-up page, as the authenticator app would read it.
fn authenticator(page: &str) -> TOTP {
    let typed = page.split("<code class=\"sterk-token\">").nth(1).unwrap().split('<').next().unwrap();
    let secret = Secret::Encoded(typed.replace(' ', "")).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, "test".into()).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn two_factor_sign_in_asks_the_code_refuses_a_replay_and_takes_a_recovery_code_once() {
    let st = state().await;
    let mut partner = Client::new(st.clone());
    partner.login(PARTNER).await;
    let setup = partner.get("/account/tweestapsverificatie").await;
    setup.assert_contains("src=\"/account/tweestapsverificatie/qr.svg\"");
    let qr = partner.get("/account/tweestapsverificatie/qr.svg").await;
    assert_eq!(qr.headers["content-type"], "image/svg+xml");
    assert!(qr.body.contains("<svg") && qr.body.contains("<path"), "{}", &qr.body[..200.min(qr.body.len())]);
    let app = authenticator(&setup.body);
    let wrong = partner.post("/account/tweestapsverificatie", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Deze code klopt niet.");
    let code = app.generate(now());
    let on = partner.post("/account/tweestapsverificatie", &[("code", &code)]).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    on.assert_contains("Uw herstelcodes");
    let recovery: Vec<String> =
        on.body.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);

    let mut c = Client::new(st.clone());
    c.get("/inloggen").await;
    let first = c.post("/inloggen", &[("email", PARTNER), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(first.headers["location"], "/inloggen/code");
    // The password alone reaches nothing.
    assert_eq!(c.get("/beheer").await.status, StatusCode::SEE_OTHER);
    c.get("/inloggen/code").await.assert_contains("Typ nu de code van zes cijfers");
    let replay = c.post("/inloggen/code", &[("code", &code)]).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY, "a code counts once");
    let next = c.post("/inloggen/code", &[("code", &app.generate(now() + 30))]).await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.headers["location"], "/beheer");
    assert_eq!(c.get("/beheer").await.status, StatusCode::OK);

    let mut lost_phone = Client::new(st.clone());
    lost_phone.get("/inloggen").await;
    lost_phone.post("/inloggen", &[("email", PARTNER), ("password", DEMO_PASSWORD)]).await;
    lost_phone.get("/inloggen/code").await;
    let typed = recovery[0].to_uppercase().replace('-', " ");
    assert_eq!(lost_phone.post("/inloggen/code", &[("code", &typed)]).await.status, StatusCode::SEE_OTHER);
    let mut again = Client::new(st.clone());
    again.get("/inloggen").await;
    again.post("/inloggen", &[("email", PARTNER), ("password", DEMO_PASSWORD)]).await;
    again.get("/inloggen/code").await;
    assert_eq!(again.post("/inloggen/code", &[("code", &recovery[0])]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    lost_phone
        .get("/account/tweestapsverificatie")
        .await
        .assert_contains("<strong>9</strong> ongebruikte herstelcodes");
}

#[tokio::test]
async fn the_funder_must_set_up_two_factor_sign_in_when_the_setting_requires_it() {
    let st = state().await;
    let mut admin = Client::new(st.clone());
    admin.login(ADMIN).await;
    admin.get("/beheer/gebruikers").await.assert_contains("Verplicht voor landelijk beheerders en DUS-I");
    let set = admin.post("/beheer/gebruikers/tweestapsverificatie", &[("required", "ja")]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    // A manager is not asked; the assessor is, before anything else.
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let mut assessor = Client::new(st.clone());
    assessor.get("/inloggen").await;
    let res = assessor.post("/inloggen", &[("email", ASSESSOR), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(res.headers["location"], "/account/tweestapsverificatie");
    assert_eq!(assessor.get("/beoordeling").await.status, StatusCode::SEE_OTHER, "nothing before the set-up");
    let setup = assessor.get("/account/tweestapsverificatie").await;
    setup.assert_contains("Voor uw rol is inloggen in twee stappen verplicht");
    let app = authenticator(&setup.body);
    let on = assessor.post("/account/tweestapsverificatie", &[("code", &app.generate(now()))]).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    on.assert_contains("Uw herstelcodes");
    assert_eq!(assessor.get("/beoordeling").await.status, StatusCode::OK, "signed in once it is set up");
    let page = assessor.get("/account/tweestapsverificatie").await;
    page.assert_contains("u kunt het niet uitzetten");
    let off = assessor.post("/account/tweestapsverificatie/uitzetten", &[("code", &app.generate(now() + 30))]).await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Only the national team changes the setting.
    assert_eq!(
        pm.post("/beheer/gebruikers/tweestapsverificatie", &[("required", "")]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn ones_sessions_are_listed_one_ends_and_signing_out_everywhere_ends_them_all() {
    let st = state().await;
    let mut here = Client::new(st.clone());
    here.login(MANAGER).await;
    let mut there = Client::new(st.clone());
    there.login(MANAGER).await;
    let mut api = token_client(&st, MANAGER).await;
    // A key works on the API only, not on the account's pages.
    assert_eq!(api.post("/account/sleutels", &[("name", "nog een")]).await.status, StatusCode::UNAUTHORIZED);
    let page = here.get("/account/sessies").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Deze sessie");
    page.assert_contains("koppeling");
    assert_eq!(page.body.matches("/afmelden\"").count(), 2, "the other two sessions can be ended");
    let id = page.body.split("/account/sessies/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let ended = here.post(&format!("/account/sessies/{id}/afmelden"), &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(here.get("/account/sessies").await.body.matches("/afmelden\"").count(), 1);
    // Someone else's session is not one's own to end.
    let mut partner = Client::new(st.clone());
    partner.login(PARTNER).await;
    let own = partner.get("/account/sessies").await;
    let _ = own;
    let other = here.get("/account/sessies").await;
    let rest = other.body.split("/account/sessies/").nth(1).unwrap().split('/').next().unwrap().to_owned();
    assert_eq!(partner.post(&format!("/account/sessies/{rest}/afmelden"), &[]).await.status, StatusCode::NOT_FOUND);

    let out = here.post("/account/sessies/overal-uitloggen", &[("keys", "ja")]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(here.get("/beheer").await.status, StatusCode::SEE_OTHER);
    assert_eq!(there.get("/beheer").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        api.get("/api/v1/regions/zuid-friesland/applications/hoofdlijnen").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn wrong_codes_in_a_row_warn_the_owner_and_then_block_the_second_step() {
    let st = state().await;
    let mut partner = Client::new(st.clone());
    partner.login(PARTNER).await;
    let app = authenticator(&partner.get("/account/tweestapsverificatie").await.body);
    let on = partner.post("/account/tweestapsverificatie", &[("code", &app.generate(now()))]).await;
    assert_eq!(on.status, StatusCode::OK);
    let set_failures = |n: i64| {
        let st = st.clone();
        async move {
            let mut conn = st.app.db.conn().await.unwrap();
            sqlx::query("UPDATE totp_secrets SET failed_codes = $1").bind(n).execute(&mut *conn).await.unwrap();
        }
    };
    let attempt = |code: String| {
        let st = st.clone();
        async move {
            let mut c = Client::new(st);
            c.get("/inloggen").await;
            c.post("/inloggen", &[("email", PARTNER), ("password", DEMO_PASSWORD)]).await;
            c.get("/inloggen/code").await;
            c.post("/inloggen/code", &[("code", &code)]).await
        }
    };
    set_failures(services::two_factor::CODES_WARN - 1).await;
    assert_eq!(attempt("000000".into()).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let all = services::mail::all(&st.app, &domain::Actor::system(), None).await.unwrap();
    assert!(all.iter().any(|n| n.recipient == PARTNER && n.subject == "Verkeerde codes bij het inloggen"));
    set_failures(services::two_factor::CODES_LOCK - 1).await;
    assert_eq!(attempt("000000".into()).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let blocked = attempt(app.generate(now() + 30)).await;
    assert_eq!(blocked.status, StatusCode::UNPROCESSABLE_ENTITY, "not even the right code");
    blocked.assert_contains("geblokkeerd");
}
