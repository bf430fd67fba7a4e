//! The hostile-input suite: every route that takes a body, as listed in the route table
//! (`src/routes.rs`), gets hostile bodies (far-cell, inflating and million-row
//! workbooks, entity XML, JSON nested 10,000 deep, a 1 MB field, invalid UTF-8, NUL bytes,
//! `../` and quotes in file names, CR/LF and right-to-left overrides in fields), signed in as
//! someone who may use it and anonymously. Each answer must be a Dutch page or JSON error
//! (never a 5xx), `/healthz` must still answer, and a refusal must leave the database as it was.
//! A route added without a case here fails `every_route_that_takes_a_body_has_a_case`.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use web::AppState;

use crate::common::{ADMIN, ASSESSOR, Client, MANAGER, Response, SCHOOL, state};

mod inputs;
use inputs::{form_body, hostile_files, hostile_texts, json_body, multipart};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    Form,
    File,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    Manager,
    /// The demo school contact, who wrote the demo's draft plan (only its author edits it).
    School,
    /// The funder's staff.
    Assessor,
}

use Body::{File, Form, Json};
use Who::{Admin, Anonymous, Assessor, Manager, School};

/// One case per route that takes a body: how the body is sent and who may send it.
const CASES: &[(&str, &str, Body, Who)] = &[
    ("POST", "/regios/{slug}/account-aanvragen", Form, Anonymous),
    ("POST", "/regios/{slug}/aansluiten", Form, Anonymous),
    ("POST", "/regios/{slug}/partner-worden", Form, Anonymous),
    ("POST", "/contact", Form, Anonymous),
    ("POST", "/regio/{slug}/resultaten", Form, Manager),
    ("POST", "/deelplannen/akkoord/{token}", Form, Anonymous),
    ("POST", "/regio/{slug}/aanmeldingen/{id}", Form, Manager),
    ("POST", "/beheer/berichten/{id}", Form, Admin),
    ("POST", "/inloggen", Form, Anonymous),
    ("POST", "/uitloggen", Form, Manager),
    ("POST", "/account/wachtwoord", Form, Manager),
    ("POST", "/account/sleutels", Form, Manager),
    ("POST", "/account/sleutels/{id}/intrekken", Form, Manager),
    ("POST", "/uitnodiging/{token}", Form, Anonymous),
    ("POST", "/inloggen/code", Form, Anonymous),
    ("POST", "/wachtwoord-vergeten", Form, Anonymous),
    ("POST", "/wachtwoord-herstellen/{token}", Form, Anonymous),
    ("POST", "/e-mailadres-bevestigen/{token}", Form, Anonymous),
    ("POST", "/account/e-mailadres", Form, Manager),
    ("POST", "/account/inlogdiensten/{provider}/ontkoppelen", Form, Manager),
    ("POST", "/account/sessies/{id}/afmelden", Form, Manager),
    ("POST", "/account/sessies/overal-uitloggen", Form, Manager),
    ("POST", "/account/tweestapsverificatie", Form, Manager),
    ("POST", "/account/tweestapsverificatie/herstelcodes", Form, Manager),
    ("POST", "/account/tweestapsverificatie/uitzetten", Form, Manager),
    ("POST", "/beheer/gebruikers/tweestapsverificatie", Form, Admin),
    ("POST", "/beheer/gebruikers/tweestapsverificatie-wissen", Form, Admin),
    ("POST", "/beheer/regios/nieuw", Form, Admin),
    ("POST", "/beheer/regios/{slug}", Form, Manager),
    ("POST", "/beheer/regios/{slug}/identiteit", Form, Admin),
    ("POST", "/beheer/regios/{slug}/archiveren", Form, Admin),
    ("POST", "/beheer/regios/{slug}/herstellen", Form, Admin),
    ("POST", "/beheer/regios/{slug}/deelnemers", Form, Manager),
    ("POST", "/beheer/regios/{slug}/gemeenten", Form, Admin),
    ("POST", "/beheer/regios/{slug}/deelnemers/{org}/verwijderen", Form, Manager),
    ("POST", "/beheer/regios/{slug}/penvoerder", Form, Manager),
    ("POST", "/beheer/organisaties/nieuw", Form, Manager),
    ("POST", "/beheer/organisaties/{id}", Form, Admin),
    ("POST", "/beheer/gebruikers", Form, Manager),
    ("POST", "/beheer/gebruikers/tekenbevoegd", Form, Manager),
    ("POST", "/beheer/inhoud/nieuw", Form, Manager),
    ("POST", "/beheer/inhoud/{id}", Form, Admin),
    ("POST", "/beheer/inhoud/{id}/bestand", File, Admin),
    ("POST", "/regio/{slug}/uitvoering/mijlpalen", Form, Manager),
    ("POST", "/regio/{slug}/uitvoering/wijzigingen", Form, Manager),
    ("POST", "/regio/{slug}/uitvoering/wijzigingen/{id}", Form, Manager),
    ("POST", "/regio/{slug}/uitvoering/{kind}", Form, Manager),
    ("POST", "/regio/{slug}/uitvoering/{kind}/{id}/verwijderen", Form, Manager),
    ("POST", "/regio/{slug}/verantwoording", Form, Manager),
    ("POST", "/regio/{slug}/verantwoording/rapportages/{id}", Form, Manager),
    ("POST", "/regio/{slug}/doelen", Form, Manager),
    ("POST", "/regio/{slug}/deelplannen/nieuw", Form, Manager),
    ("POST", "/regio/{slug}/deelplannen/accounts/{id}", Form, Manager),
    ("POST", "/regio/{slug}/deelplannen/{id}", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/status", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/indienen", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/verslag/{obligation}", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/activiteiten", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/activiteiten/{activity}/verwijderen", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/begroting", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/begroting/{index}/verwijderen", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/bijlagen/{attachment}/verwijderen", Form, School),
    ("POST", "/regio/{slug}/deelplannen/{id}/bijlagen", File, School),
    ("POST", "/regio/{slug}/aanvragen/{phase}/starten", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/visie", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/activiteiten", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/activiteiten/{id}", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/activiteiten/{id}/verwijderen", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/begroting", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/begroting/{index}", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/begroting/{index}/verwijderen", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/overeenkomst", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/overeenkomst/bevestigen", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/overeenkomst/vragen", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/indienen", Form, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/status", Form, Manager),
    ("POST", "/beoordeling/{slug}/{phase}/status", Form, Assessor),
    ("POST", "/beoordeling/{slug}/{phase}/verklaring", Form, Assessor),
    ("POST", "/beoordeling/{slug}/{phase}/scores", Form, Assessor),
    ("POST", "/beoordeling/{slug}/{phase}/advies", Form, Assessor),
    ("POST", "/beoordeling/{slug}/{phase}/besluit", Form, Assessor),
    ("POST", "/beoordeling/betalingen", File, Assessor),
    ("POST", "/regio/{slug}/betalingen", Form, Assessor),
    ("POST", "/regio/{slug}/vaststelling", Form, Assessor),
    ("POST", "/regio/{slug}/betalingen/{id}", Form, Assessor),
    ("POST", "/beheer/maxima/{slug}", Form, Admin),
    ("POST", "/regio/{slug}/aanvragen/{phase}/overeenkomst.pdf", File, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/import.json", File, Manager),
    ("POST", "/regio/{slug}/aanvragen/{phase}/import.xlsx", File, Manager),
    ("POST", "/regio/{slug}/uitvoering/kosten/factuur", File, Manager),
    ("POST", "/regio/{slug}/uitvoering/{kind}/import", File, Manager),
    ("POST", "/api/v1/check", Json, Anonymous),
    ("PUT", "/api/v1/regions/{slug}/applications/{phase}", Json, Manager),
    ("POST", "/api/v1/regions", Json, Admin),
    ("PATCH", "/api/v1/regions/{slug}", Json, Manager),
    ("POST", "/api/v1/content", Json, Manager),
    ("PUT", "/api/v1/content/{id}", Json, Admin),
    ("POST", "/api/v1/regions/{slug}/applications/{phase}/submit", Json, Manager),
    ("POST", "/api/v1/regions/{slug}/school-plans", Json, Manager),
    ("PUT", "/api/v1/school-plans/{id}", Json, School),
    ("POST", "/api/v1/school-plans/{id}/transitions", Json, School),
    ("POST", "/api/v1/regions/{slug}/applications/{phase}/transitions", Json, Assessor),
    ("POST", "/api/v1/regions/{slug}/applications/{phase}/declaration", Json, Assessor),
    ("POST", "/api/v1/regions/{slug}/applications/{phase}/scores", Json, Assessor),
    ("POST", "/api/v1/regions/{slug}/applications/{phase}/advice", Json, Assessor),
    ("POST", "/api/v1/regions/{slug}/applications/{phase}/decision", Json, Assessor),
    ("POST", "/api/v1/regions/{slug}/payments", Json, Assessor),
    ("PUT", "/api/v1/regions/{slug}/milestones", Json, Manager),
    ("POST", "/api/v1/regions/{slug}/{kind}", Json, Manager),
];

/// The routes of the route table that take a body (POST, PUT, PATCH), read from its source:
/// `routes.rs` names whole paths, except in `api()`, which is nested under `/api/v1`.
fn body_routes() -> BTreeSet<(String, String)> {
    let table = include_str!("../../src/routes.rs");
    let (pages, rest) = table.split_once("fn api()").expect("routes::api");
    let (nested, uploads) = rest.split_once("fn uploads()").expect("routes::uploads");
    let mut out = BTreeSet::new();
    for (source, prefix) in [(pages, ""), (uploads, ""), (nested, "/api/v1")] {
        for call in source.split(".route(").skip(1) {
            let Some(path) = call.trim_start().strip_prefix('"').and_then(|p| p.split('"').next()) else { continue };
            // The method router ends where the statement does.
            let methods = call.split(";\n").next().unwrap_or_default();
            for (token, method) in [("post(", "POST"), ("put(", "PUT"), ("patch(", "PATCH")] {
                if methods.contains(token) {
                    out.insert((method.to_owned(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out
}

#[test]
fn every_route_that_takes_a_body_has_a_case() {
    let routes = body_routes();
    let cases: BTreeSet<(String, String)> =
        CASES.iter().map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    let missing: Vec<_> = routes.difference(&cases).collect();
    let stale: Vec<_> = cases.difference(&routes).collect();
    assert!(missing.is_empty(), "routes without a hostile-input case: {missing:?}");
    assert!(stale.is_empty(), "cases for routes that do not exist: {stale:?}");
    assert!(routes.len() > 60, "the route table was read: {}", routes.len());
}

/// Real ids for the path parameters, so an authorised request reaches the handler's logic.
async fn path_for(st: &AppState, template: &str) -> String {
    let one = |sql: &'static str| async move {
        let mut conn = st.app.db.conn().await.unwrap();
        let id: Option<String> = sqlx::query_scalar(sql).fetch_optional(&mut *conn).await.unwrap();
        id.unwrap_or_else(|| "onbekend".into())
    };
    let mut path = template
        .replace("{slug}", "zuid-friesland")
        .replace("{phase}", "hoofdlijnen")
        .replace("{kind}", if template.starts_with("/api/") { "hours" } else { "uren" })
        .replace("{index}", "0")
        .replace("{activity}", "a1")
        .replace("{token}", &"0".repeat(64))
        .replace("{obligation}", "voortgang-2025")
        .replace("{provider}", "test");
    let id = if template.contains("deelplannen/accounts/") {
        one("SELECT id FROM account_requests").await
    } else if template.contains("deelplannen/{id}") || template.contains("school-plans/{id}") {
        one("SELECT id FROM school_plans WHERE state = 'concept'").await
    } else if template.contains("inhoud/{id}") || template.contains("content/{id}") {
        one("SELECT id FROM content_items WHERE kind = 'document'").await
    } else if template.contains("organisaties/{id}") {
        one("SELECT organisation_id FROM memberships").await
    } else if template.contains("betalingen/{id}") {
        one("SELECT p.id FROM payments p JOIN regions r ON r.id = p.region_id \
             WHERE r.slug = 'zuid-friesland' AND p.paid_on IS NULL")
        .await
    } else if template.contains("aanmeldingen/{id}") {
        one("SELECT id FROM join_requests WHERE decided_at IS NULL").await
    } else if template.contains("berichten/{id}") {
        one("SELECT id FROM contact_messages WHERE answer IS NULL").await
    } else if template.contains("rapportages/{id}") {
        "voortgang-2025".to_owned()
    } else if template.contains("wijzigingen/{id}") {
        one("SELECT c.id FROM change_requests c JOIN regions r ON r.id = c.region_id WHERE r.slug = 'zuid-friesland'")
            .await
    } else if template.contains("uitvoering/{kind}/{id}") || template.contains("uitvoering/uren/{id}") {
        one("SELECT id FROM execution_records WHERE kind = 'hours'").await
    } else {
        "onbekend".to_owned()
    };
    path = path.replace("{id}", &id).replace("{attachment}", "onbekend");
    if path.contains("{org}") {
        path = path.replace("{org}", &one("SELECT organisation_id FROM memberships").await);
    }
    path
}

/// The optimistic-lock version the route's record is at now, so a hostile body reaches the
/// handler's validation instead of stopping at a stale version.
async fn version_for(st: &AppState, path: &str) -> i64 {
    let sql = if path.contains("/aanvragen/") || path.contains("/applications/") {
        "SELECT a.version FROM applications a JOIN regions r ON r.id = a.region_id \
         WHERE r.slug = 'zuid-friesland' AND a.phase = 'hoofdlijnen'"
    } else if path.contains("/deelplannen/") || path.contains("/school-plans/") {
        "SELECT version FROM school_plans WHERE state = 'concept'"
    } else if path.contains("/inhoud/") || path.contains("/content/") {
        "SELECT version FROM content_items WHERE kind = 'document'"
    } else {
        "SELECT version FROM regions WHERE slug = 'zuid-friesland'"
    };
    let mut conn = st.app.db.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_optional(&mut *conn).await.unwrap().unwrap_or(1)
}

/// Row counts of every table but the sign-in limits and sessions (which a refused sign-in may
/// touch by design): a refused request must leave all of them as they were.
async fn counts(st: &AppState) -> Vec<(String, i64)> {
    // Not `totp_secrets`: the set-up page stores the secret it shows, also when it shows it again
    // after a wrong code.
    const TABLES: [&str; 52] = [
        "organisations",
        "reported_results",
        "plan_endorsement_links",
        "join_requests",
        "contact_messages",
        "region_coverage",
        "regions",
        "memberships",
        "users",
        "role_grants",
        "invitations",
        "api_tokens",
        "account_tokens",
        "recovery_codes",
        "sso_logins",
        "sso_identities",
        "sso_refusals",
        "audit_log",
        "settings",
        "applications",
        "application_versions",
        "agreement_confirmations",
        "school_plans",
        "school_plan_history",
        "school_plan_attachments",
        "notifications",
        "account_requests",
        "execution_records",
        "milestone_progress",
        "change_notices",
        "change_requests",
        "change_request_steps",
        "reports",
        "report_submissions",
        "report_steps",
        "settlements",
        "duo_exam_results",
        "open_data_imports",
        "indicator_targets",
        "duo_locations",
        "duo_pupils",
        "content_items",
        "content_files",
        "assessments",
        "assessment_steps",
        "scorecards",
        "decisions",
        "decision_amounts",
        "region_maximums",
        "payments",
        "sessions",
        "login_limits",
    ];
    let mut conn = st.app.db.conn().await.unwrap();
    let mut out = Vec::new();
    for t in TABLES.iter().filter(|t| !matches!(**t, "sessions" | "login_limits")) {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        out.push(((*t).to_owned(), n));
    }
    let versions: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM applications")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    out.push(("applications.version".into(), versions));
    out
}

/// What a client gets back must be a Dutch page or the API's JSON error; never a 5xx.
fn assert_dutch_refusal_or_success(res: &Response, what: &str) {
    assert!(!res.status.is_server_error(), "{what}: {} {}", res.status, res.body.chars().take(400).collect::<String>());
    if res.status.is_client_error() {
        let dutch_page = res.body.contains("<html lang=\"nl\"");
        let json_error = serde_json::from_str::<serde_json::Value>(&res.body).is_ok_and(|v| v["error"].is_string());
        assert!(dutch_page || json_error, "{what}: {} without a Dutch message: {}", res.status, res.body);
    }
}

async fn client(st: &AppState, who: Who) -> Client {
    let mut c = Client::new(st.clone());
    match who {
        Anonymous => c.anonymous_with_session().await,
        Admin => c.login(ADMIN).await,
        Manager => c.login(MANAGER).await,
        School => c.login(SCHOOL).await,
        Assessor => c.login(ASSESSOR).await,
    }
    c
}

async fn send(
    c: &mut Client,
    method: &Method,
    path: &str,
    (body, version): (Body, i64),
    payload: &[u8],
    name: &str,
) -> Response {
    let csrf = c.csrf.clone().unwrap_or_default();
    match body {
        Form => {
            let form = form_body(&csrf, version, payload);
            c.send(method.clone(), path, Some("application/x-www-form-urlencoded"), form).await
        }
        Json => {
            c.extra = vec![("if-match".into(), format!("\"{version}\""))];
            let res = c.send(method.clone(), path, Some("application/json"), json_body(payload)).await;
            c.extra.clear();
            res
        }
        File => {
            let (bytes, content_type) = multipart(&version.to_string(), name, payload);
            c.send(method.clone(), path, Some(&content_type), bytes).await
        }
    }
}

/// Runs the cases whose index is `part` modulo `parts`, so the suite runs in parallel.
async fn run_cases(part: usize, parts: usize) {
    for (i, (method, template, body, who)) in CASES.iter().enumerate() {
        if i % parts != part {
            continue;
        }
        let st = state().await;
        let path = path_for(&st, template).await;
        let method: Method = method.parse().unwrap();
        let payloads: Vec<(String, String, Vec<u8>)> = match body {
            File => hostile_files().iter().map(|(w, n, b)| ((*w).to_owned(), (*n).to_owned(), b.clone())).collect(),
            Form | Json => hostile_texts().into_iter().map(|(w, b)| (w.to_owned(), String::new(), b)).collect(),
        };
        let mut c = client(&st, *who).await;
        for (what, name, payload) in &payloads {
            let label = format!("{method} {template} ({who:?}), {what}");
            let before = counts(&st).await;
            let version = version_for(&st, &path).await;
            let res = send(&mut c, &method, &path, (*body, version), payload, name).await;
            assert_dutch_refusal_or_success(&res, &label);
            if res.status.is_client_error() {
                assert_eq!(counts(&st).await, before, "{label}: a refusal changed the database");
            }
            let health = Client::new(st.clone()).get("/healthz").await;
            assert_eq!(health.status, StatusCode::OK, "{label}: /healthz");
            if res.status.is_success() || res.status.is_redirection() {
                c = client(&st, *who).await; // a sign-out or password change may have ended the session
            }
        }
        // Without the right to use the route, nothing is read and nothing changes.
        if *who != Anonymous {
            let mut anon = client(&st, Anonymous).await;
            let (what, name, payload) = payloads.first().expect("payloads");
            let before = counts(&st).await;
            let version = version_for(&st, &path).await;
            let res = send(&mut anon, &method, &path, (*body, version), payload, name).await;
            let label = format!("{method} {template} anoniem, {what}");
            assert!(!res.status.is_success(), "{label}: {}", res.status);
            assert!(!res.status.is_server_error(), "{label}: {}", res.status);
            assert_eq!(counts(&st).await, before, "{label}: changed the database");
        }
    }
}

#[tokio::test]
async fn hostile_bodies_part_1() {
    run_cases(0, 4).await;
}

#[tokio::test]
async fn hostile_bodies_part_2() {
    run_cases(1, 4).await;
}

#[tokio::test]
async fn hostile_bodies_part_3() {
    run_cases(2, 4).await;
}

#[tokio::test]
async fn hostile_bodies_part_4() {
    run_cases(3, 4).await;
}

#[tokio::test]
async fn a_nul_in_the_address_is_refused_in_dutch() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    for path in ["/regios/zuid%00friesland", "/scholen?q=a%00b", "/zoeken?q=%00", "/api/v1/schools?q=%00"] {
        let res = c.get(path).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path}");
        assert_dutch_refusal_or_success(&res, path);
        res.assert_contains("NUL-teken");
    }
    assert_eq!(c.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_real_document_of_several_mib_is_taken_where_the_form_says_10_mib() {
    let st = state().await;
    let mut admin = client(&st, Admin).await;
    let path = path_for(&st, "/beheer/inhoud/{id}/bestand").await;
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.resize(3 * 1024 * 1024, b' ');
    let version = version_for(&st, &path).await;
    let res = send(&mut admin, &Method::POST, &path, (File, version), &pdf, "jaarplan.pdf").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut too_big = pdf.clone();
    too_big.resize(11 * 1024 * 1024, b' ');
    let res = send(&mut admin, &Method::POST, &path, (File, version + 1), &too_big, "te-groot.pdf").await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    res.assert_contains("hoogstens 10 MiB");
}
