//! Monitoring pages: "regio in beeld" on a region's public page, the national dashboard
//! comparing regions, CSV downloads. Charts are server-rendered SVG with their data in a table.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use domain::fmt::{integer_nl, percent_nl};
use domain::monitoring::Value;
use domain::monitoring::pupils::PROFILES;
use rust_decimal::Decimal;
use services::monitoring::Scope;

use crate::AppState;
use crate::pages::{Page, html};
use crate::session::Ctx;
use crate::views::Layout;

/// A line of a chart: its points as SVG coordinates, and its legend.
pub struct Line {
    pub class: &'static str,
    pub label: String,
    pub points: String,
    pub dots: Vec<(u32, u32, String)>,
}

/// A line chart of shares per school year, 0% at the bottom.
pub struct LineChart {
    pub title: String,
    pub width: u32,
    pub lines: Vec<Line>,
    pub x_labels: Vec<(u32, String)>,
    pub y_ticks: Vec<(u32, String)>,
}

const H: u32 = 180;
const TOP: u32 = 10;
const LEFT: u32 = 48;
const STEP: u32 = 90;

/// A chart's series: (CSS class, legend, one value per year).
type Series = (&'static str, String, Vec<Option<Decimal>>);

/// The text of a value on a chart: a percentage for shares, a whole number for counts.
fn value_text(share: bool, d: Decimal) -> String {
    if share { percent_nl(d) } else { integer_nl(d.round().try_into().unwrap_or(0)) }
}

/// Shares per year on a 0 to `max` scale (`max` rounded up to a multiple of 5%).
fn chart(title: &str, years: &[String], series: &[Series]) -> LineChart {
    scaled_chart(title, years, series, true)
}

/// Values per year from 0 at the bottom: shares up to a multiple of 5%, counts up to a round number.
fn scaled_chart(title: &str, years: &[String], series: &[Series], share: bool) -> LineChart {
    let top = series.iter().flat_map(|(_, _, v)| v.iter().flatten()).max().copied().unwrap_or(Decimal::ONE);
    let step = if share {
        Decimal::new(5, 2)
    } else {
        // Half the power of ten below the top: 0–500 in steps of 50 for a top of 480.
        let digits = top.trunc().to_string().trim_start_matches('-').len() as u32;
        (Decimal::from(10u64.pow(digits.saturating_sub(1))) / Decimal::TWO).max(Decimal::ONE)
    };
    // At most five gridlines, each a whole number of steps.
    let stride = ((top / step).ceil() / Decimal::from(5)).ceil().max(Decimal::ONE);
    let step = step * stride;
    let max = ((top / step).ceil() * step).max(step);
    let ticks: u32 = (max / step).try_into().unwrap_or(4);
    let y =
        |d: Decimal| -> u32 { TOP + ((Decimal::ONE - d / max) * Decimal::from(H)).round().try_into().unwrap_or(0u32) };
    let x = |i: usize| LEFT + 20 + i as u32 * STEP;
    let lines = series
        .iter()
        .map(|(class, label, values)| {
            let dots: Vec<(u32, u32, String)> = values
                .iter()
                .enumerate()
                .zip(years)
                .filter_map(|((i, v), year)| {
                    v.map(|d| (x(i), y(d), format!("{label} {year}: {}", value_text(share, d))))
                })
                .collect();
            Line {
                class,
                label: label.clone(),
                points: dots.iter().map(|(a, b, _)| format!("{a},{b}")).collect::<Vec<_>>().join(" "),
                dots,
            }
        })
        .collect();
    LineChart {
        title: title.to_owned(),
        width: LEFT + 40 + years.len() as u32 * STEP,
        lines,
        x_labels: years.iter().enumerate().map(|(i, yr)| (x(i), yr.clone())).collect(),
        y_ticks: (0..=ticks)
            .map(|k| {
                let d = max * Decimal::from(k) / Decimal::from(ticks);
                (y(d), value_text(share, d))
            })
            .collect(),
    }
}

fn get<'a>(values: &'a [Value], id: &str, year: &str) -> Option<&'a Value> {
    values.iter().find(|v| v.id == id && v.year == year)
}

