//! Files in and out of the application workspace: the budget workbook, the signed agreement,
//! a JSON upload, and the application PDF from every surface.

use axum::http::{Method, StatusCode};

use super::{WS, version};
use crate::common::{Client, MANAGER, PARTNER, SCHOOL, state, upload_form};

#[tokio::test]
async fn the_budget_goes_to_excel_and_comes_back_all_or_nothing() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let xlsx = pm.get(&format!("{WS}/export.xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

    // The same workbook through the services, so it can be edited like a spreadsheet user would.
    let reg = st.app.regulations.get("sto-2025-2028").unwrap().clone();
    let (app, _) =
        services::applications::get(&st.app, &domain::Actor::system(), "zuid-friesland", "hoofdlijnen").await.unwrap();
    let bytes = docs::xlsx::write_budget(&reg, &app).unwrap();
    let lines = import::budget::read(&bytes, &reg, &app).unwrap();
    assert_eq!(lines.len(), app.budget.len());

    let upload = |bytes: Vec<u8>, version: String, csrf: Option<&str>| {
        let (form, ct) = upload_form(&version, "b.xlsx", &bytes);
        let mut body = csrf
            .map(|t| {
                format!("--sterkgrens\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n").into_bytes()
            })
            .unwrap_or_default();
        body.extend_from_slice(&form);
        (format!("{WS}/import.xlsx"), body, ct)
    };
    let page = pm.get(WS).await;
    let (path, body, ct) = upload(b"geen excel".to_vec(), version(&page.body), None);
    let res = pm.send(Method::POST, &path, Some(&ct), body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Dit is geen Excel-werkmap");

    let (path, body, ct) = upload(bytes.clone(), version(&page.body), None);
    let res = pm.send(Method::POST, &path, Some(&ct), body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(res.location()).await;
    page.assert_contains("De begroting is ingelezen uit Excel: 20 regels.");
    page.assert_contains("€ 246.580,00");

    // With a wrong CSRF token the upload is refused.
    let wrong = "0".repeat(64);
    let (path, body, ct) = upload(bytes, version(&page.body), Some(&wrong));
    assert_eq!(pm.send(Method::POST, &path, Some(&ct), body).await.status, StatusCode::FORBIDDEN);
}

#[test]
fn a_wrong_row_refuses_the_whole_workbook_with_sheet_row_and_column() {
    let reg = domain::regulation::Regulation::builtin("sto-2025-2028").unwrap();
    let mut app = domain::regulation::application::Application::from_json(include_str!(
        "../../../../../examples/hoofdlijnen-voorbeeldregio.json"
    ))
    .unwrap();
    app.budget[7].category = "reizen".into(); // written as is; refused on the way back
    let bytes = {
        let mut ok = app.clone();
        ok.budget[7].category = "materials".into();
        let good = docs::xlsx::write_budget(&reg, &ok).unwrap();
        assert!(import::budget::read(&good, &reg, &ok).is_ok());
        // Build the bad workbook by writing the changed application with a lenient regulation copy.
        let mut lenient = reg.clone();
        let mut extra = lenient.categories[0].clone();
        extra.id = "reizen".into();
        extra.label = "Reizen".into();
        lenient.categories.push(extra);
        docs::xlsx::write_budget(&lenient, &app).unwrap()
    };
    let errors = import::budget::read(&bytes, &reg, &app).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].to_string(), "blad 2026, rij 3, kolom \"Kostensoort\": onbekende kostensoort \"Reizen\"");
}

#[tokio::test]
async fn the_signed_agreement_is_uploaded_as_a_pdf_and_read_by_the_region() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let send = |bytes: &[u8], name: &str, version: &str| upload_form(version, name, bytes);
    let page = pm.get(WS).await;
    page.assert_contains("samenwerkingsovereenkomst-getekend.pdf"); // the demo's signed copy
    let path = format!("{WS}/overeenkomst.pdf");
    let (body, ct) = send(b"<html>geen pdf</html>", "x.html", &version(&page.body));
    let refused = pm.send(Method::POST, &path, Some(&ct), body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Upload de overeenkomst als PDF.");

    let pdf = b"%PDF-1.4\n% ondertekend door alle partners\n%%EOF\n";
    let (body, ct) = send(pdf, "overeenkomst getekend.pdf", &version(&page.body));
    let ok = pm.send(Method::POST, &path, Some(&ct), body).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = pm.get(ok.location()).await;
    page.assert_contains("overeenkomst getekend.pdf");
    page.assert_contains(&services::auth::sha256_bytes_hex(pdf));

    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    let got = school.get(&format!("{WS}/overeenkomst.pdf")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body.as_bytes(), pdf);
    let mut other = Client::new(st);
    other.login(PARTNER).await; // partner in Zuid-Friesland and Utrecht, not in Almere
    assert_eq!(other.get("/regio/almere/aanvragen/hoofdlijnen/overeenkomst.pdf").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_json_upload_replaces_the_draft_or_names_the_broken_path() {
    let st = state().await;
    let mut pm = Client::new(st);
    pm.login(MANAGER).await;
    let exported = pm.get(&format!("{WS}/export.json")).await.body;
    let upload = |text: String, version: String| upload_form(&version, "a.json", text.as_bytes());
    let page = pm.get(WS).await;
    let path = format!("{WS}/import.json");
    let broken = exported.replacen("\"unit_price_eur\": \"60\"", "\"unit_price_eur\": \"zestig\"", 1);
    assert_ne!(broken, exported);
    let (body, ct) = upload(broken, version(&page.body));
    let res = pm.send(Method::POST, &path, Some(&ct), body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("budget[0].unit_price_eur");

    let changed =
        exported.replace("Zuid-Friesland wil dat elke leerling techniek ziet", "Nieuwe visie uit een bestand");
    let (body, ct) = upload(changed, version(&page.body));
    let res = pm.send(Method::POST, &path, Some(&ct), body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = pm.get(res.location()).await;
    page.assert_contains("De aanvraag is ingelezen uit het JSON-bestand.");
    page.assert_contains("Nieuwe visie uit een bestand");
}

/// The application's files come from one use case: the page, the API and the command line
/// (which calls `services::documents::application` too) hand out the same bytes.
#[tokio::test]
async fn the_application_pdf_is_byte_identical_from_the_page_the_api_and_the_use_case() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let api = "/api/v1/regions/zuid-friesland/applications/hoofdlijnen";
    for (number, query) in [(0, String::new()), (1, "?versie=1".to_owned())] {
        let page = pm.get(&format!("{WS}/export.pdf{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{number}: {}", page.body);
        let from_api = pm.get(&format!("{api}/export.pdf{query}")).await;
        assert_eq!(from_api.status, StatusCode::OK);
        let of = ("zuid-friesland", "hoofdlijnen");
        let system = domain::Actor::system();
        let made = services::documents::application(&st.app, &system, of, number, services::documents::Format::Pdf)
            .await
            .unwrap();
        assert!(made.bytes.starts_with(b"%PDF-"));
        assert_eq!(page.bytes, made.bytes, "version {number}: page and use case");
        assert_eq!(from_api.bytes, made.bytes, "version {number}: API and use case");
    }
}
