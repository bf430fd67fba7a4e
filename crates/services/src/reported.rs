//! Results the regions report themselves (`indicators/reported.toml`): entered per calendar year,
//! locked once that year's progress report is submitted, public like DUO's figures.

use std::collections::BTreeMap;

use domain::monitoring::reported::{self, ReportedDefinition};
use domain::reports::ReportState;
use domain::{Action, Actor, FieldErrors, Region};
use serde_json::json;
use store::reported_results as repo;
use store::{AnyConnection, audit, regions, reports};

use crate::{App, Result, ServiceError};

/// A year's column: its figures by indicator id, and the report that locked them (its label).
#[derive(Debug, Clone)]
pub struct Year {
    pub year: i16,
    /// Not begun yet (by the application clock): nothing to report.
    pub future: bool,
    pub values: BTreeMap<String, i64>,
    pub locked_by: Option<String>,
}

/// A region's reported results, every year of the regulation.
#[derive(Debug, Clone)]
pub struct RegionResults {
    pub region: Region,
    pub definitions: &'static [ReportedDefinition],
    pub years: Vec<Year>,
    pub can_edit: bool,
}

async fn years_of(app: &App, conn: &mut AnyConnection, region_id: &str) -> Result<Vec<Year>> {
    let reg = app.current_regulation()?;
    let figures = repo::figures(conn, Some(region_id)).await?;
    let rows = reports::of_region(conn, region_id).await?;
    let this_year = app.today()?.year();
    let mut years = Vec::new();
    for &year in &reg.years {
        let locked_by = reported::locking_report(reg, year).filter(|o| {
            rows.iter().any(|r| {
                r.obligation == o.id
                    && matches!(ReportState::parse(&r.state), Some(ReportState::Ingediend | ReportState::Geaccepteerd))
            })
        });
        let values =
            figures.iter().filter(|f| f.2 == i64::from(year)).map(|(_, id, _, value)| (id.clone(), *value)).collect();
        years.push(Year { year, future: year > this_year, values, locked_by: locked_by.map(|o| o.label.clone()) });
    }
    Ok(years)
}

/// A region's results, for anyone who may see the region.
pub async fn of_region(app: &App, actor: &Actor, slug: &str) -> Result<RegionResults> {
    let mut conn = app.db.conn().await?;
    let region = regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    if region.archived && !actor.permits(Action::ArchiveRegion) {
        return Err(ServiceError::NotFound);
    }
    let years = years_of(app, &mut conn, &region.id).await?;
    let can_edit = actor.permits(Action::EditRegionProfile { region_id: &region.id });
    Ok(RegionResults { region, definitions: reported::definitions(), years, can_edit })
}

/// Enters a year's figures: every value checked first, then all stored or none. A locked year is
/// refused, naming the report that locked it.
pub async fn set_year(app: &App, actor: &Actor, slug: &str, year: i16, typed: &[(String, String)]) -> Result<()> {
    let mut tx = app.db.begin().await?;
    let region = regions::by_slug(&mut tx, slug).await?.ok_or(ServiceError::NotFound)?;
    actor.require(Action::EditRegionProfile { region_id: &region.id })?;
    let years = years_of(app, &mut tx, &region.id).await?;
    let Some(column) = years.iter().find(|y| y.year == year) else {
        return Err(crate::invalid("year", format!("{year} is geen jaar van de regeling.")));
    };
    if column.future {
        return Err(ServiceError::NotAllowed(format!("{year} is nog niet begonnen: er is nog niets te melden.")));
    }
    if let Some(label) = &column.locked_by {
        return Err(ServiceError::NotAllowed(format!(
            "De resultaten van {year} liggen vast: ze zijn ingediend met de {}.",
            label.to_lowercase()
        )));
    }
    let mut e = FieldErrors::default();
    let mut values = Vec::new();
    for d in reported::definitions() {
        let raw = typed.iter().find(|(id, _)| *id == d.id).map_or("", |(_, v)| v.as_str());
        match d.parse(raw) {
            Ok(v) => values.push((d.id.as_str(), v)),
            Err(message) => e.add(&d.id, message),
        }
    }
    e.into_result(())?;
    for (id, value) in &values {
        let value = value.and_then(|v| i64::try_from(v).ok());
        repo::set(&mut tx, (&region.id, id, i64::from(year)), value, actor.user_id.as_deref()).await?;
    }
    let detail =
        json!({ "year": year, "values": values.iter().map(|(id, v)| (id.to_string(), v)).collect::<BTreeMap<_, _>>() });
    audit::append(&mut tx, actor.user_id.as_deref(), "results.set", "region", &region.id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The latest year any region reported, with each active region's figures of that year.
pub type NationalFigures = (i64, Vec<(regions::RegionSummary, BTreeMap<String, i64>)>);

/// Every active region's figures for the national comparison, for the year most regions reported
/// on (the later one on a tie): a year just begun, with one region in it, compares nothing.
pub async fn national(app: &App) -> Result<Option<NationalFigures>> {
    let mut conn = app.db.conn().await?;
    let figures = repo::figures(&mut conn, None).await?;
    let mut per_year: BTreeMap<i64, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for (region, _, year, _) in &figures {
        per_year.entry(*year).or_default().insert(region);
    }
    let Some(latest) = per_year.iter().max_by_key(|(year, regions)| (regions.len(), **year)).map(|(y, _)| *y) else {
        return Ok(None);
    };
    let list = regions::list(&mut conn, false).await?;
    let rows = list
        .into_iter()
        .filter_map(|r| {
            let values: BTreeMap<String, i64> =
                figures.iter().filter(|f| f.0 == r.id && f.2 == latest).map(|f| (f.1.clone(), f.3)).collect();
            (!values.is_empty()).then_some((r, values))
        })
        .collect();
    Ok(Some((latest, rows)))
}

/// The figures a report locks, as its submission keeps them: per year it locks, each reported
/// value by indicator id (`{"2025": {"docenten-geschoold": 23}}`).
pub(crate) async fn locked_by(app: &App, region_id: &str, obligation: &str) -> Result<serde_json::Value> {
    let reg = app.current_regulation()?;
    let mut conn = app.db.conn().await?;
    let figures = repo::figures(&mut conn, Some(region_id)).await?;
    let mut out = serde_json::Map::new();
    for &year in &reg.years {
        if reported::locking_report(reg, year).is_some_and(|o| o.id == obligation) {
            let values: serde_json::Map<String, serde_json::Value> = figures
                .iter()
                .filter(|f| f.2 == i64::from(year))
                .map(|(_, id, _, value)| (id.clone(), json!(value)))
                .collect();
            out.insert(year.to_string(), serde_json::Value::Object(values));
        }
    }
    Ok(serde_json::Value::Object(out))
}
