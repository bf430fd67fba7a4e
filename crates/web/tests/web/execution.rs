//! Execution and accountability through the router: who records what, the cap warning, imports
//! all or nothing, milestones, change notices, and reports whose numbers are read back.

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

use crate::common::{ADMIN, ASSESSOR, Client, MANAGER, PARTNER, SCHOOL, state, upload_form};

const UREN: &str = "/regio/zuid-friesland/uitvoering/uren";

async fn signed_in(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    c
}

/// An organisation of the demo region by kind, from the API: (id, name).
async fn member(c: &mut Client, kind: &str, nth: usize) -> (String, String) {
    let region = c.get("/api/v1/regions/zuid-friesland").await.json();
    let m = region["organisations"].as_array().unwrap().iter().filter(|m| m["kind"] == kind).nth(nth).unwrap().clone();
    (m["id"].as_str().unwrap().to_owned(), m["name"].as_str().unwrap().to_owned())
}

fn hours_form<'a>(org: &'a str, rate: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("date", "2025-03-10"),
        ("person", "Anna Smit"),
        ("organisation", org),
        ("activity", "a1"),
        ("hours", "4,5"),
        ("rate_eur", rate),
        ("external", "1"),
    ]
}

#[tokio::test]
async fn hours_above_the_cap_are_capped_with_the_reason_and_schools_record_only_their_own() {
    let st = state().await;
    let mut school = signed_in(&st, SCHOOL).await;
    let (own, _) = member(&mut school, "vmbo", 0).await;
    let (other, _) = member(&mut school, "vmbo", 1).await;
    let res = school.post(UREN, &hours_form(&own, "150,00")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = school.get(res.location()).await;
    page.assert_contains("Opgeslagen: subsidiabel € 607,50.");
    page.assert_contains("Het tarief € 150,00 ligt boven het maximum van € 135,00 per uur dat op 10 maart 2025 gold");
    page.assert_contains("€ 67,50 komt voor eigen rekening");
    page.assert_contains("boven maximum");
    // A refused entry keeps what was typed, with the message at its field.
    let refused = school.post(UREN, &hours_form(&own, "veel")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("value=\"Anna Smit\"");
    refused.assert_contains("value=\"veel\"");
    refused.assert_contains("aria-describedby=\"f-rate_eur-error\"");
    refused.assert_contains("href=\"#f-rate_eur\"");
    // Another school's hours are not this contact's to record.
    assert_eq!(school.post(UREN, &hours_form(&other, "50")).await.status, StatusCode::FORBIDDEN);
    // A partner records contributions for its company, not hours.
    let mut partner = signed_in(&st, PARTNER).await;
    let (company, _) = member(&mut partner, "company", 0).await;
    assert_eq!(partner.post(UREN, &hours_form(&company, "50")).await.status, StatusCode::FORBIDDEN);
    let res = partner
        .post(
            "/regio/zuid-friesland/uitvoering/bijdragen",
            &[
                ("company", &company),
                ("activity", "a3"),
                ("date", "2025-05-01"),
                ("contribution_kind", "cash"),
                ("amount_eur", "1.000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // The national team reads along but records nothing.
    let mut admin = signed_in(&st, ADMIN).await;
    assert_eq!(admin.get(UREN).await.status, StatusCode::OK);
    assert_eq!(admin.post(UREN, &hours_form(&own, "50")).await.status, StatusCode::FORBIDDEN);
    // Someone of another region sees nothing.
    services::users::add_from_cli(
        &st.app,
        "elders@school.example",
        "Elders",
        ("school_contact", "utrecht", ""),
        Some("sterk-demo-2025"),
    )
    .await
    .unwrap();
    let mut elsewhere = signed_in(&st, "elders@school.example").await;
    assert_eq!(elsewhere.get("/regio/zuid-friesland/uitvoering").await.status, StatusCode::FORBIDDEN);
    assert_eq!(elsewhere.post(UREN, &hours_form(&own, "50")).await.status, StatusCode::FORBIDDEN);
}

async fn import(c: &mut Client, kind: &str, name: &str, bytes: &[u8]) -> crate::common::Response {
    let url = format!("/regio/zuid-friesland/uitvoering/{kind}");
    c.get(&url).await;
    let (body, ct) = upload_form("0", name, bytes);
    c.send(Method::POST, &format!("{url}/import"), Some(&ct), body).await
}

async fn hour_rows(c: &mut Client) -> usize {
    c.get(UREN).await.body.matches("/verwijderen\"").count()
}

#[tokio::test]
async fn imports_are_all_or_nothing_with_row_and_column_in_every_message() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let (org, name) = member(&mut pm, "vmbo", 0).await;
    let before = hour_rows(&mut pm).await;
    let bad = format!(
        "Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief\n10-03-2025;Jan;{org};a1;8;60\n11-03-2025;Jan;{org};a1;8;zestig\n12-03-2025;Jan;{org};zz;8;60\n"
    );
    let res = import(&mut pm, "uren", "uren.csv", bad.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Er is niets ingelezen");
    res.assert_contains("rij 3, kolom &#34;Uurtarief&#34;: &#34;zestig&#34; is geen getal");
    assert_eq!(hour_rows(&mut pm).await, before, "nothing written");
    // The rows pass the parser but one names an activity the application does not have.
    let unknown = format!(
        "Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief\n10-03-2025;Jan;{org};a1;8;60\n12-03-2025;Jan;{org};zz;8;60\n"
    );
    let res = import(&mut pm, "uren", "uren.csv", unknown.as_bytes()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("rij 3: Kies een activiteit van de aanvraag.");
    assert_eq!(hour_rows(&mut pm).await, before);

    // Windows-1252 text with the organisation by name.
    let mut good = format!(
        "Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief;Toelichting\r\n10-03-2025;Jan;{name};a1;8;60;Caf"
    )
    .into_bytes();
    good.extend_from_slice(&[0xe9, b'\r', b'\n']);
    let res = import(&mut pm, "uren", "uren.csv", &good).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(hour_rows(&mut pm).await, before + 1);

    // An Excel workbook of invoices.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in import::execution::COST_COLUMNS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let row = [
        "F-1",
        "2025-04-01",
        "Technische Unie",
        "Lesmateriaal",
        "Materialen en verbruiksgoederen",
        "a2",
        &org,
        "1000",
        "210",
        "nee",
    ];
    for (c, v) in row.iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let xlsx = wb.save_to_buffer().unwrap();
    let res = import(&mut pm, "kosten", "facturen.xlsx", &xlsx).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    pm.get("/regio/zuid-friesland/uitvoering/kosten").await.assert_contains("€ 1.210,00");
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    wb.worksheet_range(name).unwrap().rows().map(|r| r.to_vec()).collect()
}

fn figure(rows: &[Vec<Data>], label: &str) -> f64 {
    let row = rows.iter().find(|r| r.first().is_some_and(|c| *c == label)).unwrap_or_else(|| panic!("{label}"));
    match &row[1] {
        Data::Float(f) => *f,
        other => panic!("{label}: {other:?}"),
    }
}

async fn raw(c: &Client, path: &str) -> Vec<u8> {
    let req = axum::http::Request::builder()
        .uri(path)
        .header("cookie", format!("sterk_sessie={}", c.cookie.clone().unwrap()))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(c.router.clone(), req).await.unwrap();
    axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap().to_vec()
}

#[tokio::test]
async fn the_realised_amount_is_one_figure_on_every_page_report_and_api() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let api = pm.get("/api/v1/regions/zuid-friesland/realisation").await.json();
    let realised: rust_decimal::Decimal = api["total"]["realised"].as_str().unwrap().parse().unwrap();
    assert!(realised > rust_decimal::Decimal::ZERO, "the demo has realised costs");
    let settlement = pm.get("/api/v1/regions/zuid-friesland/settlement").await.json();
    assert_eq!(settlement["realised_eligible"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap(), realised);
    let shown = domain::fmt::euro_nl(realised);
    let execution = pm.get("/regio/zuid-friesland/uitvoering").await;
    execution.assert_contains(&format!("<dt>Gerealiseerd</dt><dd>{shown}</dd>"));
    // The hours table closes with its total, amounts aligned at the end; a delete asks first.
    let hours = pm.get("/regio/zuid-friesland/uitvoering/uren").await;
    hours.assert_contains("<tfoot class=\"utrecht-table__footer\">");
    hours.assert_contains("Totaal telt mee");
    hours.assert_contains("utrecht-table__cell--numeric-column utrecht-table__cell--numeric-data");
    hours.assert_contains("data-confirm=\"Regel 1 verwijderen?\"");
    let accountability = pm.get("/regio/zuid-friesland/verantwoording").await;
    assert!(accountability.body.contains(&shown), "accountability page shows {shown}");
    let summary =
        sheet(&raw(&pm, "/regio/zuid-friesland/verantwoording/eindverantwoording.xlsx").await, "Samenvatting");
    let as_f64: f64 = realised.try_into().unwrap();
    assert!((figure(&summary, "Gerealiseerd (subsidiabel)") - as_f64).abs() < 0.005);
}

#[tokio::test]
async fn the_final_report_adds_up_and_settles_as_the_rules_engine_does() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let res = pm.get("/regio/zuid-friesland/verantwoording/eindverantwoording.xlsx").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = raw(&pm, "/regio/zuid-friesland/verantwoording/eindverantwoording.xlsx").await;
    let summary = sheet(&bytes, "Samenvatting");
    let (_, settlement) =
        services::execution::settlement(&st.app, &domain::Actor::system(), "zuid-friesland").await.unwrap();
    let cents = |d: rust_decimal::Decimal| -> f64 { d.try_into().unwrap() };
    assert_eq!(figure(&summary, "Vast te stellen subsidie"), cents(settlement.settled));
    assert_eq!(figure(&summary, "Verleende subsidie"), cents(settlement.granted));
    assert_eq!(figure(&summary, "Terug te betalen (negatief: nog te ontvangen)"), cents(settlement.to_repay));
    // The realised total equals the sum of its lines.
    let lines: f64 = sheet(&bytes, "Regels")
        .iter()
        .skip(1)
        .filter(|r| r[0] != Data::String("Totaal".into()))
        .map(|r| match &r[8] {
            Data::Float(f) => *f,
            _ => 0.0,
        })
        .sum();
    assert!((figure(&summary, "Gerealiseerd (subsidiabel)") - lines).abs() < 0.005, "{lines}");
    let total =
        sheet(&bytes, "Regels").into_iter().find(|r| r[0] == Data::String("Totaal".into())).expect("a totals row");
    let Data::Float(cached) = total[8] else { panic!("a number: {:?}", total[8]) };
    assert!((cached - lines).abs() < 0.005, "the totals row is the lines' sum (a formula's cached result): {cached}");
    // The demo's realised figures include the capped external hours.
    assert!(lines > 0.0);

    let pdf = pm.get("/regio/zuid-friesland/verantwoording/voortgang-2025.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let mut school = signed_in(&st, SCHOOL).await;
    assert_eq!(
        school.get("/regio/zuid-friesland/verantwoording/eindverantwoording.pdf").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(pm.get("/regio/zuid-friesland/verantwoording/voortgang-2031.pdf").await.status, StatusCode::NOT_FOUND);
}

const CHANGES: &str = "/regio/zuid-friesland/uitvoering/wijzigingen";

fn version(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

fn revision(body: &str) -> String {
    body.split("name=\"revision\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_change_request_shows_its_difference_goes_to_the_funder_and_comes_back() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let list = pm.get(CHANGES).await;
    list.assert_contains("Wijziging 1");
    list.assert_contains("Goedgekeurd");
    let overview = pm.get("/regio/zuid-friesland/uitvoering").await;
    overview.assert_contains("zoals gewijzigd met wijziging 1");

    // Only a phase the funder granted can change; what was typed stays.
    let early = pm.post(CHANGES, &[("phase", "uitwerking-2027-2028"), ("description", "Eerder beginnen.")]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    early.assert_contains("geen besluit dat subsidie toekent");
    early.assert_contains("Eerder beginnen.");
    let res = pm.post(CHANGES, &[("phase", "hoofdlijnen"), ("description", "Meer coördinatie in 2026.")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let detail = res.location().to_owned();
    pm.get(&detail).await.assert_contains("Nog geen verschil met het besloten plan.");

    // The application is open for the change, and submitting goes through the request.
    let ws = "/regio/zuid-friesland/aanvragen/hoofdlijnen";
    let page = pm.get(ws).await;
    page.assert_contains("U werkt hier aan <strong>wijzigingsverzoek 2</strong>");
    assert!(!page.body.contains("Aanvraag indienen"));
    let line = [
        ("version", version(&page.body)),
        ("activity", "a2".into()),
        ("year", "2026".into()),
        ("category", "overhead".into()),
        ("description", "Coördinatie".into()),
        ("quantity", "1".into()),
        ("unit", "post".into()),
        ("unit_price_eur", "4.000,00".into()),
        ("funding", "subsidie".into()),
    ];
    let fields: Vec<(&str, &str)> = line.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = pm.post(&format!("{ws}/begroting"), &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(&detail).await;
    page.assert_contains("Wezenlijk: DUS-I moet goedkeuren");
    page.assert_contains("De subsidie stijgt van");
    page.assert_contains("+ € 4.000,00");
    let letter = pm.get(&format!("{detail}/brief.pdf")).await;
    assert_eq!((letter.status, &letter.headers["content-type"]), (StatusCode::OK, &"application/pdf".parse().unwrap()));
    let seen = page.body.split("name=\"draft_version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    // A plan changed since the page was read is not submitted unseen.
    let stale = [("to", "indienen"), ("revision", &revision(&page.body)), ("draft_version", "1")];
    assert_eq!(pm.post(&detail, &stale).await.status, StatusCode::CONFLICT);
    let res =
        pm.post(&detail, &[("to", "indienen"), ("revision", &revision(&page.body)), ("draft_version", &seen)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    pm.get(&detail).await.assert_contains("De wijziging is ingediend.");

    // The funder sends it back, with a reason (without one, what was typed is kept).
    let mut assessor = signed_in(&st, ASSESSOR).await;
    assessor.get("/beoordeling").await.assert_contains("Wijziging 2 (aanvraag op hoofdlijnen)");
    let page = assessor.get(&detail).await;
    let back = [("to", "teruggestuurd"), ("revision", &revision(&page.body)), ("comment", "")];
    let refused = assessor.post(&detail, &back).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Geef een toelichting: die is verplicht bij teruggestuurd.");
    let reason = [("to", "teruggestuurd"), ("revision", &revision(&page.body)), ("comment", "Onderbouw de uren.")];
    assert_eq!(assessor.post(&detail, &reason).await.status, StatusCode::SEE_OTHER);
    assert_eq!(pm.get(&detail).await.status, StatusCode::OK);
    pm.get(ws).await.assert_contains("U werkt hier aan");

    // Withdrawn: the application is the plan in force again.
    let page = pm.get(&detail).await;
    page.assert_contains("Onderbouw de uren.");
    let res = pm.post(&detail, &[("to", "ingetrokken"), ("revision", &revision(&page.body))]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(ws).await;
    assert!(!page.body.contains("Coördinatie</td>") && !page.body.contains("U werkt hier aan"));
    // A partner of the region reads along but starts nothing.
    let mut partner = signed_in(&st, PARTNER).await;
    let start = [("phase", "hoofdlijnen"), ("description", "Anders.")];
    assert_eq!(partner.post(CHANGES, &start).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_lead_school_marks_a_milestone_achieved_but_not_in_the_future() {
    let st = state().await;
    let mut school = signed_in(&st, SCHOOL).await;
    let page = school.get("/regio/zuid-friesland/uitvoering/mijlpalen").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Techniekmiddagen voor meisjes op de basisschool");
    let title = "Lesprogramma groep 7–8 klaar";
    let res = school
        .post(
            "/regio/zuid-friesland/uitvoering/mijlpalen",
            &[("activity", "a2"), ("title", title), ("achieved_on", "2024-09-01"), ("evidence", "Lesbrief")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = school.get(res.location()).await;
    page.assert_contains("op 1 september 2024");
    let future = school
        .post(
            "/regio/zuid-friesland/uitvoering/mijlpalen",
            &[("activity", "a2"), ("title", title), ("achieved_on", "2030-01-01")],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    future.assert_contains("Een mijlpaal kan niet in de toekomst behaald zijn.");
}

#[tokio::test]
async fn the_api_adds_many_at_once_or_none_and_reads_back_what_the_caller_may_see() {
    let st = state().await;
    let mut school = signed_in(&st, SCHOOL).await;
    let (own, _) = member(&mut school, "vmbo", 0).await;
    let entry = |date: &str, rate: &str| serde_json::json!({ "person": "Anna", "organisation": own, "activity": "a1", "date": date, "hours": "2", "rate_eur": rate, "external": false });
    let path = "/api/v1/regions/zuid-friesland/hours";
    let before = school.get(path).await.json().as_array().unwrap().len();
    let bad = school
        .json(Method::POST, path, &serde_json::json!([entry("2025-01-10", "55"), entry("2031-01-10", "55")]))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["fields"][0]["message"].as_str().unwrap().starts_with("regel 2: De datum valt buiten de looptijd"),
        "{}",
        bad.body
    );
    assert_eq!(school.get(path).await.json().as_array().unwrap().len(), before, "none written");
    let ok = school
        .json(Method::POST, path, &serde_json::json!([entry("2025-01-10", "55"), entry("2025-01-11", "70")]))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.json()["count"], 2);
    let listed = school.get(path).await.json();
    assert_eq!(listed.as_array().unwrap().len(), before + 2);
    let added = listed.as_array().unwrap().iter().find(|e| e["record"]["date"] == "2025-01-11").unwrap();
    assert_eq!(added["record"]["rate_eur"], "70");

    let mut pm = signed_in(&st, MANAGER).await;
    let realisation = pm.get("/api/v1/regions/zuid-friesland/realisation").await.json();
    let capped = realisation["lines"].as_array().unwrap().iter().filter(|l| l["explanation"].is_string()).count();
    assert!(capped >= 2, "the demo's external hours and the 70 an hour just added: {capped}");
    let settlement = pm.get("/api/v1/regions/zuid-friesland/settlement").await;
    assert_eq!(settlement.status, StatusCode::OK);
    assert!(settlement.json()["settled"].is_string());
    assert_eq!(school.get("/api/v1/regions/zuid-friesland/settlement").await.status, StatusCode::FORBIDDEN);
    let report = pm.get("/api/v1/regions/zuid-friesland/reports/progress-2025.xlsx").await;
    assert_eq!(report.status, StatusCode::OK);
    let milestones = pm.get("/api/v1/regions/zuid-friesland/milestones").await.json();
    assert!(milestones.as_array().unwrap().iter().any(|m| m["state"] == "achieved-late" || m["state"] == "achieved"));
}
