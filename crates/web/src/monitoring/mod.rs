//! Monitoring pages: "regio in beeld" on a region's public page, the national dashboard
//! comparing regions, CSV downloads. Charts are server-rendered SVG with their data in a table.

pub mod api;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::fmt::percent_nl;
use domain::monitoring::Value;
use services::monitoring::Scope;

use crate::AppState;
use crate::indicators::InBeeld;
use crate::indicators::LineChart;
use crate::indicators::PupilsView;
use crate::indicators::TargetRow;
use crate::indicators::count_text;
use crate::indicators::get;
use crate::indicators::in_beeld;
use crate::indicators::pupils_view;
use crate::indicators::share_text;
use crate::indicators::target_charts;
use crate::indicators::target_rows;
use crate::layout::Layout;
use crate::map::{MapRegion, MapView};
use crate::page::{Page, html};
use crate::session::Ctx;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Which CSV a download asks for: open data (`,`, LF) by default, `?formaat=excel` for Dutch Excel.
#[derive(serde::Deserialize, Default)]
pub struct CsvQuery {
    formaat: Option<String>,
}

fn csv(parts: &[(String, &[Value])], q: &CsvQuery) -> String {
    match q.formaat.as_deref() {
        Some("excel") => services::monitoring::csv_excel(parts),
        _ => services::monitoring::csv(parts),
    }
}

fn csv_response(name: &str, body: String) -> Response {
    crate::download::file("text/csv; charset=utf-8", name, body)
}

pub async fn region_csv(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<CsvQuery>,
) -> Page {
    let scope = Scope::Region(slug.clone());
    let values = services::monitoring::indicators(&st.app, &scope, None).await?;
    Ok(csv_response(&format!("indicatoren-{slug}.csv"), csv(&[(scope.code(), &values)], &q)))
}

pub struct RegionRow {
    pub slug: String,
    pub name: String,
    pub candidates: String,
    pub share: String,
    pub girls_share: String,
    pub rank: usize,
}

#[derive(Template)]
#[template(path = "monitor/national.html")]
pub struct NationalPage {
    pub l: Layout,
    pub beeld: Option<InBeeld>,
    pub pupils: Option<PupilsView>,
    pub year: String,
    pub regions: Vec<RegionRow>,
    /// Regions below the minimum group size: (slug, name), named apart.
    pub too_small: Vec<(String, String)>,
    pub minimum: u64,
    pub without: usize,
    pub map: MapView,
    pub legend: Vec<LegendItem>,
    pub reported: Option<NationalResults>,
}

/// The regions' own results compared, for the latest year any region reported.
pub struct NationalResults {
    pub year: i64,
    /// (name, unit) per column.
    pub columns: Vec<(String, String)>,
    /// (slug, name, a cell per column).
    pub rows: Vec<(String, String, Vec<String>)>,
    pub totals: Vec<String>,
}

fn national_results(found: Option<services::reported::NationalFigures>) -> Option<NationalResults> {
    let (year, regions) = found?;
    let defs = domain::monitoring::reported::definitions();
    let cell = |v: Option<&i64>| v.map_or("—".to_owned(), |v| domain::fmt::integer_nl(*v));
    Some(NationalResults {
        year,
        columns: defs.iter().map(|d| (d.name.clone(), d.unit.clone())).collect(),
        totals: defs
            .iter()
            .map(|d| domain::fmt::integer_nl(regions.iter().filter_map(|(_, v)| v.get(&d.id)).sum()))
            .collect(),
        rows: regions
            .into_iter()
            .map(|(r, values)| (r.slug, r.name, defs.iter().map(|d| cell(values.get(&d.id))).collect()))
            .collect(),
    })
}

/// One class of the choropleth's legend.
pub struct LegendItem {
    pub class: String,
    pub label: String,
}

/// Up to five classes with about as many regions in each (quintiles, in whole percents): one
/// outlier does not squeeze the rest into one colour. The class of a share, and the legend.
fn classes(shares: &[Decimal]) -> (impl Fn(Decimal) -> usize + use<>, Vec<LegendItem>) {
    let whole = |d: Decimal| (d * Decimal::ONE_HUNDRED).floor().to_i64().unwrap_or_default();
    let mut sorted: Vec<i64> = shares.iter().map(|d| whole(*d)).collect();
    sorted.sort_unstable();
    let mut breaks: Vec<i64> = (0..5).filter_map(|i| sorted.get(sorted.len() * i / 5).copied()).collect();
    breaks.dedup();
    let legend = breaks
        .iter()
        .enumerate()
        .map(|(i, from)| LegendItem {
            class: format!("sterk-map__class-{i}"),
            label: match breaks.get(i + 1) {
                Some(to) => format!("{from}% tot {to}%"),
                None => format!("{from}% of meer"),
            },
        })
        .collect();
    let class_of = move |d: Decimal| breaks.iter().rposition(|b| *b <= whole(d)).unwrap_or(0);
    (class_of, legend)
}

