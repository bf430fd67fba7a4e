//! Co-signing the cooperation agreement: partners confirm through their signatories, a change to
//! the agreement asks again, the lead applicant's signatory submits, and the confirmations are
//! frozen with the version.

use axum::http::StatusCode;

use axum::http::Method;

use crate::common::{Client, LEAD, MANAGER, PARTNER, SCHOOL, state, upload_form};

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

const WS: &str = "/regio/zuid-friesland/aanvragen/hoofdlijnen";
const PAGE: &str = "/regio/zuid-friesland/aanvragen/hoofdlijnen/overeenkomst";

/// The value of the first hidden field `name` in `html` (after `from`, when given).
fn field(html: &str, name: &str, from: &str) -> String {
    let rest = html.split_once(from).map_or(html, |(_, r)| r);
    rest.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_owned()
}

/// The parties the manager's form has ticked as signed on the document.
fn ticked(html: &str) -> Vec<String> {
    html.split("name=\"signed\" value=\"")
        .skip(1)
        .filter(|s| s.split('>').next().unwrap_or_default().contains("checked"))
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

async fn mailed(st: &web::AppState, kind: &str) -> Vec<String> {
    let mut conn = st.app.db.conn().await.unwrap();
    let mut to: Vec<String> = sqlx::query_scalar("SELECT recipient FROM notifications WHERE kind = $1")
        .bind(kind)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    to.sort();
    to
}

async fn signed_in(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    c
}

#[tokio::test]
async fn two_partners_confirm_one_late_after_a_change_and_the_lead_applicants_signatory_submits() {
    let st = state().await;
    let mut pm = signed_in(&st, MANAGER).await;
    let mut lead = signed_in(&st, LEAD).await;
    let mut partner = signed_in(&st, PARTNER).await;
    let mut school = signed_in(&st, SCHOOL).await;

    // The demo: the lead applicant and the company confirmed in Sterk, the others signed the copy.
    let page = pm.get(WS).await;
    page.assert_contains("Bevestigd in Sterk door Demo Penvoerder");
    page.assert_contains("Bevestigd in Sterk door Demo Partner");
    page.assert_contains("(vanaf 192.0.2.14)"); // where from: for the region's editors
    page.assert_contains("Ondertekend op het geüploade document");
    let seen = partner.get(PAGE).await;
    seen.assert_contains("Bevestigd in Sterk door Demo Penvoerder");
    assert!(!seen.body.contains("192.0.2.14"), "a partner does not see where others confirmed from");
    let before = field(&page.body, "fingerprint", "overeenkomst/vragen");

    // The manager changes the text: both confirmations lapse, and both signatories are told; the
    // paper signatures were for the old text too.
    let paper = ticked(&page.body);
    assert_eq!(paper.len(), 9);
    let text = "Artikel 1. De partners werken samen aan sterk techniekonderwijs.\n\nArtikel 2. Nieuw: een jaarlijkse evaluatie.";
    let save = |version: String, signed: &[String]| {
        let mut fields = vec![("version".to_owned(), version), ("text".to_owned(), text.to_owned())];
        fields.extend(signed.iter().map(|o| ("signed".to_owned(), o.clone())));
        fields
    };
    let fields = save(crate::common::version_of(&page.body), &paper);
    let saved = pm.post(&format!("{WS}/overeenkomst"), &pairs(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(mailed(&st, "agreement.changed").await, ["partner@sterk.example", "penvoerder@sterk.example"]);
    let page = pm.get(WS).await;
    page.assert_contains("Opnieuw nodig: Demo Penvoerder bevestigde op 30 september 2024");
    page.assert_contains("de overeenkomst is gewijzigd nadat");
    assert!(!page.body.contains("Ondertekend op het geüploade document"), "the ticks were for the old text");
    // The other nine sign the new text on paper: the new copy uploaded, then ticked.
    let (body, ct) =
        upload_form(&crate::common::version_of(&page.body), "opnieuw-getekend.pdf", b"%PDF-1.4\n% opnieuw\n");
    let uploaded = pm.send(Method::POST, &format!("{WS}/overeenkomst.pdf"), Some(&ct), body).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let page = pm.get(WS).await;
    let fields = save(crate::common::version_of(&page.body), &paper);
    assert_eq!(pm.post(&format!("{WS}/overeenkomst"), &pairs(&fields)).await.status, StatusCode::SEE_OTHER);
    let page = pm.get(WS).await;
    assert_eq!(page.body.matches("Ondertekend op het geüploade document").count(), 9);
    assert_eq!(mailed(&st, "agreement.changed").await.len(), 2, "told once, not again for the new copy");
    let now = field(&page.body, "fingerprint", "overeenkomst/vragen");
    assert_ne!(now, before);

    // Asking mails the signatories of the parties still to agree, once per version.
    let asked = pm.post(&format!("{PAGE}/vragen"), &[("fingerprint", &now)]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    pm.get(asked.location()).await.assert_contains("2 tekenbevoegden zijn per e-mail gevraagd te bevestigen.");
    let again = pm.post(&format!("{PAGE}/vragen"), &[("fingerprint", &now)]).await;
    pm.get(again.location()).await.assert_contains("Er is niemand gemaild");
    assert_eq!(mailed(&st, "agreement.asked").await.len(), 2);
    // The partner's first page lists the task.
    partner.get("/beheer").await.assert_contains("Bevestig namens Installatiebedrijf Van der Meer (demo)");

    // The partner confirms what they read before the change: refused, nothing recorded.
    let read = partner.get(PAGE).await;
    read.assert_contains("Nieuw: een jaarlijkse evaluatie.");
    let company = field(&read.body, "organisation", "overeenkomst/bevestigen");
    let stale =
        partner.post(&format!("{PAGE}/bevestigen"), &[("organisation", &company), ("fingerprint", &before)]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("De overeenkomst is gewijzigd nadat u deze pagina opende.");
    // With what is there now: recorded.
    let fingerprint = field(&read.body, "fingerprint", "overeenkomst/bevestigen");
    assert_eq!(fingerprint, now);
    let done = partner.post(&format!("{PAGE}/bevestigen"), &[("organisation", &company), ("fingerprint", &now)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    partner
        .get(done.location())
        .await
        .assert_contains("Uw bevestiging van de samenwerkingsovereenkomst is vastgelegd.");

    // Submitting now is refused: the lead applicant has not confirmed this version.
    let page = lead.get(WS).await;
    let refused = lead.post(&format!("{WS}/indienen"), &[("version", &crate::common::version_of(&page.body))]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("de overeenkomst is gewijzigd nadat Aeres VMBO &#38; MBO Heerenveen bevestigde");

    // The school contact (the lead school's director) may not sign for it, until the manager says so.
    let lead_org = field(&lead.get(PAGE).await.body, "organisation", "overeenkomst/bevestigen");
    let not_yet =
        school.post(&format!("{PAGE}/bevestigen"), &[("organisation", &lead_org), ("fingerprint", &now)]).await;
    assert_eq!(not_yet.status, StatusCode::CONFLICT);
    not_yet.assert_contains("U bent niet tekenbevoegd voor Aeres VMBO");
    let users = pm.get("/beheer/gebruikers").await;
    let form = users
        .body
        .split("action=\"/beheer/gebruikers/tekenbevoegd\"")
        .skip(1)
        .find(|f| field(f, "email", "") == SCHOOL);
    let form = form.expect("the school contact's role for the lead school, with its mark");
    let region = field(form, "region", "");
    assert_eq!(field(form, "organisation", ""), lead_org);
    let marked = pm
        .post(
            "/beheer/gebruikers/tekenbevoegd",
            &[
                ("email", SCHOOL),
                ("role", "school_contact"),
                ("region", &region),
                ("organisation", &lead_org),
                ("signatory", "ja"),
            ],
        )
        .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    assert_eq!(mailed(&st, "user.signatory").await, [SCHOOL]);

    // Late, the school's director confirms for the lead applicant.
    let mut school = signed_in(&st, SCHOOL).await; // the mark counts from the next sign-in
    let late = school.post(&format!("{PAGE}/bevestigen"), &[("organisation", &lead_org), ("fingerprint", &now)]).await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);

    // The manager may not submit formally; the lead applicant's signatory does.
    let page = pm.get(WS).await;
    page.assert_contains("Kan worden ingediend");
    let v = crate::common::version_of(&page.body);
    let by_manager = pm.post(&format!("{WS}/indienen"), &[("version", &v)]).await;
    assert_eq!(by_manager.status, StatusCode::CONFLICT);
    let submitted = lead.post(&format!("{WS}/indienen"), &[("version", &v)]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER, "{}", submitted.body);

    // The version holds the confirmations as they were, of this very agreement.
    let (frozen, _) =
        services::applications::content(&st.app, &domain::Actor::system(), "zuid-friesland", "hoofdlijnen", 2)
            .await
            .unwrap();
    let agreement = frozen.agreement.clone().unwrap();
    let mut by: Vec<&str> = agreement.confirmations.iter().map(|c| c.by.as_str()).collect();
    by.sort_unstable();
    assert_eq!(by, ["Demo Contactpersoon School", "Demo Partner"]);
    assert!(agreement.confirmations.iter().all(|c| c.fingerprint == frozen.agreement_fingerprint()));
    let mut conn = st.app.db.conn().await.unwrap();
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'agreement.confirm'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(audited, 4, "the demo's two and today's two");

    // Nobody vouches for themselves: a manager can neither give themselves a role nor mark it.
    let company_id = company.clone();
    let own = pm
        .post(
            "/beheer/gebruikers",
            &[("email", MANAGER), ("role", "partner"), ("region", "zuid-friesland"), ("organisation", &company_id)],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    own.assert_contains("U kunt uzelf geen rol geven");
    let mut admin = signed_in(&st, crate::common::ADMIN).await;
    let given = admin
        .post(
            "/beheer/gebruikers",
            &[("email", MANAGER), ("role", "partner"), ("region", "zuid-friesland"), ("organisation", &company_id)],
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    let fields = [
        ("email", MANAGER),
        ("role", "partner"),
        ("region", region.as_str()),
        ("organisation", company_id.as_str()),
        ("signatory", "ja"),
    ];
    let mine = pm.post("/beheer/gebruikers/tekenbevoegd", &fields).await;
    assert_eq!(mine.status, StatusCode::CONFLICT);
    mine.assert_contains("U kunt uw eigen tekenbevoegdheid niet aangeven");
    // The others are told of a new signatory: the lead school's when the manager marked the school
    // contact, the company's now.
    let by_admin = admin.post("/beheer/gebruikers/tekenbevoegd", &fields).await;
    assert_eq!(by_admin.status, StatusCode::SEE_OTHER, "{}", by_admin.body);
    assert_eq!(mailed(&st, "user.signatory_told").await, ["partner@sterk.example", "penvoerder@sterk.example"]);
}
