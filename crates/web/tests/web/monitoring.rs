//! Open data through the services and the API: importing the real DUO file (twice changes
//! nothing; a bad file writes nothing; only the national team imports) and the indicators.

use axum::http::StatusCode;
use domain::Actor;

use crate::common::{Client, MANAGER, state};

const FILE: &[u8] = include_bytes!("../../../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");

#[tokio::test]
async fn the_real_file_imports_idempotently_and_feeds_the_indicators() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let manager = services::auth::actor_for_user(&st.app, &{
        let mut conn = st.app.db.conn().await.unwrap();
        store::users::id_by_email(&mut conn, MANAGER).await.unwrap().unwrap()
    })
    .await
    .unwrap();
    assert!(matches!(
        services::monitoring::import_exams(&st.app, &manager, FILE, |_| {}).await,
        Err(services::ServiceError::Denied(_))
    ));
    let summary = services::monitoring::import_exams(&st.app, &Actor::system(), FILE, |_| {}).await.unwrap();
    assert_eq!((summary.lines, summary.locations, summary.masked_cells), (12_782, 1_236, 99_220));
    let national = pm.get("/api/v1/indicators?year=2023-2024").await.json();
    assert_eq!(national["scope"], "national");
    let candidates = national["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "vmbo-bkg-exam-candidates")
        .unwrap()
        .clone();
    assert_eq!(candidates["known"], 46_557);
    assert_eq!(candidates["low"], candidates["known"].as_u64().unwrap() + candidates["masked_cells"].as_u64().unwrap());

    // The same file again changes nothing; a malformed one is refused whole.
    services::monitoring::import_exams(&st.app, &Actor::system(), FILE, |_| {}).await.unwrap();
    let again = pm.get("/api/v1/indicators?year=2023-2024").await.json();
    assert_eq!(again, national);
    let broken = String::from_utf8_lossy(FILE).replacen("\"<5\"", "\"veel\"", 1);
    let refused = services::monitoring::import_exams(&st.app, &Actor::system(), broken.as_bytes(), |_| {}).await;
    let Err(services::ServiceError::Invalid(errors)) = refused else { panic!("refused") };
    assert!(
        errors.to_string().contains("kolom \"EXAMENKANDIDATEN SCHOOLJAAR 2019-2020 - MAN\": \"veel\" is geen aantal"),
        "{errors}"
    );
    assert_eq!(pm.get("/api/v1/indicators?year=2023-2024").await.json(), national, "nothing written");

    // A region's indicators come from its members' DUO codes.
    let region = pm.get("/api/v1/indicators?scope=region:zuid-friesland").await.json();
    let years: std::collections::BTreeSet<&str> =
        region["indicators"].as_array().unwrap().iter().map(|v| v["year"].as_str().unwrap()).collect();
    assert_eq!(years.len(), 5, "{region}");
    assert_eq!(pm.get("/api/v1/indicators?scope=region:nergens").await.status, StatusCode::NOT_FOUND);
    assert_eq!(pm.get("/api/v1/indicators?scope=alles").await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The pages: the nation's trend and the regions compared, the region's "regio in beeld", CSV.
    let mut visitor = Client::new(st.clone());
    let monitor = visitor.get("/monitor").await;
    assert_eq!(monitor.status, StatusCode::OK);
    monitor.assert_contains("<dt>Aandeel techniek 2023-2024</dt><dd>20,9%*</dd>");
    monitor.assert_contains("<svg");
    monitor.assert_contains("Regio's vergeleken (2023-2024)");
    let region = visitor.get("/regios/zuid-friesland").await;
    region.assert_contains("Regio in beeld");
    region.assert_contains("Plaats onder de regio's");
    let csv = visitor.get("/regios/zuid-friesland/indicatoren.csv").await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.body.starts_with("scope,id,year,known,masked_cells,low,high,value\nregion:zuid-friesland,"),
        "{}",
        csv.body
    );
    let toc = visitor.get("/veranderingstheorie").await;
    toc.assert_contains("Meer meisjes kiezen techniek");
    toc.assert_contains("Aandeel meisjes in techniek");
}