pub async fn national(State(st): State<AppState>, ctx: Ctx) -> Page {
    let values = services::monitoring::indicators(&st.app, &Scope::National, None).await?;
    let beeld = in_beeld(&values);
    let pupils = pupils_view(&values);
    let year = beeld.as_ref().map(|b| b.latest.year.clone()).unwrap_or_default();
    let names: std::collections::HashMap<String, String> =
        services::regions::list_public(&st.app).await?.into_iter().map(|r| (r.slug, r.name)).collect();
    let name = |slug: &str| names.get(slug).cloned().unwrap_or_else(|| slug.to_owned());
    let all = services::monitoring::computed(&st.app).await?;
    let per_region = &all.per_region;
    let ranking = domain::monitoring::ranking(per_region, &year);
    let values_of = |slug: &str| per_region.iter().find(|(s, _)| s == slug).map_or(&[][..], |(_, v)| v.as_slice());
    let regions = ranking
        .ranked
        .iter()
        .enumerate()
        .map(|(i, (slug, share))| {
            let v = values_of(slug);
            RegionRow {
                name: name(slug),
                candidates: count_text(get(v, "vmbo-bkg-exam-candidates", &year)),
                share: percent_nl(*share),
                girls_share: share_text(get(v, "techniek-girls-share", &year)),
                rank: i + 1,
                slug: slug.clone(),
            }
        })
        .collect();
    let (class_of, legend) = classes(&ranking.ranked.iter().map(|(_, d)| *d).collect::<Vec<_>>());
    let coverage = services::coverage::map(&st.app).await?;
    let map_regions: Vec<MapRegion> = services::regions::list_public(&st.app)
        .await?
        .into_iter()
        .map(|r| {
            let share = ranking.ranked.iter().find(|(slug, _)| *slug == r.slug).map(|(_, d)| *d);
            MapRegion {
                municipalities: coverage.get(&r.id).cloned().unwrap_or_default(),
                fill: share.map_or("sterk-map__none".to_owned(), |d| format!("sterk-map__class-{}", class_of(d))),
                note: share.map_or("geen of te weinig gegevens".to_owned(), |d| format!("{} techniek", percent_nl(d))),
                slug: r.slug,
                name: r.name,
            }
        })
        .collect();
    let mut too_small: Vec<(String, String)> = ranking.too_small.iter().map(|s| (s.clone(), name(s))).collect();
    too_small.sort_by(|a, b| a.1.cmp(&b.1));
    html(NationalPage {
        l: Layout::new("Monitor", &ctx, "monitor"),
        beeld,
        pupils,
        year,
        regions,
        too_small,
        minimum: domain::monitoring::comparison().minimum_candidates,
        without: ranking.without.len(),
        map: MapView::new(&map_regions),
        legend,
        reported: national_results(services::reported::national(&st.app).await?),
    })
}

pub async fn national_csv(State(st): State<AppState>, axum::extract::Query(q): axum::extract::Query<CsvQuery>) -> Page {
    let values = services::monitoring::indicators(&st.app, &Scope::National, None).await?;
    let all = services::monitoring::computed(&st.app).await?;
    let mut parts: Vec<(String, &[Value])> = vec![("national".to_owned(), &values)];
    parts.extend(all.per_region.iter().map(|(slug, v)| (format!("region:{slug}"), v.as_slice())));
    Ok(csv_response("indicatoren.csv", csv(&parts, &q)))
}

#[derive(Template)]
#[template(path = "monitor/theory.html")]
pub struct TheoryPage {
    pub l: Layout,
    pub toc: &'static domain::monitoring::TheoryOfChange,
    pub names: std::collections::HashMap<String, String>,
}

impl TheoryPage {
    pub fn indicator_name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

pub async fn theory(ctx: Ctx) -> Page {
    html(TheoryPage {
        l: Layout::new("Veranderingstheorie", &ctx, "monitor"),
        toc: domain::monitoring::theory_of_change(),
        names: domain::monitoring::definitions().iter().map(|d| (d.id.clone(), d.name.clone())).collect(),
    })
}

#[derive(Template)]
#[template(path = "monitor/targets.html")]
pub struct TargetsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub rows: Vec<TargetRow>,
    pub target_charts: Vec<LineChart>,
    pub indicators: Vec<crate::layout::Choice>,
    /// Which activities work on which outcome, and how it is measured.
    pub outcomes: Vec<OutcomeRow>,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
}

