use axum::http::{StatusCode, header};

use crate::common::{Client, state, version_of};

#[tokio::test]
async fn healthz_reports_version_database_and_migrations() {
    let mut c = Client::new(state().await);
    let res = c.get("/healthz").await;
    assert_eq!(res.status, StatusCode::OK);
    let json = res.json();
    assert_eq!(json["status"], "ok");
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations")).unwrap().count();
    assert_eq!(json["migrations_applied"], shipped);
    let expected = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => "postgresql",
        _ => "sqlite",
    };
    assert_eq!(json["database"], expected, "the suite runs on the database TEST_DATABASE_URL names");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn home_regions_and_region_page_show_the_registry() {
    let mut c = Client::new(state().await);
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_contains("Sterk kent nu 68 regio's");
    // The wordmark is a drawing with the name beside it, not a letter in a box.
    home.assert_contains("<svg class=\"sterk-brand__mark\"");
    home.assert_contains("aria-label=\"Sterk Techniekonderwijs: startpagina\"");

    let list = c.get("/regios").await;
    list.assert_contains("id=\"provincie-fryslan\"");
    list.assert_contains("href=\"/regios/zuid-friesland\"");
    // Provinces in their usual order: Groningen before Limburg.
    assert!(list.body.find("provincie-groningen").unwrap() < list.body.find("provincie-limburg").unwrap());

    let region = c.get("/regios/zuid-friesland").await;
    assert_eq!(region.status, StatusCode::OK);
    region.assert_contains("<h1 class=\"utrecht-heading-1\">Zuid-Friesland</h1>");
    region.assert_contains("Kei College");
    region.assert_contains("05AC00");
    region.assert_contains("Demo Programmamanager");
    region.assert_contains("Duurzaamheid");
    region.assert_contains("Mbo College Zuidwest (demo)");
    // Not editable for a visitor.
    assert!(!region.body.contains("Regio bewerken"));

    let lead = c.get("/regios/goeree-overflakkee-en-hoeksche-waard").await;
    lead.assert_contains("RGO Beroepscampus");
    lead.assert_contains("penvoerder</span>");
}

#[tokio::test]
async fn unknown_pages_get_a_dutch_404() {
    let mut c = Client::new(state().await);
    for path in ["/regios/bestaat-niet", "/nergens"] {
        let res = c.get(path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        res.assert_contains("Pagina niet gevonden");
        res.assert_contains("lang=\"nl\"");
    }
    let api = c.get("/api/v1/regions/bestaat-niet").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.json()["error"].as_str().unwrap().contains("bestaat niet"));
}

#[tokio::test]
async fn school_finder_by_name_place_and_duo_code() {
    let mut c = Client::new(state().await);
    let by_name = c.get("/scholen?q=kei+coll").await;
    by_name.assert_contains("1 school gevonden");
    by_name.assert_contains("href=\"/regios/zuid-friesland\"");
    by_name.assert_contains("mailto:programmamanager@sterk.example");

    let by_code = c.get("/scholen?q=05ac00").await;
    by_code.assert_contains("Kei College");

    let by_place = c.get("/scholen?q=Wolvega").await;
    by_place.assert_contains("Linde College");
    by_place.assert_contains("Terra Wolvega");

    let none = c.get("/scholen?q=%25%25onbekend").await;
    none.assert_contains("Geen scholen gevonden");
    none.assert_contains("„%%onbekend”");

    let empty = c.get("/scholen").await;
    assert!(!empty.body.contains("gevonden"));
}

#[tokio::test]
async fn school_outside_every_region_says_it_does_not_take_part() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    c.login(crate::common::ADMIN).await;
    let res = c
        .post(
            "/beheer/organisaties/nieuw",
            &[("name", "Vakcollege Zonder Regio"), ("kind", "vmbo"), ("duo_code", "99ZZ00"), ("place", "Ergens")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut visitor = Client::new(st);
    let hit = visitor.get("/scholen?q=99ZZ00").await;
    hit.assert_contains("Vakcollege Zonder Regio");
    hit.assert_contains("Doet (nog) niet mee");
    let api = visitor.get("/api/v1/schools?q=zonder+regio").await.json();
    assert_eq!(api[0]["takes_part"], false);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let mut c = Client::new(state().await);
    for path in ["/", "/regios/zuid-friesland", "/nergens", "/api/v1/regions"] {
        let res = c.get(path).await;
        let csp = res.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(res.headers[header::REFERRER_POLICY], "strict-origin-when-cross-origin");
    }
}

#[tokio::test]
async fn output_is_escaped() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    c.login(crate::common::MANAGER).await;
    let v = version_of(&c.get("/beheer/regios/zuid-friesland").await.body);
    let res =
        c.post("/beheer/regios/zuid-friesland", &[("version", &v), ("description", "<script>alert(1)</script>")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut visitor = Client::new(st);
    let public = visitor.get("/regios/zuid-friesland").await;
    public.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    assert!(!public.body.contains("<script>alert"));
}

#[tokio::test]
async fn ready_only_with_the_database_answering_and_every_migration_applied() {
    let st = state().await;
    let mut c = Client::new(st.clone());
    let ready = c.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.json()["status"], "ready");
    // A migration this build ships is missing: not ready, and /healthz still says it is alive.
    let mut conn = st.app.db.conn().await.unwrap();
    let shipped = store::Db::migrations_shipped();
    store::sqlx::query(store::sqlx::AssertSqlSafe(format!("DELETE FROM _sqlx_migrations WHERE version = {shipped}")))
        .execute(&mut *conn)
        .await
        .unwrap();
    let not = c.get("/readyz").await;
    assert_eq!(not.status, StatusCode::SERVICE_UNAVAILABLE, "{}", not.body);
    assert_eq!(not.json()["reason"], format!("{} van {shipped} migraties toegepast", shipped - 1));
    assert_eq!(c.get("/healthz").await.status, StatusCode::OK);
}