fn years(values: &[Value]) -> Vec<String> {
    let mut y: Vec<String> = values.iter().map(|v| v.year.clone()).collect();
    y.sort();
    y.dedup();
    y
}

/// A count as people read it: exact when nothing is masked, else the bounds.
fn count_text(v: Option<&Value>) -> String {
    match v {
        None => "geen gegevens".into(),
        Some(v) if v.masked_cells == 0 => integer_nl(v.known as i64),
        Some(v) => format!("{} tot {}", integer_nl(v.low as i64), integer_nl(v.high as i64)),
    }
}

/// A share, marked with an asterisk when masked cells were left out of it.
fn share_text(v: Option<&Value>) -> String {
    match v.and_then(|v| v.value.map(|d| (d, v.masked_cells))) {
        None => "onbekend".into(),
        Some((d, 0)) => percent_nl(d),
        Some((d, _)) => format!("{}*", percent_nl(d)),
    }
}

/// One year's row of the data table.
pub struct YearRow {
    pub year: String,
    pub candidates: String,
    pub techniek: String,
    pub share: String,
    pub girls_share: String,
    pub pass_rate: String,
}

/// "Regio in beeld": the indicators of a scope with their trend.
pub struct InBeeld {
    pub chart: LineChart,
    pub rows: Vec<YearRow>,
    pub latest: YearRow,
    pub masked_note: bool,
}

/// One school year of pupils in years 3 and 4.
pub struct PupilsRow {
    pub year: String,
    pub tracks: Vec<String>,
    pub techniek: String,
    pub share: String,
    pub girls_share: String,
}

/// Pupils in years 3 and 4 per track and year, and per profile in the latest year.
pub struct PupilsView {
    pub rows: Vec<PupilsRow>,
    pub year: String,
    /// (profile, count, technical).
    pub profiles: Vec<(String, String, bool)>,
}

/// The pupils part of a scope's indicators, when the pupils file was imported for it.
pub fn pupils_view(values: &[Value]) -> Option<PupilsView> {
    let values: Vec<Value> = values.iter().filter(|v| domain::monitoring::pupils::measures(&v.id)).cloned().collect();
    let values = values.as_slice();
    let years = years(values);
    let last = years.last()?.clone();
    let rows = years
        .iter()
        .map(|y| PupilsRow {
            year: y.clone(),
            tracks: ["bb", "kb", "gl", "tl"]
                .iter()
                .map(|t| count_text(get(values, &format!("vmbo-pupils-34-{t}"), y)))
                .collect(),
            techniek: count_text(get(values, "vmbo-pupils-34-techniek", y)),
            share: share_text(get(values, "vmbo-pupils-34-techniek-share", y)),
            girls_share: share_text(get(values, "vmbo-pupils-34-techniek-girls-share", y)),
        })
        .collect();
    let profiles = PROFILES
        .iter()
        .filter_map(|p| {
            let v = get(values, &format!("vmbo-pupils-34-profiel-{}", p.code.to_lowercase()), &last)?;
            (v.known + v.masked_cells > 0).then(|| (p.name.to_owned(), count_text(Some(v)), p.techniek))
        })
        .collect();
    Some(PupilsView { rows, year: last, profiles })
}

pub fn in_beeld(values: &[Value]) -> Option<InBeeld> {
    let exams: Vec<Value> = values.iter().filter(|v| !domain::monitoring::pupils::measures(&v.id)).cloned().collect();
    let values = exams.as_slice();
    let years = years(values);
    let last = years.last()?.clone();
    let row = |y: &str| YearRow {
        year: y.to_owned(),
        candidates: count_text(get(values, "vmbo-bkg-exam-candidates", y)),
        techniek: count_text(get(values, "vmbo-bkg-exam-candidates-techniek", y)),
        share: share_text(get(values, "techniek-share", y)),
        girls_share: share_text(get(values, "techniek-girls-share", y)),
        pass_rate: share_text(get(values, "techniek-pass-rate", y)),
    };
    let series = |id: &str| years.iter().map(|y| get(values, id, y).and_then(|v| v.value)).collect::<Vec<_>>();
    Some(InBeeld {
        chart: chart(
            "Aandeel techniek en aandeel meisjes in techniek per schooljaar",
            &years,
            &[
                ("sterk-line--a", "Aandeel techniek".into(), series("techniek-share")),
                ("sterk-line--b", "Aandeel meisjes in techniek".into(), series("techniek-girls-share")),
            ],
        ),
        rows: years.iter().map(|y| row(y)).collect(),
        latest: row(&last),
        masked_note: values.iter().any(|v| v.masked_cells > 0),
    })
}

