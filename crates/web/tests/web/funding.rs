//! The region maximum table and the payment register through the router: who sees and changes
//! them, what a refused form keeps, and the API's answers.

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::json;

use crate::common::{ADMIN, ASSESSOR, Client, MANAGER, SCHOOL, state};

async fn signed_in(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    c
}

#[tokio::test]
async fn the_national_team_keeps_the_maximums_on_a_page_with_history_and_the_regulation_page_shows_them() {
    let st = state().await;
    let mut manager = signed_in(&st, MANAGER).await;
    assert_eq!(manager.get("/beheer/maxima").await.status, StatusCode::FORBIDDEN);
    assert_eq!(manager.post("/beheer/maxima/zuid-friesland", &[("amount", "1")]).await.status, StatusCode::FORBIDDEN);

    let mut admin = signed_in(&st, ADMIN).await;
    let table = admin.get("/beheer/maxima").await;
    assert_eq!(table.status, StatusCode::OK);
    table.assert_contains("href=\"/beheer/maxima/zuid-friesland\"");
    table.assert_contains("€ 3.200.000,00");
    table.assert_contains("nog geen maximum");

    let form = admin.get("/beheer/maxima/zuid-friesland").await;
    let row =
        form.body.split("name=\"replaced\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let refused = admin
        .post(
            "/beheer/maxima/zuid-friesland",
            &[("replaced", &row), ("amount", "veel"), ("source", "Bijlage 3"), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("value=\"veel\"");
    refused.assert_contains("id=\"f-reason-error\"");
    let stale = admin
        .post(
            "/beheer/maxima/zuid-friesland",
            &[("replaced", "1"), ("amount", "3.100.000,00"), ("source", "Bijlage 3"), ("reason", "Correctie")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("value=\"3.100.000,00\"");

    let saved = admin
        .post(
            "/beheer/maxima/zuid-friesland",
            &[
                ("replaced", &row),
                ("amount", "3.100.000,00"),
                ("source", "Bijlage 3 bij de regeling"),
                ("verified", "ja"),
                ("reason", "Gecorrigeerd naar de gepubliceerde bijlage."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = admin.get("/beheer/maxima/zuid-friesland").await;
    page.assert_contains("Gecorrigeerd naar de gepubliceerde bijlage.");
    page.assert_contains("€ 3.200.000,00");
    page.assert_contains("€ 3.100.000,00");

    let public = Client::new(st.clone()).get("/regeling/sto-2025-2028").await;
    // Only the amount in force is public.
    public.assert_contains("Zuid-Friesland</th><td class=\"utrecht-table__cell\">€ 3.100.000,00</td>");
    public.assert_contains("Bijlage 3 bij de regeling");
}

#[tokio::test]
async fn the_region_sees_planned_against_received_and_the_funder_records_payments() {
    let st = state().await;
    let mut manager = signed_in(&st, MANAGER).await;
    let page = manager.get("/regio/zuid-friesland/betalingen").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Betalingen aan Zuid-Friesland");
    page.assert_contains("BET-2025-0101");
    page.assert_contains("nog niet betaald");
    page.assert_contains("DUS-I/STO/2025/0107");
    assert!(!page.body.contains("Betaling toevoegen"), "the region does not keep the register");
    let accounts = manager.get("/regio/zuid-friesland/verantwoording").await;
    accounts.assert_contains("href=\"/regio/zuid-friesland/betalingen\"");
    accounts.assert_contains("Ontvangen</th>");
    // A payment of another region is not reached through this region's address.
    let utrecht = manager.get("/api/v1/regions/utrecht/payments").await;
    assert_eq!(utrecht.status, StatusCode::FORBIDDEN, "the manager of Zuid-Friesland does not see Utrecht's");
    let mut school = signed_in(&st, SCHOOL).await;
    assert_eq!(school.get("/regio/zuid-friesland/betalingen").await.status, StatusCode::FORBIDDEN);

    let mut assessor = signed_in(&st, ASSESSOR).await;
    let register = assessor.get("/regio/zuid-friesland/betalingen").await;
    register.assert_contains("Betaling toevoegen");
    let api = assessor.get("/api/v1/regions/zuid-friesland/payments").await.json();
    let open = api["payments"].as_array().unwrap().iter().find(|p| p["paid_on"].is_null()).unwrap().clone();
    let (id, revision) = (open["id"].as_str().unwrap(), open["revision"].to_string());
    let path = format!("/regio/zuid-friesland/betalingen/{id}");
    let year = open["year"].to_string();
    let elsewhere = assessor.get("/api/v1/regions/utrecht/payments").await.json();
    let foreign = elsewhere["payments"][0]["id"].as_str().unwrap().to_owned();
    let crossed = assessor
        .post(
            &format!("/regio/zuid-friesland/betalingen/{foreign}"),
            &[("revision", "1"), ("kind", "voorschot"), ("year", "2025"), ("paid_on", "2024-09-30"), ("amount", "1")],
        )
        .await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND, "Utrecht's payment through Zuid-Friesland's address");
    let refused = assessor
        .post(
            &path,
            &[
                ("revision", &revision),
                ("kind", "voorschot"),
                ("year", &year),
                ("paid_on", "30-09-2024"),
                ("amount", "abc"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("value=\"abc\"");
    let amount = open["amount"].as_str().unwrap().replace('.', ",");
    let paid = assessor
        .post(
            &path,
            &[
                ("revision", &revision),
                ("kind", "voorschot"),
                ("year", &year),
                ("paid_on", "2024-09-30"),
                ("amount", &amount),
                ("reference", "BET-TEST-1"),
            ],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let stale = assessor
        .post(
            &path,
            &[
                ("revision", &revision),
                ("kind", "voorschot"),
                ("year", &year),
                ("paid_on", "2024-09-29"),
                ("amount", &amount),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "the form was opened on an older revision");
    stale.assert_contains("value=\"2024-09-29\"");
    let after = manager.get("/api/v1/regions/zuid-friesland/payments").await.json();
    let row = after["payments"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
    assert_eq!((row["paid_on"].as_str(), row["reference"].as_str()), (Some("2024-09-30"), Some("BET-TEST-1")));

    // The API: the region reads but may not add; a bad payment is a problem with every field.
    let by_region = manager
        .json(Method::POST, "/api/v1/regions/zuid-friesland/payments", &json!({ "kind": "voorschot", "amount": "1" }))
        .await;
    assert_eq!(by_region.status, StatusCode::FORBIDDEN);
    let bad = assessor
        .json(Method::POST, "/api/v1/regions/zuid-friesland/payments", &json!({ "kind": "gift", "amount": "-1" }))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> =
        bad.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect();
    for f in ["kind", "planned_on", "amount"] {
        assert!(fields.contains(&f.to_owned()), "{f}: {fields:?}");
    }
    let added = assessor
        .json(
            Method::POST,
            "/api/v1/regions/zuid-friesland/payments",
            &json!({ "kind": "eindbetaling", "planned_on": "2029-03-01", "amount": "1500.50", "reference": "EB-1" }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let eb = added.json()["payments"].as_array().unwrap().iter().find(|p| p["reference"] == "EB-1").unwrap().clone();
    assert_eq!(eb["amount"], "1500.50", "a plain decimal, not Dutch thousands");
}

#[tokio::test]
async fn the_portfolio_is_for_the_national_team_the_funder_and_the_ministry() {
    let st = state().await;
    let mut manager = signed_in(&st, MANAGER).await;
    assert_eq!(manager.get("/portefeuille").await.status, StatusCode::FORBIDDEN);
    assert_eq!(manager.get("/api/v1/portfolio").await.status, StatusCode::FORBIDDEN);
    let mut admin = signed_in(&st, ADMIN).await;
    let page = admin.get("/portefeuille").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("6 van 6 aanvragen");
    page.assert_contains("href=\"/regio/almere/betalingen\"");
    let decided = admin.get("/portefeuille?status=besloten&sorteer=besloten").await;
    decided.assert_contains("4 van 6 aanvragen");
    let none = admin.get("/portefeuille?status=bezwaar").await;
    none.assert_contains("Geen aanvragen met deze filters");
    // The workbook, read back: every row's amounts are on the page, and the totals row (SUM
    // formulas with their values) equals the page's totals.
    let workbook = admin.get("/portefeuille.xlsx").await;
    assert_eq!(workbook.status, StatusCode::OK);
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(workbook.bytes.clone())).unwrap();
    let rows: Vec<Vec<Data>> = wb.worksheet_range("Portefeuille").unwrap().rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows.len(), 1 + 6 + 1, "header, six applications, totals");
    let euro = |d: &Data| match d {
        Data::Float(f) => domain::fmt::euro_nl(rust_decimal::Decimal::try_from(*f).unwrap().round_dp(2)),
        other => panic!("{other:?}"),
    };
    for row in &rows[1..7] {
        for c in [6, 7, 8] {
            page.assert_contains(&euro(&row[c]));
        }
    }
    let totals = &rows[7];
    assert_eq!(totals[0], Data::String("Totaal".into()));
    let page_totals = page.body.split("<strong>Totaal</strong>").nth(1).unwrap();
    for c in [6, 7, 8] {
        assert!(page_totals.contains(&euro(&totals[c])), "total of column {c}: {}", euro(&totals[c]));
    }
    let years: Vec<Vec<Data>> = wb.worksheet_range("Per jaar").unwrap().rows().map(|r| r.to_vec()).collect();
    assert_eq!(euro(&years.last().unwrap()[1]), euro(&totals[6]), "the years add up to the decisions");
    page.assert_contains("Het programma per jaar");
    let file = admin.get("/portefeuille.csv").await;
    assert_eq!(file.headers["content-type"], "text/csv; charset=utf-8");
    assert!(file.body.starts_with('\u{feff}') && file.body.contains("Regio;Provincie;Fase"), "{}", file.body);
    let mut assessor = signed_in(&st, ASSESSOR).await;
    let api = assessor.get("/api/v1/portfolio").await.json();
    assert_eq!(api.as_array().unwrap().len(), 6);
    assert!(
        api.as_array()
            .unwrap()
            .iter()
            .any(|r| r["region"] == "zuidoost-brabant" && r["state"] == "aanvulling-gevraagd")
    );
}

#[tokio::test]
async fn decisions_are_open_data_on_the_region_page_and_in_the_api_from_the_parameters_date() {
    // Before 2025 (the tests' clock) the parameter has no value yet: nothing is published.
    let st = state().await;
    let mut anon = Client::new(st.clone());
    assert!(!anon.get("/regios/zuid-friesland").await.body.contains("Besluiten van DUS-I"));
    assert_eq!(anon.get("/api/v1/open-data/decisions").await.status, StatusCode::NOT_FOUND);

    let mut st = state().await;
    st.app.clock = Some("2026-09-15T12:00:00+02:00".parse().unwrap());
    let mut anon = Client::new(st.clone());
    let page = anon.get("/regios/zuid-friesland").await;
    page.assert_contains("Besluiten van DUS-I");
    page.assert_contains("(kenmerk DUS-I/STO/2025/0107)");
    let all = anon.get("/api/v1/open-data/decisions").await.json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 4, "four decisions on main lines");
    assert!(all.iter().all(|d| d.get("decided_by").is_none()), "who decided stays internal");
    let almere = anon.get("/api/v1/open-data/decisions?regio=almere").await.json();
    assert_eq!((almere[0]["outcome"].as_str(), almere[0]["total"].as_str()), (Some("afgewezen"), Some("0.00")));
    let zf = all.iter().find(|d| d["region"] == "zuid-friesland").unwrap();
    let total: rust_decimal::Decimal = zf["total"].as_str().unwrap().parse().unwrap();
    page.assert_contains(&domain::fmt::euro_nl(total));
    // The CSV, read back: one row per decision and year, adding up to the same totals.
    let file = anon.get("/api/v1/open-data/decisions.csv?regio=zuid-friesland").await;
    assert!(file.body.starts_with('\u{feff}') && file.body.contains("\r\n"));
    let mut reader =
        csv::ReaderBuilder::new().delimiter(b';').from_reader(file.body.trim_start_matches('\u{feff}').as_bytes());
    let sum: rust_decimal::Decimal =
        reader.records().map(|r| r.unwrap()[6].replace(',', ".").parse::<rust_decimal::Decimal>().unwrap()).sum();
    assert_eq!(sum, total);
    assert!(anon.get("/regios/utrecht").await.body.contains("DUS-I/STO/2025/0112"));
}

#[tokio::test]
async fn a_late_report_is_submitted_from_the_accountability_page_and_its_frozen_files_read_back() {
    let mut st = state().await;
    st.app.clock = Some("2026-09-15T12:00:00+02:00".parse().unwrap());
    let mut pm = signed_in(&st, MANAGER).await;
    let page = pm.get("/regio/zuid-friesland/verantwoording").await;
    page.assert_contains("Rapportages aan DUS-I");
    let section = page.body.split("id=\"rapportage-voortgang-2025\"").nth(1).unwrap();
    assert!(section.contains("Te laat") && section.contains("Uiterlijk 1 april 2026"), "{section}");
    let res = pm
        .post(
            "/regio/zuid-friesland/verantwoording/rapportages/voortgang-2025",
            &[("to", "ingediend"), ("revision", "0")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get("/regio/zuid-friesland/verantwoording").await;
    page.assert_contains("De rapportage is ingediend (indiening 1) en ligt vast.");
    let pdf = pm.get("/regio/zuid-friesland/verantwoording/rapportages/voortgang-2025/1/rapportage.pdf").await;
    assert_eq!((pdf.status, pdf.headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let again = pm
        .post(
            "/regio/zuid-friesland/verantwoording/rapportages/voortgang-2025",
            &[("to", "ingediend"), ("revision", "2")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "submitted already");
    // The funder asks for more: without a reason the form comes back with the message.
    let mut assessor = signed_in(&st, ASSESSOR).await;
    let refused = assessor
        .post(
            "/regio/zuid-friesland/verantwoording/rapportages/voortgang-2025",
            &[("to", "meer-gevraagd"), ("revision", "2"), ("comment", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("een toelichting is verplicht als u meer vraagt");
    // Another region's report is not this manager's.
    let other = pm
        .post("/regio/utrecht/verantwoording/rapportages/voortgang-2026", &[("to", "ingediend"), ("revision", "0")])
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_settlement_page_takes_adjustments_with_reasons_and_shows_the_decision_and_its_letter() {
    let mut st = state().await;
    st.app.clock = Some("2026-09-15T12:00:00+02:00".parse().unwrap());
    let mut assessor = signed_in(&st, ASSESSOR).await;
    let page = assessor.get("/regio/zuid-friesland/vaststelling").await;
    page.assert_contains("nog niet ingediend");
    assert!(!page.body.contains("Subsidie vaststellen"));
    let mut pm = signed_in(&st, MANAGER).await;
    let res = pm
        .post(
            "/regio/zuid-friesland/verantwoording/rapportages/eindverantwoording",
            &[("to", "ingediend"), ("revision", "0")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = assessor.get("/regio/zuid-friesland/vaststelling").await;
    page.assert_contains("Subsidie vaststellen");
    let seen = page.body.split("name=\"fingerprint\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let form = |reason: &'static str| {
        vec![
            ("fingerprint", seen.as_str()),
            ("reference", "DUS-I/STO/V/2026/0107"),
            ("decided_on", "2026-09-15"),
            ("description_0", "Coach zonder offerte"),
            ("amount_0", "-500,00"),
            ("reason_0", reason),
        ]
    };
    let refused = assessor.post("/regio/zuid-friesland/vaststelling", &form("")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Correctie 1: een reden is verplicht.");
    refused.assert_contains("Coach zonder offerte");
    assert_eq!(
        pm.post("/regio/zuid-friesland/vaststelling", &form("Geen offerte.")).await.status,
        StatusCode::FORBIDDEN
    );
    let res = assessor.post("/regio/zuid-friesland/vaststelling", &form("Geen offerte.")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get("/regio/zuid-friesland/vaststelling").await;
    page.assert_contains("Vastgesteld op");
    page.assert_contains("Terugvordering van");
    page.assert_contains("Geen offerte.");
    let letter = pm.get("/regio/zuid-friesland/vaststelling/brief.pdf").await;
    assert_eq!((letter.status, letter.headers["content-type"].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    pm.get("/regio/zuid-friesland/betalingen").await.assert_contains("Vaststelling DUS-I/STO/V/2026/0107");
}
