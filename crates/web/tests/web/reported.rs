//! Results the regions report themselves: entered per year, refused when typed wrong (what was
//! typed kept), locked by the year's submitted progress report, shown on the region page and
//! compared on the monitor.

use axum::http::StatusCode;

use crate::common::{Client, MANAGER, SCHOOL, state};

#[tokio::test]
async fn a_region_reports_its_results_and_a_submitted_year_is_locked() {
    let mut st = state().await;
    // Early in 2027: 2026 is over and can be reported, 2028 has not begun.
    st.app.clock = Some("2027-02-01T10:00:00+01:00".parse().unwrap());
    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let page = pm.get("/regio/zuid-friesland/resultaten").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Docenten en instructeurs geschoold in techniek");
    page.assert_contains("Aantal personen.");
    page.assert_contains("value=\"23\"");
    page.assert_contains("Dit jaar is nog niet begonnen.");
    let early = pm.post("/regio/zuid-friesland/resultaten", &[("year", "2028"), ("docenten-geschoold", "5")]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);

    let typed =
        [("year", "2026"), ("docenten-geschoold", "12,5"), ("po-leerlingen-bereikt", "1.120"), ("meisjes-bereikt", "")];
    let wrong = pm.post("/regio/zuid-friesland/resultaten", &typed).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("vul een heel getal in");
    wrong.assert_contains("value=\"1.120\"");
    let mut fixed = typed;
    fixed[1] = ("docenten-geschoold", "31");
    assert_eq!(pm.post("/regio/zuid-friesland/resultaten", &fixed).await.status, StatusCode::SEE_OTHER);

    let mut visitor = Client::new(st.clone());
    let region = visitor.get("/regios/zuid-friesland").await;
    region.assert_contains("Resultaten die de regio zelf meldt");
    region.assert_contains("<td class=\"utrecht-table__cell\">1.120</td>");
    let monitor = visitor.get("/monitor").await;
    monitor.assert_contains("Resultaten die regio's zelf melden (2025)");
    monitor.assert_contains("href=\"/regios/utrecht#resultaten\"");

    // Utrecht submitted its report on 2025: those figures stand.
    let mut utrecht = Client::new(st.clone());
    utrecht.login("programmamanager-utrecht@sterk.example").await;
    let own = utrecht.get("/regio/utrecht/resultaten").await;
    own.assert_contains("Ingediend met de voortgangsrapportage 2025");
    let late = utrecht.post("/regio/utrecht/resultaten", &[("year", "2025"), ("docenten-geschoold", "70")]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    late.assert_contains("De resultaten van 2025 liggen vast");
    assert_eq!(utrecht.post("/regio/zuid-friesland/resultaten", &fixed).await.status, StatusCode::FORBIDDEN);
    // The submission froze them with the report's other figures (under its hash).
    let frozen: String = {
        let mut conn = st.app.db.conn().await.unwrap();
        sqlx::query_scalar(
            "SELECT s.figures FROM report_submissions s JOIN reports r ON r.id = s.report_id \
             JOIN regions g ON g.id = r.region_id WHERE g.slug = 'utrecht' AND r.obligation = 'voortgang-2025'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    let frozen: serde_json::Value = serde_json::from_str(&frozen).unwrap();
    assert_eq!(frozen["eigen_resultaten"]["2025"]["po-leerlingen-bereikt"], 2150);

    let mut school = Client::new(st);
    school.login(SCHOOL).await;
    assert_eq!(school.post("/regio/zuid-friesland/resultaten", &fixed).await.status, StatusCode::FORBIDDEN);
}