/// The indicators as CSV, in the JSON's fields.
fn csv(scope: &str, values: &[Value]) -> String {
    let mut out = String::from("scope,id,year,known,masked_cells,low,high,value\n");
    for v in values {
        let value = v.value.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{scope},{},{},{},{},{},{},{value}\n",
            v.id, v.year, v.known, v.masked_cells, v.low, v.high
        ));
    }
    out
}

fn csv_response(name: &str, body: String) -> Response {
    crate::download::file("text/csv; charset=utf-8", name, body)
}

pub async fn region_csv(State(st): State<AppState>, Path(slug): Path<String>) -> Page {
    let scope = Scope::Region(slug.clone());
    let values = services::monitoring::indicators(&st.app, &scope, None).await?;
    Ok(csv_response(&format!("indicatoren-{slug}.csv"), csv(&scope.code(), &values)))
}

pub struct RegionRow {
    pub slug: String,
    pub name: String,
    pub candidates: String,
    pub share: String,
    pub share_sort: Decimal,
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
    pub without: usize,
}

pub async fn national(State(st): State<AppState>, ctx: Ctx) -> Page {
    let values = services::monitoring::indicators(&st.app, &Scope::National, None).await?;
    let beeld = in_beeld(&values);
    let pupils = pupils_view(&values);
    let year = beeld.as_ref().map(|b| b.latest.year.clone()).unwrap_or_default();
    let names: std::collections::HashMap<String, String> =
        services::regions::list_public(&st.app).await?.into_iter().map(|r| (r.slug, r.name)).collect();
    let mut regions = Vec::new();
    let mut without = 0;
    for (slug, v) in services::monitoring::indicators_per_region(&st.app).await? {
        let Some(share) = get(&v, "techniek-share", &year).and_then(|x| x.value) else {
            without += 1;
            continue;
        };
        regions.push(RegionRow {
            name: names.get(&slug).cloned().unwrap_or_else(|| slug.clone()),
            candidates: count_text(get(&v, "vmbo-bkg-exam-candidates", &year)),
            share: percent_nl(share),
            share_sort: share,
            girls_share: share_text(get(&v, "techniek-girls-share", &year)),
            rank: 0,
            slug,
        });
    }
    regions.sort_by(|a, b| b.share_sort.cmp(&a.share_sort).then(a.name.cmp(&b.name)));
    for (i, r) in regions.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    html(NationalPage { l: Layout::new("Monitor", &ctx, "monitor"), beeld, pupils, year, regions, without })
}

pub async fn national_csv(State(st): State<AppState>) -> Page {
    let values = services::monitoring::indicators(&st.app, &Scope::National, None).await?;
    let mut body = csv("national", &values);
    for (slug, v) in services::monitoring::indicators_per_region(&st.app).await? {
        body.push_str(csv(&format!("region:{slug}"), &v).split_once('\n').map_or("", |(_, rest)| rest));
    }
    Ok(csv_response("indicatoren.csv", body))
}

