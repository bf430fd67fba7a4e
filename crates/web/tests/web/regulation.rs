use axum::http::{Method, StatusCode};

use crate::common::{Client, state};

const EXAMPLE: &str = include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json");

#[tokio::test]
async fn the_check_api_answers_every_rule_without_a_session() {
    let mut c = Client::new(state().await);
    let res = c.send(Method::POST, "/api/v1/check", Some("application/json"), EXAMPLE.as_bytes().to_vec()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let report = res.json();
    assert_eq!(report["passed"], true);
    assert_eq!(report["totals"]["subsidy_requested"], "159000.00");
    let rules: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, domain::regulation::check::RULE_IDS);
    let cof = &report["findings"][9];
    assert_eq!(cof["trace"][0]["valid_from"], "2025-01-01");
}

#[tokio::test]
async fn a_failing_application_is_a_200_report_and_a_malformed_one_a_422_with_the_path() {
    let mut c = Client::new(state().await);
    let late = EXAMPLE.replace("2024-09-30T14:00:00+02:00", "2024-10-01T16:00:01+02:00");
    let res = c.send(Method::POST, "/api/v1/check", Some("application/json"), late.into_bytes()).await;
    assert_eq!(res.status, StatusCode::OK);
    let deadline = res.json()["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "deadline").unwrap().clone();
    assert_eq!(deadline["passed"], false);
    assert!(deadline["message"].as_str().unwrap().contains("1 oktober 2024 om 16:00:01"));

    let broken = EXAMPLE.replacen("\"unit_price_eur\": \"60.00\"", "\"unit_price_eur\": \"zestig\"", 1);
    let res = c.send(Method::POST, "/api/v1/check", Some("application/json"), broken.into_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["fields"][0]["field"], "budget[0].unit_price_eur");
}

#[tokio::test]
async fn the_check_takes_national_scale_applications() {
    let mut doc: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let line = doc["budget"][1].clone();
    let lines = doc["budget"].as_array_mut().unwrap();
    for _ in 0..5000 {
        lines.push(line.clone());
    }
    let body = doc.to_string();
    assert!(body.len() > web::MAX_BODY_BYTES, "bigger than the forms' limit");
    let mut c = Client::new(state().await);
    let res = c.send(Method::POST, "/api/v1/check", Some("application/json"), body.into_bytes()).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn the_regulation_page_shows_rules_and_dated_parameters() {
    let mut c = Client::new(state().await);
    let index = c.get("/regeling").await;
    index.assert_contains("href=\"/regeling/sto-2025-2028\"");
    index.assert_contains("href=\"/regeling/sto-2020-2023\"");
    let page = c.get("/regeling/sto-2025-2028").await;
    assert_eq!(page.status, StatusCode::OK);
    for id in domain::regulation::check::RULE_IDS {
        page.assert_contains(&format!("id=\"regel-{id}\""));
    }
    page.assert_contains("€ 60,00 per uur");
    page.assert_contains("1 juli 2023");
    page.assert_contains("niet geverifieerd");
    page.assert_contains("van 1 september 2024 om 09:00 tot en met 1 oktober 2024 om 16:00");
    // The region maximum table is the national team's data, each row with its source.
    page.assert_contains("id=\"maxima\"");
    page.assert_contains("€ 3.200.000,00");
    page.assert_contains("Voorbeeldwaarde voor de demo");
    // The assessment's criteria and the objection period are part of the regulation as code.
    page.assert_contains("id=\"criteria\"");
    page.assert_contains("Regiovisie");
    page.assert_contains("6 weken");
    let old = c.get("/regeling/sto-2020-2023").await;
    old.assert_contains("€ 15.895,00");
    old.assert_contains("7,5%");
    assert_eq!(c.get("/regeling/sto-1999").await.status, StatusCode::NOT_FOUND);
}

/// Names only the code and its files know; none of them belongs on a page people read.
const INTERNAL_NAMES: &[&str] = &[
    "seed 0",
    ".txt",
    "DOMAIN.md",
    ".toml",
    "lead-applicant",
    "staff-internal",
    "staff-external",
    "school_contact",
    "region-manager",
    "company",
    "sterk.application/1",
    "rate-internal-max",
    "cofinancing-minimum-share",
];

#[tokio::test]
async fn public_pages_name_sources_by_title_and_show_no_internal_names() {
    let mut c = Client::new(state().await);
    for path in ["/regeling", "/regeling/sto-2025-2028", "/regeling/sto-2020-2023", "/", "/regios", "/monitor"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        // What a reader sees: the text outside tags (attribute values such as anchors are not shown).
        let visible: String =
            page.body.split('<').map(|part| part.split_once('>').map_or("", |(_, text)| text)).collect();
        for name in INTERNAL_NAMES {
            assert!(!visible.contains(name), "{path} shows the internal name {name:?}");
        }
    }
    let page = c.get("/regeling/sto-2025-2028").await;
    page.assert_contains("Nehem, ‘Nieuwe STO-regeling focust op integraal techniekonderwijs’ (4 april 2024)");
    page.assert_contains("href=\"https://zoek.officielebekendmakingen.nl/stcrt-2024-11193.html\"");
    page.assert_contains("bedrijf");
}
