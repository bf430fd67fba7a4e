//! The phases of an application in the workspace: only an open phase is started or changed, a new
//! one goes on from the last submission, and after the deadline the page judges the submission
//! while its budget shows the draft as it is now.

use axum::http::StatusCode;

use super::WS;
use crate::common::{Client, MANAGER, state};

#[tokio::test]
async fn only_an_open_phase_is_started_or_changed_and_a_new_one_goes_on_from_the_last_submission() {
    let mut st = state().await;
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    // The test clock is 30 September 2024: the pre-registration is closed, the main lines open one more day.
    let overview = pm.get("/regio/zuid-friesland/aanvragen").await;
    overview.assert_contains("Gesloten sinds 30 juni 2024 om 23:59.");
    overview.assert_contains("Open tot 1 oktober 2024 om 16:00: nog 1 dag.");
    assert!(!overview.body.contains("Aanvraag starten<span class=\"sterk-visually-hidden\">: Vooraanmelding"));
    // A phase not started explains itself instead of a bare 404; a closed one cannot be started.
    let page = pm.get("/regio/zuid-friesland/aanvragen/vooraanmelding").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Zuid-Friesland heeft voor deze fase nog geen aanvraag.");
    assert!(!page.body.contains("Aanvraag starten"));
    let refused = pm.post("/regio/zuid-friesland/aanvragen/vooraanmelding/starten", &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("De termijn van deze fase is gesloten sinds 30 juni 2024 om 23:59.");

    // A new phase starts from the last submitted version: its vision and activities, not its budget.
    // (The demo's main lines were submitted when the demo was loaded.)
    let (main, draft_version) =
        services::applications::get(&st.app, &domain::Actor::system(), "zuid-friesland", "hoofdlijnen").await.unwrap();
    let page = pm.get("/regio/zuid-friesland/aanvragen/uitwerking-2025-2026").await;
    page.assert_contains("begint met de regiovisie en de activiteiten");
    let res = pm.post("/regio/zuid-friesland/aanvragen/uitwerking-2025-2026/starten", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (detailed, _) =
        services::applications::get(&st.app, &domain::Actor::system(), "zuid-friesland", "uitwerking-2025-2026")
            .await
            .unwrap();
    assert!(main.vision.is_some());
    assert_eq!(detailed.vision, main.vision);
    assert_eq!(detailed.activities.len(), main.activities.len());
    assert!(detailed.budget.is_empty(), "the budget belongs to the years of its own phase");

    // A change after the submission, not submitted again: the draft now lacks its vision.
    let emptied = pm
        .post(
            "/regio/zuid-friesland/aanvragen/hoofdlijnen/visie",
            &[("version", &draft_version.to_string()), ("vision", "")],
        )
        .await;
    assert_eq!(emptied.status, StatusCode::SEE_OTHER, "{}", emptied.body);
    let (_, draft_version) =
        services::applications::get(&st.app, &domain::Actor::system(), "zuid-friesland", "hoofdlijnen").await.unwrap();

    // After the deadline the main lines are read-only: the page says so and a change is refused.
    st.app.clock = Some("2024-10-02T09:00:00+02:00".parse().unwrap());
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let page = pm.get("/regio/zuid-friesland/aanvragen/hoofdlijnen").await;
    page.assert_contains("Gesloten sinds 1 oktober 2024 om 16:00.");
    page.assert_contains("U kunt deze aanvraag lezen, niet wijzigen.");
    assert!(!page.body.contains("Aanvraag indienen"));
    // Its checks are those of its submission, not of a submission today (which would be too late).
    page.assert_contains("Getoetst zoals ingediend op");
    // Judged on what was submitted (with its vision), in time; not on the later draft.
    page.assert_contains("In orde bij de indiening");
    let v = draft_version.to_string();
    let res =
        pm.post("/regio/zuid-friesland/aanvragen/hoofdlijnen/visie", &[("version", &v), ("vision", "Te laat.")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
}

/// A closed phase is judged as submitted, but its budget table shows the draft as it is now (an
/// approved change may have moved it on): each row's eligible amount and the totals are the draft's
/// own, not those of the submission's line at the same place.
#[tokio::test]
async fn after_the_deadline_each_budget_row_shows_its_own_eligible_amount() {
    let mut st = state().await;
    let system = domain::Actor::system();
    let (mut draft, version) =
        services::applications::get(&st.app, &system, "zuid-friesland", "hoofdlijnen").await.unwrap();
    // After the submission: the first line halved, and a new one at the end.
    let first = &mut draft.budget[0];
    first.quantity.0 /= rust_decimal::Decimal::TWO;
    let halved = domain::fmt::euro_nl(first.amount());
    let mut added = draft.budget[0].clone();
    added.description = "Na de indiening toegevoegd".into();
    added.quantity.0 = rust_decimal::Decimal::TEN;
    added.unit_price_eur.0 = rust_decimal::Decimal::new(50, 0);
    draft.budget.push(added);
    let total = domain::fmt::euro_nl(draft.budget.iter().map(|l| l.amount()).sum());
    services::applications::save(&st.app, &system, "zuid-friesland", "hoofdlijnen", version, draft).await.unwrap();

    st.app.clock = Some("2024-10-02T09:00:00+02:00".parse().unwrap());
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let page = pm.get(WS).await;
    page.assert_contains("Getoetst zoals ingediend op");
    assert!(!page.body.contains("Concept, laatst gewijzigd"), "a submitted application is no draft");
    let table = page.body.split("aria-label=\"Begrotingsregels\"").nth(1).expect("the budget table");
    let table = table.split("</table>").next().unwrap();
    let row = |marker: &str| {
        let at = table.find(marker).unwrap_or_else(|| panic!("no row {marker}"));
        table[at..].split("</tr>").next().unwrap().to_owned()
    };
    let first_row = row("id=\"regel-0\"");
    assert_eq!(first_row.matches(&halved).count(), 2, "amount and eligible: {first_row}");
    let added_row = row("Na de indiening toegevoegd");
    assert_eq!(added_row.matches("€ 500,00").count(), 2, "amount and eligible: {added_row}");
    let footer = row("sterk-total");
    assert_eq!(footer.matches(&total).count(), 2, "total amount and eligible: {footer}");
    // The overview above the table is the same draft's.
    page.assert_contains(&format!("<dt>Subsidiabele kosten</dt><dd>{total}</dd>"));
}
