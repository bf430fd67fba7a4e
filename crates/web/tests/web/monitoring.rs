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
    // Regions with a handful of candidates are named apart, not ranked at 0,0%.
    monitor.assert_contains("Niet in de ranglijst, met minder dan 50 bekende examenkandidaten in 2023-2024");
    let all = services::monitoring::computed(&st.app).await.unwrap();
    let ranking = domain::monitoring::ranking(&all.per_region, "2023-2024");
    let small = ranking.too_small.first().expect("the demo has a small region");
    assert!(!monitor.body.split("Niet in de ranglijst").next().unwrap().contains(&format!("/regios/{small}#")));
    let region = visitor.get("/regios/zuid-friesland").await;
    region.assert_contains("Regio in beeld");
    region.assert_contains("Plaats onder de regio's");
    let csv = visitor.get("/regios/zuid-friesland/indicatoren.csv").await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.body.starts_with("scope,indicator,school_year,known_count,masked_cells,lowest_possible,highest_possible,value_on_known_numbers\nregion:zuid-friesland,"),
        "{}",
        csv.body
    );
    // The same rows as Dutch Excel opens them: a byte order mark, `;`, CRLF, Dutch column names.
    let excel = visitor.get("/regios/zuid-friesland/indicatoren.csv?formaat=excel").await;
    assert!(excel.body.starts_with("\u{feff}Gebied;Indicator;Naam;Schooljaar;Bekend aantal;"), "{}", excel.body);
    assert!(!excel.body.replace("\r\n", "").contains('\n'), "CRLF line ends");
    assert_eq!(excel.body.lines().count(), csv.body.lines().count());
    region.assert_contains("indicatoren.csv?formaat=excel");
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
    // DUO has not published 2027-2028 yet: its column says so, not "onbekend".
    public.assert_contains("25,0%</td>\n<td class=\"utrecht-table__cell\">nog niet bekend</td>");
    // Each indicator with targets gets a chart: DUO's figures against the baseline and targets.
    public.assert_contains(
        "aria-label=\"Aandeel techniek: volgens DUO en nulmeting en doelen; de cijfers staan in de tabel\"",
    );
    public.assert_contains("<title>Nulmeting en doelen 2027-2028: 25,0%</title>");
    public.assert_contains("<title>Nulmeting en doelen 2023-2024: 12</title>");
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
    let row = aims
        .body
        .split("<th class=\"utrecht-table__cell\" scope=\"row\">Meer meisjes kiezen techniek</th>")
        .nth(1)
        .expect("the result aimed at has a row");
    let row = row.split("</tr>").next().unwrap();
    assert!(row.contains("<li>Techniekmiddagen voor meisjes op de basisschool</li>"), "{row}");
    assert!(row.contains("<li>Aandeel meisjes in techniek: "), "measured by the result's indicators: {row}");
    let ws = pm.get("/regio/zuid-friesland/aanvragen/hoofdlijnen").await;
    ws.assert_contains("Werkt aan: Meer meisjes kiezen techniek; gemeten met: Aandeel meisjes in techniek");
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

/// A pupils file in DUO's older layout (BRIN + location number, no school-year column), in
/// Windows-1252, for Kei College (a member of Zuid-Friesland) and a school elsewhere.
fn pupils_file(bwi_year4_boys: &str) -> Vec<u8> {
    let mut f = b"BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;OPLEIDINGSNAAM;LEER- OF VERBLIJFSJAAR 3 - MAN;LEER- OF VERBLIJFSJAAR 3 - VROUW;LEER- OF VERBLIJFSJAAR 4 - MAN;LEER- OF VERBLIJFSJAAR 4 - VROUW\r\n".to_vec();
    f.extend_from_slice(
        b"05AC;00;Kei Coll\xe8ge;Heerenveen;VMBO BL lj 3-4;Techniek;VMBO BB Bouwen, wonen en interieur;14;<5;",
    );
    f.extend_from_slice(bwi_year4_boys.as_bytes());
    f.extend_from_slice(
        b";0\r\n05AC;00;Kei Coll\xe8ge;Heerenveen;VMBO KL lj 3-4;n.v.t.;VMBO KB Zorg en welzijn;3;21;5;19\r\n",
    );
    f.extend_from_slice(b"05AC;00;Kei Coll\xe8ge;Heerenveen;VMBO TL lj 3-4;n.v.t.;VMBO TL;40;44;38;41\r\n");
    f.extend_from_slice(
        b"99ZZ;01;Elders;Ergens;VMBO BL lj 3-4;Techniek;VMBO BB Produceren, installeren en energie;30;2;28;1\r\n",
    );
    f
}

