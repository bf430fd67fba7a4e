//! Monitoring: importing DUO open data, and the indicators for a school location, a region or
//! the nation.

use std::collections::HashMap;
use std::sync::Arc;

use domain::monitoring::pupils::PupilRow;
use domain::monitoring::{self, ExamRow, Value};
use domain::{Action, Actor, FieldErrors};
use serde_json::json;
use store::{audit, monitoring as repo, regions};

use crate::{App, Result, ServiceError};

/// Whom the indicators are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    National,
    Region(String),
    Location(String),
}

impl Scope {
    /// `national`, `region:{slug}` or `location:{duo_code}`.
    pub fn parse(text: &str) -> Option<Scope> {
        match text.trim().split_once(':') {
            None if text.trim() == "national" => Some(Scope::National),
            Some(("region", slug)) if !slug.is_empty() => Some(Scope::Region(slug.to_owned())),
            Some(("location", code)) => domain::DuoCode::parse(code).map(|c| Scope::Location(c.as_str().to_owned())),
            _ => None,
        }
    }

    pub fn code(&self) -> String {
        match self {
            Scope::National => "national".into(),
            Scope::Region(s) => format!("region:{s}"),
            Scope::Location(c) => format!("location:{c}"),
        }
    }
}

/// Imports DUO's exam candidates file, all or nothing, replacing the school years it holds.
/// Only the national team (or the operator) imports open data.
pub async fn import_exams(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    progress: impl FnMut(usize),
) -> Result<import::duo::Summary> {
    actor.require(Action::ManageRegionIdentity)?;
    let started = std::time::Instant::now();
    let text = import::duo::decode(bytes);
    let (rows, summary) = import::duo::exams(&text, progress).map_err(file_errors)?;
    let mut tx = app.db.begin().await?;
    repo::replace_exam_years(&mut tx, &summary.years, &rows).await?;
    repo::remember_exam_locations(&mut tx, &rows).await?;
    log_import(&mut tx, actor, "duo-exams", bytes, &summary).await?;
    tx.commit().await?;
    app.metrics.import("duo-exams", started);
    Ok(summary)
}

/// Imports DUO's pupils per location file, all or nothing, replacing the school years it holds;
/// `school_year` where the file does not say it (its name does: `…-2023.csv`).
pub async fn import_pupils(
    app: &App,
    actor: &Actor,
    bytes: &[u8],
    school_year: Option<&str>,
    progress: impl FnMut(usize),
) -> Result<import::duo::Summary> {
    actor.require(Action::ManageRegionIdentity)?;
    let started = std::time::Instant::now();
    let text = import::duo::decode(bytes);
    let (rows, summary) = import::duo::pupils(&text, school_year, progress).map_err(file_errors)?;
    let mut tx = app.db.begin().await?;
    repo::replace_pupil_years(&mut tx, &summary.years, &rows).await?;
    log_import(&mut tx, actor, "duo-pupils", bytes, &summary).await?;
    tx.commit().await?;
    app.metrics.import("duo-pupils", started);
    Ok(summary)
}

/// Records an import of open data and audits it, in the import's transaction.
async fn log_import(
    tx: &mut store::AnyConnection,
    actor: &Actor,
    dataset: &str,
    bytes: &[u8],
    summary: &import::duo::Summary,
) -> Result<()> {
    let sha256 = crate::auth::sha256_bytes_hex(bytes);
    let record = repo::ImportRecord {
        dataset,
        sha256: &sha256,
        lines: summary.lines,
        locations: summary.locations,
        years: &summary.years,
        masked_cells: summary.masked_cells,
    };
    repo::record_import(tx, &record).await?;
    let detail = json!({ "dataset": dataset, "sha256": sha256, "lines": summary.lines, "years": summary.years });
    audit::append(tx, actor.user_id.as_deref(), "open_data.import", "open_data", dataset, &detail).await?;
    Ok(())
}

/// The school locations of a scope (a region's: its members' DUO codes); `None` for the nation.
async fn locations(app: &App, scope: &Scope) -> Result<Option<Vec<String>>> {
    let mut conn = app.db.conn().await?;
    Ok(match scope {
        Scope::National => None,
        Scope::Location(code) => Some(vec![code.clone()]),
        Scope::Region(slug) => {
            let region = regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
            Some(regions::members(&mut conn, &region.id).await?.into_iter().filter_map(|m| m.duo_code).collect())
        }
    })
}

/// DUO's vmbo rows as stored, kept in memory until the next import: the import log is the key,
/// so an import by another process is seen too.
#[derive(Default)]
pub struct OpenDataCache(std::sync::Mutex<Option<(repo::ImportsKey, Arc<Rows>)>>);

pub struct Rows {
    exams: Vec<ExamRow>,
    pupils: Vec<PupilRow>,
}

