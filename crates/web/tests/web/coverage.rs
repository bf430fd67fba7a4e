//! Which region covers a school or municipality, the national team's corrections, and the maps.

use axum::http::StatusCode;

use crate::common::{ADMIN, Client, MANAGER, state, with_duo};

/// The `<svg class="sterk-map">` of a page.
fn map_of(html: &str) -> &str {
    let start = html.find("<svg class=\"sterk-map\"").expect("a map");
    let end = start + html[start..].find("</svg>").expect("the map's end") + "</svg>".len();
    &html[start..end]
}

#[tokio::test]
async fn a_school_outside_the_registry_finds_the_region_of_its_municipality() {
    let mut c = Client::new(with_duo().await);
    // Nordwin College's Heerenveen location is in DUO's exam file, not in the registry.
    let hit = c.get("/scholen?q=nordwin").await;
    hit.assert_contains("Nordwin College");
    hit.assert_contains("Doet (nog) niet mee");
    hit.assert_contains("href=\"/regios/zuid-friesland/aansluiten?school=12VI08\"");
    // The finder answers for the municipality too.
    let by_municipality = c.get("/scholen?q=heerenveen").await;
    by_municipality.assert_contains("Gemeente Heerenveen");
    by_municipality.assert_contains(
        "Hier werkt de regio <a class=\"utrecht-link\" href=\"/regios/zuid-friesland\">Zuid-Friesland</a>",
    );
    let regions = c.get("/regios?gemeente=Weststellingwerf").await;
    regions.assert_contains("Hier werkt de regio <a class=\"utrecht-link\" href=\"/regios/zuid-friesland\">");
    let nowhere = c.get("/regios?gemeente=Vlieland").await;
    nowhere.assert_contains("Nog geen regio bekend");
    let unknown = c.get("/regios?gemeente=Atlantis").await;
    unknown.assert_contains("Geen gemeente gevonden voor „Atlantis”");
}

#[tokio::test]
async fn the_national_team_corrects_a_regions_municipalities() {
    let st = state().await;
    let mut manager = Client::new(st.clone());
    manager.login(MANAGER).await;
    manager.get("/beheer").await;
    let refused =
        manager.post("/beheer/regios/zuid-friesland/gemeenten", &[("gemeente", "Assen"), ("actie", "toevoegen")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut admin = Client::new(st.clone());
    admin.login(ADMIN).await;
    let page = admin.get("/beheer/regios/zuid-friesland/gemeenten").await;
    page.assert_contains("Heerenveen");
    page.assert_contains("uit de deelnemers");
    let wrong =
        admin.post("/beheer/regios/assen-en-regio/gemeenten", &[("gemeente", "Asen"), ("actie", "toevoegen")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Kies een gemeente van 2024");
    wrong.assert_contains("value=\"Asen\"");
    let added =
        admin.post("/beheer/regios/assen-en-regio/gemeenten", &[("gemeente", "Assen"), ("actie", "toevoegen")]).await;
    added.assert_contains("Gemeente Assen is toegevoegd.");
    added.assert_contains("toegevoegd door het landelijk team");
    let taken =
        admin.post("/beheer/regios/zuid-friesland/gemeenten", &[("gemeente", "GM0086"), ("actie", "weghalen")]).await;
    taken.assert_contains("weggehaald");

    let mut visitor = Client::new(st);
    let assen = visitor.get("/regios?gemeente=assen").await;
    assen.assert_contains("href=\"/regios/assen-en-regio\"");
    let opsterland = visitor.get("/regios?gemeente=opsterland").await;
    opsterland.assert_contains("Nog geen regio bekend");
    let map = visitor.get("/regios").await;
    assert!(map_of(&map.body).contains("data-region=\"assen-en-regio\""));
}

#[tokio::test]
async fn every_region_with_members_has_a_shape_on_a_small_map() {
    let st = with_duo().await;
    let regions = services::regions::list_public(&st.app).await.unwrap();
    let mut c = Client::new(st);
    let page = c.get("/regios").await;
    let map = map_of(&page.body);
    assert!(map.len() < 300_000, "the map is {} bytes", map.len());
    let with_members: Vec<_> = regions.iter().filter(|r| r.members > 0).collect();
    assert!(with_members.len() > 20);
    for r in with_members {
        assert!(map.contains(&format!("<a href=\"/regios/{}\" tabindex=\"-1\"", r.slug)), "{} has no shape", r.slug);
        // The list beside the map is the way in for keyboards and screen readers.
        page.assert_contains(&format!("<a class=\"utrecht-link sterk-card__title\" href=\"/regios/{}\"", r.slug));
    }
    assert!(map.contains("aria-hidden=\"true\""));
    assert!(!page.body.contains("Nog niet op de kaart"));
}

#[tokio::test]
async fn the_monitor_colours_regions_by_their_share_with_a_legend() {
    let mut c = Client::new(with_duo().await);
    let page = c.get("/monitor").await;
    let map = map_of(&page.body);
    assert!(map.contains("sterk-map__class-"), "no region is coloured");
    assert!(map.contains("<title>Zuid-Friesland: "));
    page.assert_contains("Legenda");
    page.assert_contains("geen of te weinig gegevens");
    page.assert_contains("<caption>Regio's naar aandeel techniek");
}