/// Where a region stands among all regions on its latest share of techniek: (rank, of how many).
pub async fn rank(st: &AppState, slug: &str, year: &str) -> Result<Option<(usize, usize)>, crate::error::WebError> {
    let mut shares: Vec<(String, Decimal)> = services::monitoring::indicators_per_region(&st.app)
        .await?
        .into_iter()
        .filter_map(|(s, v)| get(&v, "techniek-share", year).and_then(|x| x.value).map(|d| (s, d)))
        .collect();
    shares.sort_by_key(|s| std::cmp::Reverse(s.1));
    Ok(shares.iter().position(|(s, _)| s == slug).map(|i| (i + 1, shares.len())))
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

/// A baseline or target next to what DUO's figures say for that year.
pub struct TargetRow {
    pub indicator_name: String,
    pub year: String,
    pub kind: &'static str,
    pub value: String,
    pub actual: String,
    /// `Some(true)` when the actual value reaches the target (counts: at least; shares: at least).
    pub reached: Option<bool>,
}

/// Every school year from `first` to `last` (`2023-2024`, `2024-2025`, …), so a chart's axis has no gaps.
fn school_years_between(first: Option<&String>, last: Option<&String>) -> Vec<String> {
    let start = |y: Option<&String>| y.and_then(|y| y.get(..4)).and_then(|y| y.parse::<i32>().ok());
    match (start(first), start(last)) {
        (Some(a), Some(b)) => (a..=b).map(|y| format!("{y}-{}", y + 1)).collect(),
        _ => Vec::new(),
    }
}

/// Per indicator with a baseline or targets: DUO's figures per school year against them.
pub fn target_charts(targets: &[services::monitoring::Target], values: &[Value]) -> Vec<LineChart> {
    let defs = domain::monitoring::definitions();
    let mut ids: Vec<&str> = targets.iter().map(|t| t.indicator.as_str()).collect();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| defs.iter().find(|d| d.id == id))
        .map(|def| {
            let own: Vec<&services::monitoring::Target> = targets.iter().filter(|t| t.indicator == def.id).collect();
            let known: Vec<String> = values
                .iter()
                .filter(|v| v.id == def.id)
                .map(|v| v.year.clone())
                .chain(own.iter().map(|t| t.school_year.clone()))
                .collect();
            let years = school_years_between(known.iter().min(), known.iter().max());
            let actual = years.iter().map(|y| get(values, &def.id, y).and_then(|v| v.value)).collect();
            let aimed = years
                .iter()
                .map(|y| own.iter().find(|t| &t.school_year == y).and_then(|t| t.value.parse::<Decimal>().ok()))
                .collect();
            scaled_chart(
                &format!("{}: volgens DUO en nulmeting en doelen", def.name),
                &years,
                &[
                    ("sterk-line--a", "Volgens DUO".into(), actual),
                    ("sterk-line--target", "Nulmeting en doelen".into(), aimed),
                ],
                def.is_share(),
            )
        })
        .collect()
}

pub fn target_rows(targets: &[services::monitoring::Target], values: &[Value]) -> Vec<TargetRow> {
    let defs = domain::monitoring::definitions();
    targets
        .iter()
        .map(|t| {
            let def = defs.iter().find(|d| d.id == t.indicator);
            let share = def.is_some_and(|d| d.is_share());
            let value: Option<Decimal> = t.value.parse().ok();
            let shown = |d: Decimal| value_text(share, d);
            let actual = get(values, &t.indicator, &t.school_year);
            let actual_value = actual.and_then(|v| v.value);
            TargetRow {
                indicator_name: def.map_or(t.indicator.clone(), |d| d.name.clone()),
                year: t.school_year.clone(),
                kind: if t.kind == "baseline" { "Nulmeting" } else { "Doel" },
                value: value.map_or(t.value.clone(), shown),
                actual: if share { share_text(actual) } else { count_text(actual) },
                reached: (t.kind == "target").then(|| actual_value.zip(value).map(|(a, v)| a >= v)).flatten(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "monitor/targets.html")]
pub struct TargetsPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    pub rows: Vec<TargetRow>,
    pub target_charts: Vec<LineChart>,
    pub indicators: Vec<crate::views::Choice>,
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
            .map(|d| crate::views::Choice { value: d.id.clone(), label: d.name.clone(), selected: false })
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
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Page {
    let notice = q.get("opgeslagen").filter(|n| !n.is_empty() && n.len() < 200).cloned();
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
        Ok(()) => Ok(axum::response::Redirect::to(&format!(
            "/regio/{slug}/doelen?opgeslagen={}",
            crate::form::urlencode("Opgeslagen.")
        ))
        .into_response()),
        Err(services::ServiceError::Invalid(e)) => {
            let errors = e.iter().map(|x| (x.field.clone(), x.message.clone())).collect();
            targets_page(&st, &ctx, &slug, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