impl OpenDataCache {
    fn get(&self, key: repo::ImportsKey) -> Option<Arc<Rows>> {
        let cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cached.as_ref().filter(|(k, _)| *k == key).map(|(_, rows)| rows.clone())
    }

    fn put(&self, key: repo::ImportsKey, rows: Arc<Rows>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, rows));
    }
}

/// The stored rows: from memory unless an import came since they were read.
async fn rows(app: &App) -> Result<Arc<Rows>> {
    let mut conn = app.db.conn().await?;
    // The key first: rows read after it are at least as new as it says.
    let key = repo::imports_key(&mut conn).await?;
    if let Some(rows) = app.open_data.get(key) {
        return Ok(rows);
    }
    let rows = Arc::new(Rows {
        exams: repo::exam_rows(&mut conn, monitoring::SCHOOL_TYPE).await?,
        pupils: repo::pupil_rows(&mut conn).await?,
    });
    app.open_data.put(key, rows.clone());
    Ok(rows)
}

/// The indicators of a scope per school year (all years, or `year`). Open data: anyone may read.
/// The nation's and the regions' come from [`computed`]; a single location's are computed here.
pub async fn indicators(app: &App, scope: &Scope, year: Option<&str>) -> Result<Vec<Value>> {
    let kept = match scope {
        Scope::National => Some(computed(app).await?.national.clone()),
        Scope::Region(slug) => computed(app).await?.per_region.iter().find(|(s, _)| s == slug).map(|(_, v)| v.clone()),
        Scope::Location(_) => None,
    };
    let values = match kept {
        Some(values) => values,
        // A single location, or an archived region (not among the computed): computed here.
        None => {
            let locations = locations(app, scope).await?;
            let rows = rows(app).await?;
            let mine = |l: &str| locations.as_ref().is_none_or(|ls| ls.iter().any(|x| x == l));
            compute(rows.exams.iter().filter(|r| mine(&r.location)), rows.pupils.iter().filter(|r| mine(&r.location)))
        }
    };
    Ok(values.into_iter().filter(|v| year.is_none_or(|y| v.year == y)).collect())
}

/// The indicators of the nation and of every (not archived) region, all school years.
pub struct Computed {
    pub national: Vec<Value>,
    pub per_region: Vec<(String, Vec<Value>)>,
}

/// [`Computed`], kept until the data version moves (any write raises it, on any instance), so no
/// request computes them while nothing changed. When it moves they are made again only if their
/// inputs changed (an import, a membership, a location code), once at a time: a request that
/// comes meanwhile waits for that work instead of doing it again.
#[derive(Default)]
pub struct IndicatorCache {
    kept: std::sync::Mutex<Option<Kept>>,
    making: tokio::sync::Mutex<()>,
}

struct Kept {
    version: i64,
    inputs: Inputs,
    computed: Arc<Computed>,
}

/// What the indicators are made of: the imports (the key of the open data rows) and every
/// region's locations.
#[derive(PartialEq)]
struct Inputs {
    imports: repo::ImportsKey,
    regions: Vec<(String, Vec<String>)>,
}

impl IndicatorCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What was computed at `version` or later (later is as good: newer data).
    fn get(&self, version: i64) -> Option<Arc<Computed>> {
        self.lock().as_ref().filter(|k| k.version >= version).map(|k| k.computed.clone())
    }

    /// The data version the kept indicators hold for.
    pub fn version(&self) -> Option<i64> {
        self.lock().as_ref().map(|k| k.version)
    }

    /// What was computed from the same inputs, from now on valid at `version` too.
    fn same_inputs(&self, version: i64, inputs: &Inputs) -> Option<Arc<Computed>> {
        let mut kept = self.lock();
        let k = kept.as_mut().filter(|k| k.inputs == *inputs)?;
        k.version = k.version.max(version);
        Some(k.computed.clone())
    }

    fn put(&self, version: i64, inputs: Inputs, computed: Arc<Computed>) {
        let mut kept = self.lock();
        if kept.as_ref().is_none_or(|k| k.version < version) {
            *kept = Some(Kept { version, inputs, computed });
        }
    }
}

/// The nation's and every region's indicators at the current data version.
pub async fn computed(app: &App) -> Result<Arc<Computed>> {
    // The version first: what is read after it is at least as new as it says.
    let version = crate::data_version(app).await?;
    if let Some(c) = app.indicators.get(version) {
        return Ok(c);
    }
    // Made in a task of its own: a visitor who leaves does not throw the work away.
    let app = app.clone();
    tokio::spawn(async move { make(&app, version).await })
        .await
        .map_err(|e| ServiceError::File(format!("rekenwerk afgebroken: {e}")))?
}