#[tokio::test]
async fn the_pupils_file_gives_years_3_and_4_per_track_and_profile_all_or_nothing() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    let pupils = |json: serde_json::Value| -> std::collections::BTreeMap<String, (u64, u64, serde_json::Value)> {
        json["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["id"].as_str().unwrap().starts_with("vmbo-pupils-"))
            .map(|v| {
                let id = v["id"].as_str().unwrap().to_owned();
                (id, (v["known"].as_u64().unwrap(), v["masked_cells"].as_u64().unwrap(), v["value"].clone()))
            })
            .collect()
    };
    let no_year =
        services::monitoring::import_pupils(&st.app, &Actor::system(), &pupils_file("12"), None, |_| {}).await;
    let Err(services::ServiceError::Invalid(e)) = no_year else { panic!("a file without a school year is refused") };
    assert!(e.to_string().contains("kolom \"SCHOOLJAAR\""), "{e}");

    let s = services::monitoring::import_pupils(&st.app, &Actor::system(), &pupils_file("12"), Some("2023"), |_| {})
        .await
        .unwrap();
    assert_eq!((s.lines, s.locations, s.years.clone(), s.masked_cells), (4, 2, vec!["2023-2024".to_owned()], 1));
    let path = "/api/v1/indicators?scope=region:zuid-friesland&year=2023-2024";
    let region = pupils(c.get(path).await.json());
    assert_eq!(region["vmbo-pupils-34-bb"], (26, 1, serde_json::json!("26")));
    assert_eq!(region["vmbo-pupils-34-kb"].0, 48);
    assert_eq!(region["vmbo-pupils-34-tl"].0, 163);
    assert_eq!(region["vmbo-pupils-34-bkg"].0, 74);
    assert_eq!(region["vmbo-pupils-34-techniek"].0, 26, "Elders is not in the region");
    assert_eq!(region["vmbo-pupils-34-techniek-share"].2, serde_json::json!("0.3514"), "26 of 74");
    assert_eq!(region["vmbo-pupils-34-profiel-bwi"].0, 26);
    assert_eq!(region["vmbo-pupils-34-profiel-pie"].0, 0);
    let national = pupils(c.get("/api/v1/indicators?year=2023-2024").await.json());
    assert_eq!(national["vmbo-pupils-34-profiel-pie"].0, 61);
    let page = c.get("/regios/zuid-friesland").await;
    page.assert_contains("Leerlingen in leerjaar 3 en 4 per leerweg");
    page.assert_contains("<th class=\"utrecht-table__cell\" scope=\"row\">Bouwen, wonen en interieur</th><td class=\"utrecht-table__cell\">27 tot 30</td>");

    // The same file again changes nothing; a newer one for the same year replaces it; a bad
    // one is refused whole and changes nothing.
    services::monitoring::import_pupils(&st.app, &Actor::system(), &pupils_file("12"), Some("2023"), |_| {})
        .await
        .unwrap();
    assert_eq!(pupils(c.get(path).await.json()), region);
    services::monitoring::import_pupils(&st.app, &Actor::system(), &pupils_file("20"), Some("2023-2024"), |_| {})
        .await
        .unwrap();
    let newer = pupils(c.get(path).await.json());
    assert_eq!(newer["vmbo-pupils-34-bb"].0, 34);
    let refused =
        services::monitoring::import_pupils(&st.app, &Actor::system(), &pupils_file("twaalf"), Some("2023"), |_| {})
            .await;
    let Err(services::ServiceError::Invalid(e)) = refused else { panic!("refused") };
    assert_eq!(
        e.to_string().lines().next().unwrap(),
        "regel 2, kolom \"LEER- OF VERBLIJFSJAAR 4 - MAN\": \"twaalf\" is geen aantal (een geheel getal of <5)"
    );
    assert_eq!(pupils(c.get(path).await.json()), newer, "nothing written");
}
