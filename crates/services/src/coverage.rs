//! Which region covers a municipality or school: each region's municipalities come from its
//! members' DUO locations, corrected by the national team.

use std::collections::{BTreeMap, BTreeSet};

use domain::geo::{self, Area, Override};
use domain::{Action, Actor};
use serde_json::json;
use store::regions::RegionSummary;
use store::{AnyConnection, audit, coverage as repo, regions};

use crate::{App, Result, ServiceError, invalid};

/// Region id → the codes of the municipalities it covers (active regions only).
pub type CoverageMap = BTreeMap<String, BTreeSet<String>>;

/// Every active region's municipalities.
pub async fn map(app: &App) -> Result<CoverageMap> {
    let mut conn = app.db.conn().await?;
    map_in(&mut conn).await
}

pub(crate) async fn map_in(conn: &mut AnyConnection) -> Result<CoverageMap> {
    let derived = derived_in(conn).await?;
    corrected(conn, &derived).await
}

/// Region id → the municipalities its members' locations name.
async fn derived_in(conn: &mut AnyConnection) -> Result<CoverageMap> {
    let mut derived: CoverageMap = BTreeMap::new();
    for (region_id, names) in repo::member_municipalities(conn).await? {
        if let Some(area) = first_known(&names) {
            derived.entry(region_id).or_default().insert(area.code.clone());
        }
    }
    Ok(derived)
}

/// The derived municipalities with the national team's corrections.
async fn corrected(conn: &mut AnyConnection, derived: &CoverageMap) -> Result<CoverageMap> {
    let mut overrides: BTreeMap<String, Vec<(String, Override)>> = BTreeMap::new();
    for (region_id, code, covered) in repo::overrides(conn).await? {
        let o = if covered { Override::Add } else { Override::Remove };
        overrides.entry(region_id).or_default().push((code, o));
    }
    let ids: BTreeSet<String> = derived.keys().chain(overrides.keys()).cloned().collect();
    Ok(ids
        .into_iter()
        .map(|id| {
            let set = geo::coverage(
                derived.get(&id).unwrap_or(&BTreeSet::new()),
                overrides.get(&id).map_or(&[][..], Vec::as_slice),
            );
            (id, set)
        })
        .filter(|(_, set)| !set.is_empty())
        .collect())
}

/// The first of a member's names that is a municipality; a place may name several
/// ("Haaksbergen/Eibergen/Neede").
fn first_known(names: &[String]) -> Option<&'static Area> {
    names.iter().flat_map(|n| n.split(['/', ','])).find_map(geo::municipality_by_name)
}

/// The active regions covering a municipality, by name.
pub fn covering<'a>(map: &CoverageMap, regions: &'a [RegionSummary], code: &str) -> Vec<&'a RegionSummary> {
    regions.iter().filter(|r| map.get(&r.id).is_some_and(|set| set.contains(code))).collect()
}

/// A municipality found by name, with the regions that cover it.
#[derive(Debug, Clone)]
pub struct MunicipalityAnswer {
    pub municipality: &'static Area,
    pub regions: Vec<RegionSummary>,
}

/// "Which region covers this municipality?" for every municipality whose name holds `q`.
/// Takes the coverage map and the public regions the caller already read, so a page asks for them once.
pub fn find_municipality(q: &str, map: &CoverageMap, all: &[RegionSummary]) -> Vec<MunicipalityAnswer> {
    geo::find_municipalities(&q.chars().take(100).collect::<String>())
        .into_iter()
        .take(20)
        .map(|m| MunicipalityAnswer {
            municipality: m,
            regions: covering(map, all, &m.code).into_iter().cloned().collect(),
        })
        .collect()
}