/// Makes the indicators at `version`, once at a time; unless they were made meanwhile, or their
/// inputs did not change.
async fn make(app: &App, version: i64) -> Result<Arc<Computed>> {
    let _making = app.indicators.making.lock().await;
    if let Some(c) = app.indicators.get(version) {
        return Ok(c);
    }
    let inputs = {
        let mut conn = app.db.conn().await?;
        Inputs { imports: repo::imports_key(&mut conn).await?, regions: regions::duo_codes_by_region(&mut conn).await? }
    };
    if let Some(c) = app.indicators.same_inputs(version, &inputs) {
        return Ok(c);
    }
    let rows = rows(app).await?;
    let regions = inputs.regions.clone();
    let computed = Arc::new(
        crate::cpu::run(move || {
            let (exams_at, pupils_at) =
                (by_location(&rows.exams, |r| &r.location), by_location(&rows.pupils, |r| &r.location));
            let per_region = regions
                .into_iter()
                .map(|(slug, codes)| {
                    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
                    (slug, compute(at(&exams_at, &codes), at(&pupils_at, &codes)))
                })
                .collect();
            Computed { national: compute(&rows.exams, &rows.pupils), per_region }
        })
        .await?,
    );
    app.indicators.put(version, inputs, computed.clone());
    Ok(computed)
}

/// Makes the indicators ready after the data version moved, before anyone asks for them (the
/// server calls it when it notices a new version, on every instance).
pub async fn prepare(app: &App) {
    if let Err(e) = computed(app).await {
        tracing::warn!("indicators not made ahead: {e}");
    }
}

/// Both datasets' indicators, by school year and then in definition order.
fn compute<'a>(
    exams: impl IntoIterator<Item = &'a ExamRow>,
    pupils: impl IntoIterator<Item = &'a PupilRow>,
) -> Vec<Value> {
    let mut values = monitoring::compute(exams);
    values.extend(monitoring::pupils::compute(pupils));
    monitoring::ordered(values)
}

/// Rows grouped by school location.
fn by_location<T>(rows: &[T], location: impl Fn(&T) -> &str) -> HashMap<&str, Vec<&T>> {
    let mut map: HashMap<&str, Vec<&T>> = HashMap::new();
    for r in rows {
        map.entry(location(r)).or_default().push(r);
    }
    map
}

/// The rows of these locations.
fn at<'a, T>(map: &HashMap<&str, Vec<&'a T>>, codes: &[&str]) -> Vec<&'a T> {
    codes.iter().filter_map(|c| map.get(c)).flatten().copied().collect()
}

/// Whether DUO exam data was ever imported.
pub async fn has_exams(app: &App) -> Result<bool> {
    let mut conn = app.db.conn().await?;
    Ok(repo::imports(&mut conn, "duo-exams").await? > 0)
}

/// A region's baselines and targets: (indicator, school year, kind, value).
pub use store::monitoring::Target;

pub async fn targets(app: &App, slug: &str) -> Result<Vec<Target>> {
    let mut conn = app.db.conn().await?;
    let region = regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    Ok(repo::targets(&mut conn, &region.id).await?)
}

/// Sets a region's baseline or target for an indicator and school year (empty `value` removes
/// it). Counts are whole numbers, shares percentages (`21,5`); stored as a decimal share.
pub async fn set_target(
    app: &App,
    actor: &Actor,
    slug: &str,
    (indicator, year, kind): (&str, &str, &str),
    value: &str,
) -> Result<()> {
    let mut e = FieldErrors::default();
    let def = monitoring::definitions().iter().find(|d| d.id == indicator);
    if def.is_none() {
        e.add("indicator", "Kies een indicator.");
    }
    if monitoring::school_year_start(year).is_none() {
        e.add("school_year", "Geef een schooljaar als 2025-2026.");
    }
    if kind != "baseline" && kind != "target" {
        e.add("kind", "Kies nulmeting of doel.");
    }
    let parsed = if value.trim().is_empty() {
        None
    } else {
        match domain::fmt::parse_decimal_nl(value) {
            Some(d) if !d.is_sign_negative() => Some(match def.as_ref().map(|d| d.unit.as_str()) {
                Some("aandeel") if d > rust_decimal::Decimal::ONE => d / rust_decimal::Decimal::from(100),
                _ => d,
            }),
            _ => {
                e.add("value", "Vul een getal in (een aantal, of een percentage zoals 21,5).");
                None
            }
        }
    };
    e.into_result(())?;
    let mut tx = app.db.begin().await?;
    let region = regions::by_slug(&mut tx, slug).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::EditRegionProfile { region_id: &region.id })?;
    let stored = parsed.map(|d| d.normalize().to_string());
    repo::set_target(&mut tx, &region.id, (indicator, year, kind), stored.as_deref(), actor.user_id.as_deref()).await?;
    let detail = json!({ "indicator": indicator, "year": year, "kind": kind, "value": stored });
    audit::append(&mut tx, actor.user_id.as_deref(), "monitoring.target", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// What a locations import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationsSummary {
    pub locations: usize,
    /// Organisations of the registry updated by DUO code.
    pub enriched: u64,
}