/// A result of the theory of change the region's activities aim at.
pub struct OutcomeRow {
    pub result: String,
    pub activities: Vec<String>,
    /// "Indicator: latest figure (school year)".
    pub measures: Vec<String>,
}

/// Per result aimed at: the activities, and the latest figure of every indicator that measures
/// it (the result's own and those the activities name).
fn outcome_rows(activities: &[domain::regulation::application::Activity], values: &[Value]) -> Vec<OutcomeRow> {
    let defs = domain::monitoring::definitions();
    let latest = |id: &str| {
        let def = defs.iter().find(|d| d.id == id)?;
        let v = values.iter().filter(|v| v.id == id).max_by(|a, b| a.year.cmp(&b.year));
        let shown = if def.is_share() { share_text(v) } else { count_text(v) };
        Some(match v {
            Some(v) => format!("{}: {shown} ({})", def.name, v.year),
            None => format!("{}: geen gegevens", def.name),
        })
    };
    domain::monitoring::theory_of_change()
        .results()
        .filter_map(|r| {
            let aiming: Vec<_> = activities.iter().filter(|a| a.results.contains(&r.id)).collect();
            if aiming.is_empty() {
                return None;
            }
            let mut ids: Vec<&str> = r.indicators.iter().map(String::as_str).collect();
            ids.extend(aiming.iter().flat_map(|a| a.indicators.iter().map(String::as_str)));
            ids.sort_by_key(|id| defs.iter().position(|d| d.id == *id));
            ids.dedup();
            Some(OutcomeRow {
                result: r.text.clone(),
                activities: aiming.iter().map(|a| a.title.clone()).collect(),
                measures: ids.into_iter().filter_map(latest).collect(),
            })
        })
        .collect()
}

async fn targets_page(
    st: &AppState,
    ctx: &Ctx,
    slug: &str,
    notice: Option<String>,
    errors: Vec<(String, String)>,
) -> Page {
    let page = services::regions::page(&st.app, &ctx.actor, slug).await?;
    if !ctx.actor.permits(domain::Action::EditRegionProfile { region_id: &page.region.id }) {
        return Err(crate::error::WebError::Forbidden);
    }
    let values = services::monitoring::indicators(&st.app, &Scope::Region(slug.to_owned()), None).await?;
    let targets = services::monitoring::targets(&st.app, slug).await?;
    let ledger = services::execution::ledger(&st.app, &ctx.actor, slug).await?;
    let outcomes = outcome_rows(&ledger.approved.activities, &values);
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    let body = TargetsPage {
        l: Layout::new(format!("Doelen {}", page.region.name), ctx, "beheer"),
        slug: page.region.slug.clone(),
        region: page.region.name.clone(),
        rows: target_rows(&targets, &values),
        target_charts: target_charts(&targets, &values),
        indicators: domain::monitoring::definitions()
            .iter()
            .map(|d| crate::layout::Choice { value: d.id.clone(), label: d.name.clone(), selected: false })
            .collect(),
        outcomes,
        notice,
        errors,
    }
    .render()?;
    Ok((status, axum::response::Html(body)).into_response())
}

pub async fn targets(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    flash: crate::flash::Flash,
) -> Page {
    let notice = flash.notice;
    targets_page(&st, &ctx, &slug, notice, Vec::new()).await
}

pub async fn set_target(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Page {
    let f = crate::form::Pairs::parse(&body);
    let result = services::monitoring::set_target(
        &st.app,
        &ctx.actor,
        &slug,
        (&f.get("indicator"), &f.get("school_year"), &f.get("kind")),
        &f.get("value"),
    )
    .await;
    match result {
        Ok(()) => crate::flash::redirect(&st, &format!("/regio/{slug}/doelen"), "Opgeslagen.").await,
        Err(services::ServiceError::Invalid(e)) => {
            let errors = crate::form::error_pairs(&e);
            targets_page(&st, &ctx, &slug, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_in_whole_percents_cover_every_share() {
        let shares: Vec<Decimal> = ["0.121", "0.30", "0.2", "0.355", "0.7", "0.15", "0.16", "0.18", "0.22", "0.25"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let (class_of, legend) = classes(&shares);
        let labels: Vec<&str> = legend.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["12% tot 16%", "16% tot 20%", "20% tot 25%", "25% tot 35%", "35% of meer"]);
        let of: Vec<usize> = shares.iter().map(|d| class_of(*d)).collect();
        assert_eq!(of, [0, 3, 2, 4, 4, 0, 1, 1, 2, 3]);
        // Equal shares make fewer classes, not empty ones.
        let (_, legend) = classes(&["0.2".parse().unwrap(), "0.2".parse().unwrap()]);
        assert_eq!(legend.len(), 1);
    }
}
