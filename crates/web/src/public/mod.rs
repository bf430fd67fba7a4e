//! Public pages: home, regions by province, a region, the school finder, health.

pub mod api;
mod views;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Action;
use domain::region::kind_label;
use services::organisations::FINDER_LIMIT;
use services::regions::RegionPage;

use crate::AppState;
use crate::error::WebError;
use crate::form::SearchQuery;
use crate::layout::{Layout, by_province};
use crate::map::{MapRegion, MapView};
use crate::page::Page;
use crate::page::html;
use crate::public::views::HitView;
use crate::public::views::HomePage;
use crate::public::views::MunicipalityView;
use crate::public::views::OrgItem;
use crate::public::views::RegionLink;
use crate::public::views::RegionView;
use crate::public::views::RegionsPage;
use crate::public::views::SchoolsPage;
use crate::public::views::Source;
use crate::session::Ctx;

pub async fn home(State(st): State<AppState>, ctx: Ctx) -> Page {
    let regions = services::regions::list_public(&st.app).await?;
    let provinces = regions.iter().map(|r| r.province.as_str()).collect::<std::collections::BTreeSet<_>>().len();
    let members: i64 = regions.iter().map(|r| r.members).sum();
    html(HomePage {
        l: Layout::new("Home", &ctx, "home"),
        regions: domain::fmt::integer_nl(regions.len() as i64),
        provinces,
        schools: domain::fmt::integer_nl(members),
    })
}

#[derive(serde::Deserialize, Default)]
pub struct MunicipalityQuery {
    #[serde(default)]
    gemeente: String,
}

pub async fn regions(State(st): State<AppState>, ctx: Ctx, Query(query): Query<MunicipalityQuery>) -> Page {
    let list = services::regions::list_public(&st.app).await?;
    let coverage = services::coverage::map(&st.app).await?;
    let regions: Vec<MapRegion> = list
        .iter()
        .enumerate()
        .map(|(i, r)| MapRegion {
            slug: r.slug.clone(),
            name: r.name.clone(),
            municipalities: coverage.get(&r.id).cloned().unwrap_or_default(),
            fill: format!("sterk-map__fill-{}", i % 5),
            note: r.province.clone(),
        })
        .collect();
    let off_map = list
        .iter()
        .zip(&regions)
        .filter(|(r, m)| r.members > 0 && m.municipalities.is_empty())
        .map(|(r, _)| RegionLink::of(r))
        .collect();
    let gemeente = query.gemeente.trim().to_owned();
    let municipalities =
        services::coverage::find_municipality(&gemeente, &coverage, &list).iter().map(MunicipalityView::of).collect();
    let total = list.len();
    html(RegionsPage {
        l: Layout::new("Regio's", &ctx, "regios"),
        map: MapView::new(&regions),
        groups: by_province(list),
        total,
        off_map,
        gemeente,
        municipalities,
    })
}

pub fn org_item(o: &domain::Organisation, lead: Option<&str>) -> OrgItem {
    OrgItem {
        name: o.name.clone(),
        kind: o.kind.label(),
        place: o.place.clone().unwrap_or_default(),
        duo_code: o.duo_code.clone().unwrap_or_default(),
        is_lead: lead == Some(o.id.as_str()),
    }
}