#[tokio::test]
async fn a_region_manager_sets_a_baseline_and_targets_that_the_region_page_shows() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let page = pm.get("/regio/zuid-friesland/doelen").await;
    assert_eq!(page.status, StatusCode::OK);
    let res = pm
        .post(
            "/regio/zuid-friesland/doelen",
            &[("indicator", "techniek-share"), ("kind", "target"), ("school_year", "2027-2028"), ("value", "25")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = pm
        .post(
            "/regio/zuid-friesland/doelen",
            &[("indicator", "techniek-girls"), ("kind", "baseline"), ("school_year", "2023-2024"), ("value", "12")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let bad = pm
        .post(
            "/regio/zuid-friesland/doelen",
            &[("indicator", "techniek-share"), ("kind", "target"), ("school_year", "2027"), ("value", "veel")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Geef een schooljaar als 2025-2026.");
    bad.assert_contains("Vul een getal in");
    let public = Client::new(st.clone()).get("/regios/zuid-friesland").await;
    public.assert_contains("Nulmeting en doelen tegenover de cijfers");
    public.assert_contains("<td class=\"utrecht-table__cell\">2027-2028</td><td class=\"utrecht-table__cell\">Doel</td><td class=\"utrecht-table__cell\">25,0%</td>");
    let mut school = Client::new(st.clone());
    school.login(crate::common::SCHOOL).await;
    assert_eq!(school.get("/regio/zuid-friesland/doelen").await.status, StatusCode::FORBIDDEN);
    let refused = school
        .post(
            "/regio/zuid-friesland/doelen",
            &[("indicator", "techniek-share"), ("kind", "target"), ("school_year", "2027-2028"), ("value", "90")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn school_locations_enrich_the_registry_by_duo_code_and_a_bad_file_changes_nothing() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    let before = c.get("/api/v1/regions/zuid-friesland").await.json();
    let kei = |v: &serde_json::Value| {
        v["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["duo_code"] == "05AC00")
            .cloned()
            .expect("Kei College in the demo")
    };
    assert!(kei(&before)["municipality"].is_null());
    // The older convention and Windows-1252, as DUO published them for years.
    let mut file = b"BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;PLAATSNAAM;GEMEENTENAAM\r\n05AC;00;Kei College Heerenveen;HEERENVEEN;Heerenveen\r\n99ZZ;01;Caf".to_vec();
    file.extend_from_slice(&[0xe9]);
    file.extend_from_slice(b" College;ERGENS;Ergens\r\n");
    let s = services::monitoring::import_locations(&st.app, &Actor::system(), &file).await.unwrap();
    assert_eq!((s.locations, s.enriched), (2, 1));
    let after = c.get("/api/v1/regions/zuid-friesland").await.json();
    assert_eq!(kei(&after)["name"], "Kei College Heerenveen");
    assert_eq!(kei(&after)["place"], "HEERENVEEN");
    assert_eq!(kei(&after)["municipality"], "Heerenveen");
    // Again: the same; a malformed file: refused whole, nothing changed.
    services::monitoring::import_locations(&st.app, &Actor::system(), &file).await.unwrap();
    assert_eq!(c.get("/api/v1/regions/zuid-friesland").await.json(), after);
    let bad =
        b"BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;PLAATSNAAM;GEMEENTENAAM\n05AC;00;Anders;X;Y\n05AC;0;Kapot;X;Y\n";
    let refused = services::monitoring::import_locations(&st.app, &Actor::system(), bad).await;
    let Err(services::ServiceError::Invalid(e)) = refused else { panic!("refused") };
    assert!(e.to_string().contains("regel 3, kolom \"VESTIGINGSCODE\""), "{e}");
    assert_eq!(c.get("/api/v1/regions/zuid-friesland").await.json(), after);
}

#[tokio::test]
async fn activities_name_the_results_they_aim_at_and_unknown_ones_are_refused() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let aims = pm.get("/regio/zuid-friesland/doelen").await;
    aims.assert_contains("<strong>Techniekmiddagen voor meisjes op de basisschool</strong>: Werkt aan: Meer meisjes kiezen techniek; gemeten met: Aandeel meisjes in techniek");
    let path = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";
    let got = pm.get(path).await;
    let etag = got.headers["etag"].to_str().unwrap().to_owned();
    let mut doc = got.json();
    assert_eq!(doc["activities"][1]["results"][0], "meer-meisjes");
    doc["activities"][0]["results"] = serde_json::json!(["wereldvrede"]);
    let req = axum::http::Request::builder()
        .method(axum::http::Method::PUT)
        .uri(path)
        .header("content-type", "application/json")
        .header("if-match", etag)
        .header("x-csrf-token", pm.csrf.clone().unwrap())
        .header("cookie", format!("sterk_sessie={}", pm.cookie.clone().unwrap()))
        .body(axum::body::Body::from(doc.to_string()))
        .unwrap();
    let res = tower::ServiceExt::oneshot(pm.router.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["fields"][0]["field"], "activities[0].results[0]");
    assert_eq!(json["fields"][0]["message"], "onbekend resultaat \"wereldvrede\"");
}