/// A region's coverage for the national team's screen: (municipality, derived from members,
/// covered now).
pub async fn of_region(app: &App, actor: &Actor, slug: &str) -> Result<Vec<(&'static Area, bool, bool)>> {
    actor.require(Action::ManageRegionIdentity)?;
    let mut conn = app.db.conn().await?;
    let region = regions::by_slug(&mut conn, slug).await?.ok_or(ServiceError::NotFound)?;
    let all_derived = derived_in(&mut conn).await?;
    let covered = corrected(&mut conn, &all_derived).await?.remove(&region.id).unwrap_or_default();
    let derived = all_derived.get(&region.id).cloned().unwrap_or_default();
    Ok(geo::municipalities()
        .iter()
        .filter(|a| covered.contains(&a.code) || derived.contains(&a.code))
        .map(|a| (a, derived.contains(&a.code), covered.contains(&a.code)))
        .collect())
}

/// The national team adds a municipality to a region, takes one away, or (`None`) returns to
/// what the members' locations say.
pub async fn set(app: &App, actor: &Actor, slug: &str, municipality: &str, covered: Option<bool>) -> Result<()> {
    actor.require(Action::ManageRegionIdentity)?;
    let area = geo::municipality(municipality.trim())
        .or_else(|| geo::municipality_by_name(municipality))
        .ok_or_else(|| invalid("gemeente", "Kies een gemeente van 2024, bijvoorbeeld Heerenveen of GM0074."))?;
    let mut tx = app.db.begin().await?;
    let region = regions::by_slug(&mut tx, slug).await?.ok_or(ServiceError::NotFound)?;
    repo::set(&mut tx, &region.id, &area.code, covered, actor.user_id.as_deref()).await?;
    audit::append(
        &mut tx,
        actor.user_id.as_deref(),
        "region.coverage",
        "region",
        &region.id,
        &json!({ "municipality": area.code, "covered": covered }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A DUO vmbo location that is not (yet) in the registry.
#[derive(Debug, Clone)]
pub struct UnregisteredLocation {
    pub code: String,
    pub name: String,
    pub municipality: String,
    pub covering: Vec<RegionSummary>,
}

/// What the school finder answers: registered schools (with the regions covering those that take
/// part nowhere), DUO's other vmbo locations with their covering regions, and municipalities.
#[derive(Debug, Clone, Default)]
pub struct Finder {
    pub schools: Vec<(store::organisations::SchoolHit, Vec<RegionSummary>)>,
    pub unregistered: Vec<UnregisteredLocation>,
    pub municipalities: Vec<MunicipalityAnswer>,
}

/// The school finder's answer to `q`.
pub async fn finder(app: &App, q: &str) -> Result<Finder> {
    let q: String = q.trim().chars().take(100).collect();
    if q.is_empty() {
        return Ok(Finder::default());
    }
    let schools = crate::organisations::find_schools(app, &q).await?;
    let mut conn = app.db.conn().await?;
    let locations = repo::unregistered_vmbo_locations(&mut conn, &q, crate::organisations::FINDER_LIMIT).await?;
    let map = map_in(&mut conn).await?;
    drop(conn);
    let all = crate::regions::list_public(app).await?;
    let covering_name = |name: Option<&str>| -> Vec<RegionSummary> {
        name.and_then(geo::municipality_by_name)
            .map(|m| covering(&map, &all, &m.code).into_iter().cloned().collect())
            .unwrap_or_default()
    };
    let schools = schools
        .into_iter()
        .map(|hit| {
            let regions =
                if hit.region.is_some() { Vec::new() } else { covering_name(hit.school.municipality.as_deref()) };
            (hit, regions)
        })
        .collect();
    let unregistered = locations
        .into_iter()
        .map(|(code, name, municipality)| UnregisteredLocation {
            covering: covering_name(Some(&municipality)),
            municipality: geo::municipality_by_name(&municipality).map_or(municipality, |m| m.name.clone()),
            code,
            name,
        })
        .collect();
    let municipalities = find_municipality(&q, &map, &all);
    Ok(Finder { schools, unregistered, municipalities })
}