/// Imports DUO's school locations, all or nothing, and enriches the registry's organisations by DUO code.
pub async fn import_locations(app: &App, actor: &Actor, bytes: &[u8]) -> Result<LocationsSummary> {
    actor.require(Action::ManageRegionIdentity)?;
    let started = std::time::Instant::now();
    let locations = import::duo::locations(&import::decode(bytes)).map_err(file_errors)?;
    let rows: Vec<(String, String, String, String)> =
        locations.into_iter().map(|l| (l.code, l.name, l.place, l.municipality)).collect();
    let mut tx = app.db.begin().await?;
    let enriched = repo::replace_locations(&mut tx, &rows).await?;
    let sha256 = crate::auth::sha256_bytes_hex(bytes);
    let record = repo::ImportRecord {
        dataset: "duo-locations",
        sha256: &sha256,
        lines: rows.len(),
        locations: rows.len(),
        years: &[],
        masked_cells: 0,
    };
    repo::record_import(&mut tx, &record).await?;
    let detail = json!({ "dataset": "duo-locations", "sha256": sha256, "locations": rows.len(), "enriched": enriched });
    audit::append(&mut tx, actor.user_id.as_deref(), "open_data.import", "open_data", "duo-locations", &detail).await?;
    tx.commit().await?;
    app.metrics.import("duo-locations", started);
    Ok(LocationsSummary { locations: rows.len(), enriched })
}

/// A file's problems as field errors: "regel N, kolom X" and what is wrong.
fn file_errors(errors: Vec<import::duo::FileError>) -> ServiceError {
    let mut e = FieldErrors::default();
    for f in errors {
        let at = if f.column.is_empty() {
            format!("regel {}", f.line)
        } else {
            format!("regel {}, kolom \"{}\"", f.line, f.column)
        };
        e.add(&at, f.message);
    }
    ServiceError::Invalid(e)
}

/// The open-data CSV's columns (`,`, LF), named for what they hold: `value_on_known_numbers` is the
/// count or share on the known (unmasked) numbers, which may lie outside the bounds that count the
/// masked cells too.
const CSV_HEADER: &str =
    "scope,indicator,school_year,known_count,masked_cells,lowest_possible,highest_possible,value_on_known_numbers\n";

/// Indicators of one or more scopes as open-data CSV (`,`, LF), one row per indicator and year.
pub fn csv(parts: &[(String, &[Value])]) -> String {
    let mut out = String::from(CSV_HEADER);
    for (scope, values) in parts {
        for v in *values {
            let value = v.value.map(|d| d.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "{scope},{},{},{},{},{},{},{value}\n",
                v.id, v.year, v.known, v.masked_cells, v.low, v.high
            ));
        }
    }
    out
}

/// The same rows as Dutch Excel opens them (`docs::table::csv_nl`), with Dutch column names and
/// each indicator's name beside its id; shares as fractions.
pub fn csv_excel(parts: &[(String, &[Value])]) -> String {
    use docs::table::{Cell, Column, Sheet};
    use rust_decimal::prelude::ToPrimitive;
    let defs = domain::monitoring::definitions();
    let whole = |n: u64| Cell::Whole(i64::try_from(n).unwrap_or(i64::MAX));
    let rows = parts
        .iter()
        .flat_map(|(scope, values)| values.iter().map(move |v| (scope, v)))
        .map(|(scope, v)| {
            let def = defs.iter().find(|d| d.id == v.id);
            let value = match (v.value, def.is_some_and(|d| d.unit == "aandeel")) {
                (None, _) => Cell::Empty,
                (Some(d), true) => Cell::Percent(d),
                (Some(d), false) => d.to_i64().map_or(Cell::Empty, Cell::Whole),
            };
            vec![
                Cell::Text(scope.clone()),
                Cell::Text(v.id.clone()),
                Cell::Text(def.map_or_else(String::new, |d| d.name.clone())),
                Cell::Text(v.year.clone()),
                whole(v.known),
                whole(v.masked_cells),
                whole(v.low),
                whole(v.high),
                value,
            ]
        })
        .collect();
    let col = |title| Column { title, width: 0.0, total: false };
    let sheet = Sheet {
        name: "Indicatoren",
        columns: vec![
            col("Gebied"),
            col("Indicator"),
            col("Naam"),
            col("Schooljaar"),
            col("Bekend aantal"),
            col("Gemaskeerde cellen (<5)"),
            col("Laagst mogelijk aantal"),
            col("Hoogst mogelijk aantal"),
            col("Waarde op bekende aantallen"),
        ],
        rows,
    };
    // Writing to memory fails only on a writer error, which a Vec does not raise.
    docs::table::csv_nl(&sheet).unwrap_or_default()
}