pub async fn region(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Page {
    let RegionPage { region, members, lead_applicant } = services::regions::page(&st.app, &ctx.actor, &slug).await?;
    let lead = region.lead_applicant_id.as_deref();
    let (schools, partners): (Vec<_>, Vec<_>) = members.iter().partition(|o| o.kind.is_school());
    let p = &region.profile;
    let values =
        services::monitoring::indicators(&st.app, &services::monitoring::Scope::Region(region.slug.clone()), None)
            .await?;
    let beeld = crate::indicators::in_beeld(&values);
    let pupils = crate::indicators::pupils_view(&values);
    let rank = match &beeld {
        Some(b) => crate::indicators::rank(&st, &region.slug, &b.latest.year).await?,
        None => None,
    };
    let targets = services::monitoring::targets(&st.app, &region.slug).await?;
    let (news, events) = crate::cards::for_region(&st, &ctx, &region.id).await?;
    let decisions = services::open_data::decisions(&st.app, Some(&region.slug)).await?;
    let results = services::reported::of_region(&st.app, &ctx.actor, &region.slug).await?;
    html(RegionView {
        results: crate::indicators::results_table(&results),
        decisions: decisions.map(|list| list.iter().map(views::DecisionView::of).collect()),
        news,
        events,
        rows: crate::indicators::target_rows(&targets, &values),
        target_charts: crate::indicators::target_charts(&targets, &values),
        beeld,
        pupils,
        rank,
        l: Layout::new(region.name.clone(), &ctx, "regios")
            .with_atom(format!("Nieuws: {}", region.name), format!("/regios/{}/nieuws.atom", region.slug))
            .with_calendar(format!("Agenda: {}", region.name), format!("/regios/{}/agenda.ics", region.slug)),
        can_edit: ctx.actor.permits(Action::EditRegionProfile { region_id: &region.id }),
        paragraphs: p.description.split("\n\n").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
        contact_name: p.contact_name.clone(),
        contact_role: p.contact_role.clone(),
        contact_email: p.contact_email.clone(),
        contact_phone: p.contact_phone.clone(),
        tags: p.theme_tags.clone(),
        lead: lead_applicant.map(|o| o.name),
        schools: schools.into_iter().map(|o| org_item(o, lead)).collect(),
        partners: partners.into_iter().map(|o| org_item(o, lead)).collect(),
        sources: region.source.as_deref().map(Source::parse_all).unwrap_or_default(),
        archived: region.archived,
        kind: kind_label(region.kind),
        province: region.province,
        name: region.name,
        slug: region.slug,
    })
}

pub async fn schools(State(st): State<AppState>, ctx: Ctx, Query(query): Query<SearchQuery>) -> Page {
    let q = query.q.trim().to_owned();
    let found = services::coverage::finder(&st.app, &q).await?;
    let limited = found.schools.len() as i64 >= FINDER_LIMIT || found.unregistered.len() as i64 >= FINDER_LIMIT;
    let links = |list: &[services::regions::RegionSummary]| list.iter().map(RegionLink::of).collect::<Vec<_>>();
    let mut hits: Vec<HitView> = found
        .schools
        .into_iter()
        .map(|(h, covering)| HitView {
            name: h.school.name,
            place: h.school.place.unwrap_or_default(),
            duo_code: h.school.duo_code.unwrap_or_default(),
            region_name: h.region.as_ref().map(|r| r.name.clone()).unwrap_or_default(),
            contact_name: h.region.as_ref().and_then(|r| r.contact_name.clone()),
            contact_role: h.region.as_ref().and_then(|r| r.contact_role.clone()),
            contact_email: h.region.as_ref().and_then(|r| r.contact_email.clone()),
            region_slug: h.region.map(|r| r.slug),
            covering: links(&covering),
        })
        .collect();
    hits.extend(found.unregistered.into_iter().map(|l| HitView {
        name: l.name,
        place: l.municipality,
        duo_code: l.code,
        region_slug: None,
        region_name: String::new(),
        contact_name: None,
        contact_role: None,
        contact_email: None,
        covering: links(&l.covering),
    }));
    let municipalities = found.municipalities.iter().map(MunicipalityView::of).collect();
    let title = if q.is_empty() { "School zoeken".to_owned() } else { format!("Zoeken: {q}") };
    html(SchoolsPage { l: Layout::new(title, &ctx, "scholen"), q, hits, limited, municipalities })
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    let db_ok = st.app.db.migrations_applied().await.is_ok();
    let body = serde_json::json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": st.app.db.kind.name(),
        "migrations_applied": st.config.migrations_applied,
    });
    Json(body).into_response()
}

/// Ready for traffic (for a load balancer): the database answers and has every migration this
/// build ships; 503 otherwise.
pub async fn readyz(State(st): State<AppState>) -> Response {
    let (status, reason) = match services::readiness(&st.app).await {
        Ok(()) => (StatusCode::OK, None),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, Some(reason)),
    };
    let body = serde_json::json!({ "status": if reason.is_none() { "ready" } else { "not-ready" }, "reason": reason });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}
