//! The application workspace through the router: totals and checks, versions and conflicts,
//! who reads and writes, the API's exchange format, the audit log, editing in place and phases.
//! Files in and out of the workspace are in `files`.

use axum::http::{Method, StatusCode};

use crate::common::{ADMIN, Client, LEAD, MANAGER, PARTNER, SCHOOL, state};

mod files;
mod phases;

const WS: &str = "/regio/zuid-friesland/aanvragen/hoofdlijnen";

fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

fn finding<'a>(body: &'a str, title_start: &str) -> &'a str {
    let at = body.find(title_start).unwrap_or_else(|| panic!("no finding {title_start}"));
    &body[at.saturating_sub(120)..at]
}

#[tokio::test]
async fn the_demo_draft_shows_totals_and_every_check() {
    let mut pm = Client::new(state().await);
    pm.login(MANAGER).await;
    let page = pm.get(WS).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Aanvraag op hoofdlijnen: Zuid-Friesland");
    page.assert_contains("€ 246.580,00");
    page.assert_contains("Kan worden ingediend");
    assert_eq!(page.body.matches("class=\"utrecht-status-badge utrecht-status-badge--success\">Voldoet<").count(), 11);
}

#[tokio::test]
async fn cofinancing_fails_until_a_company_contributes_then_the_version_is_frozen() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let page = pm.get("/regio/zuid-friesland/aanvragen").await;
    page.assert_contains("Aanvraag starten");
    let started = pm.post("/regio/zuid-friesland/aanvragen/uitwerking-2025-2026/starten", &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let ws = "/regio/zuid-friesland/aanvragen/uitwerking-2025-2026";
    let page = pm.get(ws).await;
    let v = version(&page.body);
    let res = pm
        .post(
            &format!("{ws}/activiteiten"),
            &[
                ("version", &v),
                ("title", "Docentstages"),
                ("themes", "personeel"),
                ("themes", "inclusie"),
                ("themes", "duurzaamheid"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(res.location()).await;
    page.assert_contains("De activiteit is toegevoegd.");
    let v = version(&page.body);
    let res = pm
        .post(
            &format!("{ws}/begroting"),
            &[
                ("version", &v),
                ("activity", "a1"),
                ("year", "2025"),
                ("category", "staff-internal"),
                ("description", "Begeleiding"),
                ("quantity", "100"),
                ("unit", "uur"),
                ("unit_price_eur", "60,00"),
                ("funding", "subsidie"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(ws).await;
    page.assert_contains("€ 6.000,00");
    assert!(finding(&page.body, "Ten minste 10% cofinanciering").contains("Voldoet niet"));
    page.assert_contains("href=\"#begroting\"");

    // Submitting, by the lead applicant's signatory, is refused and lists the blocking rules.
    let mut lead = Client::new(st.clone());
    lead.login(LEAD).await;
    let refused = lead.post(&format!("{ws}/indienen"), &[("version", &version(&page.body))]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Ten minste 10% cofinanciering door bedrijven: Cofinanciering door bedrijven is € 0,00");

    // A bad number keeps what was typed.
    let bad = pm
        .post(
            &format!("{ws}/begroting"),
            &[
                ("version", &version(&page.body)),
                ("activity", "a1"),
                ("year", "2025"),
                ("category", "materials"),
                ("description", "Gereedschap"),
                ("quantity", "veel"),
                ("unit", "post"),
                ("unit_price_eur", "10"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Vul het aantal in als getal");
    bad.assert_contains("value=\"Gereedschap\"");

    let company = {
        let page = pm.get(ws).await;
        let at = page.body.find("Cofinanciering door Installatiebedrijf").unwrap();
        page.body[..at].rsplit("<option value=\"").next().unwrap().split('"').next().unwrap().to_owned()
    };
    let page = pm.get(ws).await;
    let res = pm
        .post(
            &format!("{ws}/begroting"),
            &[
                ("version", &version(&page.body)),
                ("activity", "a1"),
                ("year", "2026"),
                ("category", "staff-external"),
                ("description", "Instructeur"),
                ("quantity", "10"),
                ("unit", "uur"),
                ("unit_price_eur", "120"),
                ("funding", &company),
                ("in_kind", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(ws).await;
    assert!(finding(&page.body, "Ten minste 10% cofinanciering").contains(">Voldoet<"));

    // The agreement goes on from the main lines, with its signed copy. A new text is another
    // agreement: the ticks for the old one go; then every party is ticked as having signed anew.
    let page = pm.get(ws).await;
    page.assert_contains("samenwerkingsovereenkomst-getekend.pdf");
    let orgs: Vec<String> =
        page.body.split("name=\"signed\" value=\"").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect();
    let text = "De partners werken samen aan de uitwerking voor 2025 en 2026.";
    for round in [1, 2] {
        let page = pm.get(ws).await;
        let v = version(&page.body);
        let mut fields: Vec<(&str, &str)> = vec![("version", &v), ("text", text)];
        fields.extend(orgs.iter().map(|o| ("signed", o.as_str())));
        pm.post(&format!("{ws}/overeenkomst"), &fields).await;
        let page = pm.get(ws).await;
        let parts = finding(&page.body, "De aanvraag bevat regiovisie");
        assert_eq!(parts.contains(">Voldoet<"), round == 2, "round {round}: {parts}");
    }
    let page = pm.get(ws).await;
    pm.post(&format!("{ws}/visie"), &[("version", &version(&page.body)), ("vision", "Samen sterk in techniek.")]).await;
    let page = pm.get(ws).await;
    assert!(
        page.body.contains("Kan worden ingediend"),
        "{}",
        &page.body[page.body.find("controle").unwrap()..][..3000]
    );
    // The manager sees who submits formally, and may not; the lead applicant's signatory does.
    page.assert_contains("Formeel indienen doet iemand die tekenbevoegd is voor de penvoerder");
    let by_manager = pm.post(&format!("{ws}/indienen"), &[("version", &version(&page.body))]).await;
    assert_eq!(by_manager.status, StatusCode::CONFLICT, "{}", by_manager.body);
    by_manager.assert_contains("tekenbevoegd is voor de penvoerder");
    let submitted = lead.post(&format!("{ws}/indienen"), &[("version", &version(&page.body))]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.body);
    let page = lead.get(submitted.location()).await;
    page.assert_contains("Versie 1 is ingediend.");
    assert!(!page.body.contains("SHA-256:"), "the fingerprint is not in the message");
    let hash = page.body.split("id=\"versie-1-vingerafdruk\">").nth(1).unwrap()[..64].to_owned();

    // The hash is over the canonical JSON of the frozen version.
    let (frozen, info) =
        services::applications::content(&st.app, &domain::Actor::system(), "zuid-friesland", "uitwerking-2025-2026", 1)
            .await
            .unwrap();
    assert_eq!(info.unwrap().sha256, hash);
    assert_eq!(services::auth::sha256_hex(&frozen.canonical_json()), hash);

    // Further edits make a new draft; the diff shows them.
    let page = pm.get(ws).await;
    pm.post(&format!("{ws}/begroting/0/verwijderen"), &[("version", &version(&page.body))]).await;
    let diff = pm.get(&format!("{ws}/verschil/1/0")).await;
    diff.assert_contains("Begrotingsregel verwijderd: Begeleiding (2025, staff-internal, activiteit a1), € 6.000,00.");
}

#[tokio::test]
async fn a_stale_edit_is_a_conflict_with_the_latest_version_shown() {
    let st = state().await;
    let mut a = Client::new(st.clone());
    a.login(MANAGER).await;
    let mut b = Client::new(st);
    b.login(LEAD).await;
    let v = version(&a.get(WS).await.body);
    b.get(WS).await;
    let first = b.post(&format!("{WS}/visie"), &[("version", &v), ("vision", "Visie van de penvoerder")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = a.post(&format!("{WS}/visie"), &[("version", &v), ("vision", "Visie van de programmamanager")]).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    second.assert_contains("uw wijziging is <strong>niet</strong> opgeslagen");
    second.assert_contains("Visie van de penvoerder");
}

#[tokio::test]
async fn the_region_reads_but_only_manager_and_lead_applicant_write_and_other_regions_see_nothing() {
    let st = state().await;
    for (who, can_edit) in [(SCHOOL, false), (PARTNER, false), (ADMIN, false), (LEAD, true)] {
        let mut c = Client::new(st.clone());
        c.login(who).await;
        let page = c.get(WS).await;
        assert_eq!(page.status, StatusCode::OK, "{who} reads");
        assert_eq!(page.body.contains("Regiovisie opslaan"), can_edit, "{who}");
        let v = if can_edit { version(&page.body) } else { "1".into() };
        let res = c.post(&format!("{WS}/visie"), &[("version", &v), ("vision", "x")]).await;
        assert_eq!(res.status == StatusCode::FORBIDDEN, !can_edit, "{who} writes: {}", res.status);
    }
    // The demo partner also works in Utrecht; a manager of Zuid-Friesland does not see Utrecht's drafts.
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    assert_eq!(pm.get("/regio/utrecht/aanvragen").await.status, StatusCode::FORBIDDEN);
    assert_eq!(pm.post("/regio/utrecht/aanvragen/hoofdlijnen/starten", &[]).await.status, StatusCode::FORBIDDEN);
    let mut anon = Client::new(st);
    let res = anon.get(WS).await;
    assert_eq!((res.status, res.location()), (StatusCode::SEE_OTHER, "/inloggen"));
}

#[tokio::test]
async fn the_api_reads_and_writes_the_exchange_format_with_if_match() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let path = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";
    let got = pm.get(path).await;
    assert_eq!(got.status, StatusCode::OK);
    // The demo's changes: a school plan approved, then change request 1 started and made.
    assert_eq!(got.headers["etag"], "\"4\"", "the demo's three changes");
    let mut doc = got.json();
    assert_eq!(doc["format"], "sterk.application/1");
    doc["vision"] = serde_json::json!("Via de API");
    // Confirmations are Sterk's own records: one a client writes in is dropped.
    let confirmations = doc["agreement"]["confirmations"].clone();
    assert_eq!(confirmations.as_array().unwrap().len(), 2, "the demo's lead applicant and company confirmed");
    let mut forged = confirmations[0].clone();
    forged["by"] = serde_json::json!("Vervalst");
    forged["at"] = serde_json::json!("2024-09-30T11:00:00Z");
    doc["agreement"]["confirmations"].as_array_mut().unwrap().push(forged);

    let missing = pm.json(Method::PUT, path, &doc).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let put = {
        let body = doc.to_string().into_bytes();
        let mut req = axum::http::Request::builder()
            .method(Method::PUT)
            .uri(path)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .header("if-match", "\"4\"");
        req = req
            .header("cookie", format!("sterk_sessie={}", pm.cookie.clone().unwrap()))
            .header("x-csrf-token", pm.csrf.clone().unwrap());
        tower::ServiceExt::oneshot(pm.router.clone(), req.body(axum::body::Body::from(body)).unwrap()).await.unwrap()
    };
    assert_eq!(put.status(), StatusCode::OK);
    assert_eq!(put.headers()["etag"], "\"5\"");
    let again = pm.get(path).await.json();
    assert_eq!(again["vision"], "Via de API");
    assert_eq!(again["budget"], doc["budget"], "the budget round-trips unchanged");
    assert_eq!(again["agreement"]["confirmations"], confirmations, "the forged confirmation is not kept");

    let stale = {
        let req = axum::http::Request::builder()
            .method(Method::PUT)
            .uri(path)
            .header("host", "localhost")
            .header("content-type", "application/json")
            .header("if-match", "\"2\"")
            .header("cookie", format!("sterk_sessie={}", pm.cookie.clone().unwrap()))
            .header("x-csrf-token", pm.csrf.clone().unwrap());
        tower::ServiceExt::oneshot(pm.router.clone(), req.body(axum::body::Body::from(doc.to_string())).unwrap())
            .await
            .unwrap()
    };
    assert_eq!(stale.status(), StatusCode::CONFLICT);

    // The lead applicant's signatory submits.
    let mut lead = Client::new(st.clone());
    lead.login(LEAD).await;
    let submit = {
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("{path}/submit"))
            .header("host", "localhost")
            .header("if-match", "\"5\"")
            .header("cookie", format!("sterk_sessie={}", lead.cookie.clone().unwrap()))
            .header("x-csrf-token", lead.csrf.clone().unwrap());
        tower::ServiceExt::oneshot(lead.router.clone(), req.body(axum::body::Body::empty()).unwrap()).await.unwrap()
    };
    assert_eq!(submit.status(), StatusCode::CREATED);
    let versions = pm.get(&format!("{path}/versions")).await.json();
    assert_eq!(versions[0]["number"], 1);
    assert_eq!(versions[0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(versions[0]["submitted_by"], "Demo Penvoerder");

    let mut partner = Client::new(st);
    partner.login(PARTNER).await;
    let none = partner.get("/api/v1/regions/utrecht/applications/uitwerking-2025-2026").await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "a phase the region has no application for");
    assert_eq!(partner.get(path).await.status, StatusCode::OK, "a partner of the region reads the draft");
}

#[tokio::test]
async fn every_change_is_in_the_audit_log_with_before_and_after() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let v = version(&pm.get(WS).await.body);
    pm.post(&format!("{WS}/visie"), &[("version", &v), ("vision", "Nieuwe visie")]).await;
    let mut conn = st.app.db.conn().await.unwrap();
    let row: (String, Option<String>) = store::sqlx::query_as(
        "SELECT detail, actor_id FROM audit_log WHERE action = 'application.update' ORDER BY at DESC, id DESC LIMIT 1",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    let detail: serde_json::Value = serde_json::from_str(&row.0).unwrap();
    assert_ne!(detail["before"], detail["after"]);
    assert_eq!(detail["before"].as_str().unwrap().len(), 64);
    assert!(detail["changes"][0].as_str().unwrap().starts_with("Regiovisie gewijzigd"));
    assert!(row.1.is_some(), "who");
}

#[tokio::test]
async fn activities_and_lines_are_edited_in_place() {
    let mut pm = Client::new(state().await);
    pm.login(MANAGER).await;
    let page = pm.get(WS).await;
    page.assert_contains("Eerste tien docenten gestart");
    let res = pm
        .post(
            &format!("{WS}/activiteiten/a1"),
            &[
                ("version", &version(&page.body)),
                ("title", "Docenten lopen stage"),
                ("themes", "personeel"),
                ("remove_milestone", "0"),
                ("milestone_title", "Twintig docenten"),
                ("milestone_due", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(WS).await;
    page.assert_contains("Docenten lopen stage");
    page.assert_contains("Mijlpaal: Twintig docenten (30 juni 2026)");
    assert!(!page.body.contains("Eerste tien docenten gestart"));
    page.assert_contains("€ 246.580,00");

    let res = pm
        .post(
            &format!("{WS}/begroting/0"),
            &[
                ("version", &version(&page.body)),
                ("activity", "a1"),
                ("year", "2025"),
                ("category", "staff-internal"),
                ("unit", "uur"),
                ("description", "Begeleiding docentstages"),
                ("quantity", "600"),
                ("unit_price_eur", "55,00"),
                ("funding", "subsidie"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(WS).await;
    page.assert_contains("€ 243.580,00"); // 600 h × € 5 less
    let bad = pm
        .post(
            &format!("{WS}/begroting/0"),
            &[
                ("version", &version(&page.body)),
                ("activity", "a1"),
                ("year", "2025"),
                ("category", "staff-internal"),
                ("quantity", "-3"),
                ("unit_price_eur", "55"),
                ("funding", "subsidie"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Het aantal is niet negatief.");
}
