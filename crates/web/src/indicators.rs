//! Indicator views from DUO's open data (charts, "Regio in beeld", targets), as the monitor and a region's page show them.

use crate::AppState;
use domain::fmt::{integer_nl, percent_nl};
use domain::monitoring::Value;
use domain::monitoring::pupils::PROFILES;
use rust_decimal::Decimal;

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

pub(crate) fn get<'a>(values: &'a [Value], id: &str, year: &str) -> Option<&'a Value> {
    values.iter().find(|v| v.id == id && v.year == year)
}

fn years(values: &[Value]) -> Vec<String> {
    let mut y: Vec<String> = values.iter().map(|v| v.year.clone()).collect();
    y.sort();
    y.dedup();
    y
}

/// A count as people read it: exact when nothing is masked, else the bounds.
pub(crate) fn count_text(v: Option<&Value>) -> String {
    match v {
        None => "geen gegevens".into(),
        Some(v) if v.masked_cells == 0 => integer_nl(v.known as i64),
        Some(v) => format!("{} tot {}", integer_nl(v.low as i64), integer_nl(v.high as i64)),
    }
}

/// A share, marked with an asterisk when masked cells were left out of it.
pub(crate) fn share_text(v: Option<&Value>) -> String {
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

/// Where a region stands among the ranked regions on its share of techniek in `year`: (rank, of how many).
pub async fn rank(st: &AppState, slug: &str, year: &str) -> Result<Option<(usize, usize)>, crate::error::WebError> {
    let all = services::monitoring::computed(&st.app).await?;
    Ok(domain::monitoring::ranking(&all.per_region, year).place(slug))
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
    // DUO's latest school year here: a target after it is not published yet, not unknown.
    let latest = values.iter().map(|v| v.year.as_str()).max().unwrap_or_default();
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
                actual: match actual {
                    None if t.school_year.as_str() > latest => "nog niet bekend".into(),
                    _ if share => share_text(actual),
                    _ => count_text(actual),
                },
                reached: (t.kind == "target").then(|| actual_value.zip(value).map(|(a, v)| a >= v)).flatten(),
            }
        })
        .collect()
}

/// The results a region reports itself, as a table: a row per indicator, a column per year.
pub struct ResultsTable {
    /// Each year, and whether its progress report locked it.
    pub years: Vec<(i16, bool)>,
    /// (name, unit, definition, a cell per year: the number or "—").
    pub rows: Vec<(String, String, String, Vec<String>)>,
}

/// The region's reported results; `None` when it reported nothing yet.
pub fn results_table(r: &services::reported::RegionResults) -> Option<ResultsTable> {
    if r.years.iter().all(|y| y.values.is_empty()) {
        return None;
    }
    let rows = r
        .definitions
        .iter()
        .map(|d| {
            let cells =
                r.years.iter().map(|y| y.values.get(&d.id).map_or("—".to_owned(), |v| integer_nl(*v))).collect();
            (d.name.clone(), d.unit.clone(), d.definition.clone(), cells)
        })
        .collect();
    Some(ResultsTable { years: r.years.iter().map(|y| (y.year, y.locked_by.is_some())).collect(), rows })
}
