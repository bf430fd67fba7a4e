use axum::http::StatusCode;

use crate::common::{ADMIN, Client, MANAGER, state, version_of};

#[tokio::test]
async fn region_manager_edits_own_region_and_the_public_sees_it() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let form = pm.get("/beheer/regios/zuid-friesland").await;
    assert_eq!(form.status, StatusCode::OK);
    let v = version_of(&form.body);
    let res = pm
        .post(
            "/beheer/regios/zuid-friesland",
            &[
                ("version", &v),
                ("description", "Nieuwe visie.\n\nTweede alinea."),
                ("contact_name", "Anna de Vries"),
                ("contact_role", "Programmamanager"),
                ("contact_email", "anna@regio.example"),
                ("contact_phone", "06 1234 5678"),
                ("theme_tags", "Duurzaamheid, Meisjes in techniek"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let form = pm.get(res.location()).await;
    form.assert_contains("De wijzigingen zijn opgeslagen");
    form.assert_contains(
        "Beschrijving, contact of thema&#39;s gewijzigd <span class=\"sterk-muted\">door Demo Programmamanager</span>",
    );
    let mut visitor = Client::new(st);
    let page = visitor.get("/regios/zuid-friesland").await;
    page.assert_contains("<p class=\"utrecht-paragraph\">Tweede alinea.</p>");
    page.assert_contains("Anna de Vries");
    page.assert_contains("Meisjes in techniek");
    let finder = visitor.get("/scholen?q=kei").await;
    finder.assert_contains("mailto:anna@regio.example");
}

#[tokio::test]
async fn invalid_fields_come_back_with_messages_and_the_input_kept() {
    let mut pm = Client::new(state().await);
    pm.login(MANAGER).await;
    let v = version_of(&pm.get("/beheer/regios/zuid-friesland").await.body);
    let res = pm
        .post(
            "/beheer/regios/zuid-friesland",
            &[
                ("version", &v),
                ("description", "Mijn tekst blijft"),
                ("contact_email", "anna@"),
                ("contact_phone", "bel me"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Mijn tekst blijft");
    res.assert_contains("value=\"anna@\"");
    res.assert_contains("id=\"f-contact_email-error\"");
    res.assert_contains("Een telefoonnummer bevat alleen cijfers");
    res.assert_contains("aria-invalid=\"true\"");
}

#[tokio::test]
async fn a_stale_edit_never_overwrites_someone_elses() {
    let st = state().await;
    let mut a = Client::new(st.clone());
    a.login(MANAGER).await;
    let mut b = Client::new(st);
    b.login(ADMIN).await;
    let v = version_of(&a.get("/beheer/regios/zuid-friesland").await.body);
    b.get("/beheer/regios/zuid-friesland").await;
    let first = b.post("/beheer/regios/zuid-friesland", &[("version", &v), ("description", "Versie van B")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = a.post("/beheer/regios/zuid-friesland", &[("version", &v), ("description", "Versie van A")]).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    second.assert_contains("Iemand anders heeft deze regio gewijzigd");
    second.assert_contains("Versie van B");
}

#[tokio::test]
async fn region_manager_is_refused_another_regions_edit_page() {
    let mut pm = Client::new(state().await);
    pm.login(MANAGER).await;
    let res = pm.get("/beheer/regios/utrecht").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    res.assert_contains("Geen toegang");
    let members = pm.get("/beheer/regios/utrecht/deelnemers").await;
    assert_eq!(members.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admin_creates_archives_and_restores_a_region() {
    let st = state().await;
    let mut admin = Client::new(st.clone());
    admin.login(ADMIN).await;
    admin.get("/beheer/regios/nieuw").await;
    let bad = admin.post("/beheer/regios/nieuw", &[("name", ""), ("province", "Brabant")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Vul de naam in.");
    bad.assert_contains("Kies een provincie uit de lijst.");
    let ok = admin
        .post(
            "/beheer/regios/nieuw",
            &[("name", "Bommelerwaard"), ("kind", "techniekregio"), ("province", "Gelderland")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/beheer/regios/bommelerwaard?opgeslagen=1");
    let dup = admin.post("/beheer/regios/nieuw", &[("name", "Bommelerwaard"), ("province", "Gelderland")]).await;
    dup.assert_contains("Er is al een regio met dit webadres");

    let mut visitor = Client::new(st.clone());
    visitor.get("/regios/bommelerwaard").await.assert_contains("Techniekregio");
    admin.get("/beheer/regios/bommelerwaard").await;
    let archived = admin.post("/beheer/regios/bommelerwaard/archiveren", &[]).await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    assert_eq!(visitor.get("/regios/bommelerwaard").await.status, StatusCode::NOT_FOUND);
    assert!(!visitor.get("/regios").await.body.contains("bommelerwaard"));
    admin.post("/beheer/regios/bommelerwaard/herstellen", &[]).await;
    assert_eq!(visitor.get("/regios/bommelerwaard").await.status, StatusCode::OK);
}

#[tokio::test]
async fn memberships_and_lead_applicant() {
    let st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let search = pm.get("/beheer/regios/zuid-friesland/deelnemers?q=broeckland").await;
    search.assert_contains("Broeckland College");
    let candidates = search.body.split("Organisatie toevoegen").nth(1).unwrap();
    let id =
        candidates.split("name=\"organisation_id\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let added = pm.post("/beheer/regios/zuid-friesland/deelnemers", &[("organisation_id", &id)]).await;
    assert_eq!(added.status, StatusCode::OK);
    added.assert_contains("Broeckland College is toegevoegd.");

    let lead = pm.post("/beheer/regios/zuid-friesland/penvoerder", &[("organisation_id", &id)]).await;
    lead.assert_contains("De penvoerder is vastgelegd.");
    let mut visitor = Client::new(st.clone());
    let page = visitor.get("/regios/zuid-friesland").await;
    page.assert_contains("<p class=\"utrecht-paragraph\">Broeckland College</p>");

    // A company cannot be the lead applicant.
    let company = pm.get("/beheer/regios/zuid-friesland/deelnemers").await;
    let company_id = company
        .body
        .split("Installatiebedrijf")
        .next()
        .unwrap()
        .rsplit("/beheer/organisaties/")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let refused = pm.post("/beheer/regios/zuid-friesland/penvoerder", &[("organisation_id", &company_id)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("De penvoerder is het bevoegd gezag van een vmbo-vestiging");

    let removed = pm.post(&format!("/beheer/regios/zuid-friesland/deelnemers/{id}/verwijderen"), &[]).await;
    removed.assert_contains("De deelnemer is verwijderd.");
    let page = visitor.get("/regios/zuid-friesland").await;
    assert!(!page.body.contains("Broeckland"));
    page.assert_contains("Nog niet vastgesteld.");
}

#[tokio::test]
async fn organisation_form_validates_the_duo_code() {
    let mut pm = Client::new(state().await);
    pm.login(MANAGER).await;
    pm.get("/beheer/organisaties/nieuw").await;
    let bad = pm
        .post("/beheer/organisaties/nieuw", &[("name", "Nieuwe school"), ("kind", "vmbo"), ("duo_code", "12345")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("is geen DUO-vestigingscode");
    bad.assert_contains("value=\"Nieuwe school\"");
    let taken =
        pm.post("/beheer/organisaties/nieuw", &[("name", "Dubbel"), ("kind", "vmbo"), ("duo_code", "05AC00")]).await;
    taken.assert_contains("Er is al een organisatie met deze DUO-vestigingscode.");
}
