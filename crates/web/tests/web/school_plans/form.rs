//! Writing a school plan in the browser: the forms step by step, uploads checked by their
//! content, and a refused line that keeps what was typed.

use axum::http::StatusCode;

use super::{create, signed_in, upload};
use crate::common::{Client, PARTNER, SCHOOL, state};

#[tokio::test]
async fn a_plan_is_written_in_the_browser_form_by_form() {
    let st = state().await;
    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    let form = school.get("/regio/zuid-friesland/deelplannen/nieuw").await;
    let org = form
        .body
        .split("name=\"organisation\"")
        .nth(1)
        .unwrap()
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let refused =
        school.post("/regio/zuid-friesland/deelplannen/nieuw", &[("title", ""), ("organisation", &org)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Vul de titel van het deelplan in.");
    let res = school
        .post(
            "/regio/zuid-friesland/deelplannen/nieuw",
            &[("title", "Robotica <script>"), ("organisation", &org), ("theme", "personeel")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let url = res.location().to_owned();
    let page = school.get(&url).await;
    page.assert_contains("Robotica &#60;script&#62;");
    let v = crate::common::version_of(&page.body);
    let res = school
        .post(
            &format!("{url}/activiteiten"),
            &[("version", &v), ("title", "Lessen"), ("milestone_title", "Start"), ("milestone_due", "2025-02-01")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = school.get(res.location()).await;
    let v = crate::common::version_of(&page.body);
    let res = school
        .post(
            &format!("{url}/begroting"),
            &[
                ("version", &v),
                ("activity", "a1"),
                ("year", "2025"),
                ("category", "materials"),
                ("quantity", "2"),
                ("unit_price_eur", "1.234,50"),
                ("funding", "subsidie"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = school.get(res.location()).await;
    page.assert_contains("€ 2.469,00");
    let stale = school
        .post(
            &format!("{url}/begroting"),
            &[
                ("version", &v),
                ("activity", "a1"),
                ("year", "2025"),
                ("category", "materials"),
                ("quantity", "1"),
                ("unit_price_eur", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // The plan says what it lacks, and a submission without it is refused with the list.
    let page = school.get(&url).await;
    page.assert_contains("Wat ontbreekt nog?");
    page.assert_contains("Beschrijf hoe het plan in de regiovisie past.");
    assert!(!page.body.contains("Controleren en indienen"), "no way to submit an incomplete plan");
    let confirm = school.get(&format!("{url}/indienen")).await;
    confirm.assert_contains("Dit plan kan nog niet worden ingediend.");
    assert!(!confirm.body.contains("Definitief indienen"));
    let res = school.post(&format!("{url}/indienen"), &[("to", "bij-schoolleiding")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Beschrijf de specifieke doelen van het plan.");
    let v = crate::common::version_of(&page.body);
    let fields = [
        ("version", v.as_str()),
        ("title", "Robotica"),
        ("organisation", &org),
        ("theme", "personeel"),
        ("vision_fit", "Past in lijn 2 van de visie."),
        ("goals", "Twintig leerlingen bouwen een robot."),
    ];
    assert_eq!(school.post(&url, &fields).await.status, StatusCode::SEE_OTHER);
    let page = school.get(&url).await;
    page.assert_contains("Het plan is compleet");
    // The confirmation step shows what goes and to whom, before anything is sent.
    let confirm = school.get(&format!("{url}/indienen")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    confirm.assert_contains("Demo Programmamanager");
    confirm.assert_contains("Demo Penvoerder krijgt een e-mail om het plan goed te keuren");
    confirm.assert_contains("€ 2.469,00");
    confirm.assert_contains("Naar de schoolleiding sturen");
    let res = school.post(&format!("{url}/indienen"), &[("to", "bij-schoolleiding")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = school.get(res.location()).await;
    page.assert_contains("De status is nu: bij de schoolleiding.");
    assert_eq!(school.get(&format!("{url}/indienen")).await.status, StatusCode::CONFLICT, "submitted once");
    assert!(!page.body.contains("Regel toevoegen"), "a submitted plan is not editable");
}

fn attachments(body: &str) -> usize {
    body.matches("/bijlagen/").count()
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_a_refusal_leaves_the_plan_as_it_was() {
    let st = state().await;
    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    let (id, _) = create(&mut school, "100").await;
    let url = format!("/regio/zuid-friesland/deelplannen/{id}");
    let png = {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend_from_slice(&[0; 64]);
        b
    };
    // A PNG named as a PDF is stored as what it is, under a safe name.
    let res = upload(&mut school, &url, "../../geheim/schets.pdf", png.clone()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = school.get(&url).await;
    page.assert_contains(">schets.png</a>");
    let before = school.get(&format!("/api/v1/school-plans/{id}")).await.json();
    let att = &before["attachments"][0];
    assert_eq!(att["content_type"], "image/png");
    let download = school.get(att["url"].as_str().unwrap()).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers["content-type"], "image/png");
    assert!(download.headers["content-disposition"].to_str().unwrap().contains("schets.png"));

    // A script named .pdf and an oversized file are refused with a Dutch message; nothing changes.
    let res = upload(&mut school, &url, "begroting.pdf", b"#!/bin/sh\nrm -rf /\n".to_vec()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Dit soort bestand kan niet als bijlage");
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(services::school_plans::MAX_ATTACHMENT_BYTES + 1, b' ');
    let res = upload(&mut school, &url, "groot.pdf", big).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Het bestand is te groot: hoogstens 10 MiB.");
    let after = school.get(&format!("/api/v1/school-plans/{id}")).await.json();
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(attachments(&school.get(&url).await.body), attachments(&page.body));

    // Others in the region without rights to the plan cannot fetch its files.
    let mut partner = Client::new(st.clone());
    partner.login(PARTNER).await;
    assert_eq!(partner.get(att["url"].as_str().unwrap()).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_refused_budget_line_keeps_what_was_typed_with_the_message_at_its_field() {
    let st = state().await;
    let mut school = signed_in(&st, SCHOOL).await;
    let (id, _) = create(&mut school, "100").await;
    let url = format!("/regio/zuid-friesland/deelplannen/{id}");
    let v = crate::common::version_of(&school.get(&url).await.body);
    let mut typed = vec![
        ("version", v.as_str()),
        ("activity", "a1"),
        ("year", "2026"),
        ("category", "materials"),
        ("description", "Werkbanken & gereedschap"),
        ("quantity", "veel"),
        ("unit", "stuk"),
        ("unit_price_eur", "€ 85,-"),
        ("funding", "subsidie"),
    ];
    let res = school.post(&format!("{url}/begroting"), &typed).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for kept in
        ["Werkbanken &#38; gereedschap", "value=\"veel\"", "value=\"€ 85,-\"", "<option value=\"2026\" selected>"]
    {
        res.assert_contains(kept);
    }
    res.assert_contains("id=\"b-quantity-error\">Vul het aantal in als getal, bijvoorbeeld 1.234,56.</p>");
    res.assert_contains("aria-describedby=\"b-quantity-error\"");
    assert!(
        res.body.contains("<details class=\"sterk-panel\" open><summary>Begrotingsregel toevoegen"),
        "the form stays open"
    );
    // "€ 85,-" is an amount as people write it.
    typed[5] = ("quantity", "2");
    let res = school.post(&format!("{url}/begroting"), &typed).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    school.get(&url).await.assert_contains("€ 170,00");
}
