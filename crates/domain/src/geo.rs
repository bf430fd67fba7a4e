//! The Netherlands' 2024 municipalities and provinces (CBS/PDOK boundaries, simplified by
//! cartomap/nl; `data/geo/SOURCE.md`), decoded from TopoJSON, and which municipalities a region
//! covers. Pure: the files are compiled in and parsed once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

const MUNICIPALITIES_JSON: &str = include_str!("../../../data/geo/gemeente_2024.topojson");
const PROVINCES_JSON: &str = include_str!("../../../data/geo/provincie_2024.topojson");

/// A point in degrees: longitude, latitude (WGS84).
pub type Point = [f64; 2];

/// A municipality or province: its CBS code (`GM0074`, `PV21`), name and boundary rings
/// (outer rings and holes alike; an SVG path with the even-odd rule draws them right).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub rings: Vec<Vec<Point>>,
}

#[derive(Deserialize)]
struct Topology {
    arcs: Vec<Vec<[i64; 2]>>,
    transform: Transform,
    objects: BTreeMap<String, Collection>,
}

#[derive(Deserialize)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Geometry {
    Polygon { id: String, properties: Properties, arcs: Vec<Vec<i64>> },
    MultiPolygon { id: String, properties: Properties, arcs: Vec<Vec<Vec<i64>>> },
}

#[derive(Deserialize)]
struct Properties {
    statnaam: String,
}

/// Decodes every geometry of the topology's only object into areas.
pub fn parse(json: &str) -> Result<Vec<Area>, String> {
    let topology: Topology = serde_json::from_str(json).map_err(|e| format!("TopoJSON: {e}"))?;
    let arcs: Vec<Vec<Point>> = topology.arcs.iter().map(|arc| decode_arc(arc, &topology.transform)).collect();
    let collection = topology.objects.into_values().next().ok_or("TopoJSON: geen object")?;
    collection
        .geometries
        .into_iter()
        .map(|g| {
            let (code, name, rings) = match g {
                Geometry::Polygon { id, properties, arcs: rings } => (id, properties.statnaam, rings),
                Geometry::MultiPolygon { id, properties, arcs: polygons } => {
                    (id, properties.statnaam, polygons.into_iter().flatten().collect())
                }
            };
            let rings = rings.iter().map(|ring| stitch(ring, &arcs)).collect::<Result<_, _>>()?;
            Ok(Area { code, name, rings })
        })
        .collect()
}

/// A quantised, delta-encoded arc as absolute coordinates.
fn decode_arc(arc: &[[i64; 2]], t: &Transform) -> Vec<Point> {
    let (mut x, mut y) = (0i64, 0i64);
    arc.iter()
        .map(|[dx, dy]| {
            x += dx;
            y += dy;
            [x as f64 * t.scale[0] + t.translate[0], y as f64 * t.scale[1] + t.translate[1]]
        })
        .collect()
}

/// A ring from its arcs: index `!i` is arc `i` reversed; each arc starts where the last ended,
/// so that shared point is dropped.
fn stitch(ring: &[i64], arcs: &[Vec<Point>]) -> Result<Vec<Point>, String> {
    let mut points: Vec<Point> = Vec::new();
    for &index in ring {
        let (i, reversed) = if index < 0 { (!index, true) } else { (index, false) };
        let arc = usize::try_from(i).ok().and_then(|i| arcs.get(i)).ok_or(format!("TopoJSON: boog {i} ontbreekt"))?;
        let mut part = arc.clone();
        if reversed {
            part.reverse();
        }
        let skip = usize::from(!points.is_empty());
        points.extend(part.into_iter().skip(skip));
    }
    Ok(points)
}

/// The 342 municipalities of 2024, in code order.
pub fn municipalities() -> &'static [Area] {
    static AREAS: OnceLock<Vec<Area>> = OnceLock::new();
    AREAS.get_or_init(|| parse(MUNICIPALITIES_JSON).unwrap_or_default())
}

/// The 12 provinces.
pub fn provinces() -> &'static [Area] {
    static AREAS: OnceLock<Vec<Area>> = OnceLock::new();
    AREAS.get_or_init(|| parse(PROVINCES_JSON).unwrap_or_default())
}

/// DUO writes municipalities in capitals and one of them short.
const DUO_ALIASES: [(&str, &str); 1] = [("NUENEN C.A.", "GM0820")];

/// The municipality a name stands for, as DUO writes it (`HEERENVEEN`, `BERGEN (NH.)`) or as CBS
/// does (`Súdwest-Fryslân`); a name without CBS's suffix ("Hengelo") counts where it is unique.
/// Looked up in an index made once: anonymous pages ask this for every DUO location.
pub fn municipality_by_name(name: &str) -> Option<&'static Area> {
    /// Full names (and DUO's aliases), and names without CBS's suffix (`None` where two share one).
    type Index = (HashMap<String, &'static Area>, HashMap<String, Option<&'static Area>>);
    static INDEX: OnceLock<Index> = OnceLock::new();
    let (full, short) = INDEX.get_or_init(|| {
        let mut full = HashMap::new();
        let mut short: HashMap<String, Option<&'static Area>> = HashMap::new();
        for area in municipalities() {
            full.insert(area.name.to_uppercase(), area);
            short
                .entry(without_suffix(&area.name).to_uppercase())
                .and_modify(|seen| *seen = None)
                .or_insert(Some(area));
        }
        for (alias, code) in DUO_ALIASES {
            if let Some(area) = municipality(code) {
                full.insert(alias.to_owned(), area);
            }
        }
        (full, short)
    });
    let wanted = name.trim().to_uppercase();
    full.get(&wanted).copied().or_else(|| short.get(&wanted).copied().flatten())
}

/// "Hengelo (O.)" → "Hengelo".
fn without_suffix(name: &str) -> &str {
    name.split(" (").next().unwrap_or(name)
}

pub fn municipality(code: &str) -> Option<&'static Area> {
    municipalities().iter().find(|a| a.code == code)
}

/// Municipalities whose name contains the query, for a search box (case and accents as typed).
pub fn find_municipalities(query: &str) -> Vec<&'static Area> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    municipalities().iter().filter(|a| a.name.to_lowercase().contains(&q)).collect()
}

/// Whether a national-team entry adds a municipality to a region's coverage or takes it away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    Add,
    Remove,
}

/// A region's municipalities: those of its members' DUO locations, plus what the national team
/// added, minus what it took away.
pub fn coverage(derived: &BTreeSet<String>, overrides: &[(String, Override)]) -> BTreeSet<String> {
    let mut covered = derived.clone();
    for (code, o) in overrides {
        match o {
            Override::Add => covered.insert(code.clone()),
            Override::Remove => covered.remove(code),
        };
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_decode_into_closed_rings() {
        assert_eq!(municipalities().len(), 342);
        assert_eq!(provinces().len(), 12);
        for area in municipalities().iter().chain(provinces()) {
            assert!(!area.rings.is_empty(), "{}", area.code);
            for ring in &area.rings {
                assert_eq!(ring.first(), ring.last(), "{} is not closed", area.code);
                for [lon, lat] in ring {
                    assert!((3.3..7.3).contains(lon) && (50.7..53.6).contains(lat), "{} leaves the country", area.code);
                }
            }
        }
        let heerenveen = municipality("GM0074").unwrap();
        assert_eq!(heerenveen.name, "Heerenveen");
    }

    #[test]
    fn duo_names_find_their_municipality() {
        assert_eq!(municipality_by_name("HEERENVEEN").unwrap().code, "GM0074");
        assert_eq!(municipality_by_name("BERGEN (NH.)").unwrap().code, "GM0373");
        assert_eq!(municipality_by_name("NUENEN C.A.").unwrap().code, "GM0820");
        assert_eq!(municipality_by_name("Hengelo").unwrap().code, "GM0164");
        assert_eq!(municipality_by_name("SÚDWEST-FRYSLÂN").unwrap().name, "Súdwest-Fryslân");
        // Two Bergens: the short name alone is ambiguous.
        assert!(municipality_by_name("Bergen").is_none());
        assert!(municipality_by_name("Atlantis").is_none());
        assert_eq!(find_municipalities("heerenv").len(), 1);
    }

    #[test]
    fn the_national_team_adds_and_takes_away() {
        let derived: BTreeSet<String> = ["GM0074".to_owned(), "GM0086".to_owned()].into();
        let set = coverage(&derived, &[("GM0086".into(), Override::Remove), ("GM0090".into(), Override::Add)]);
        assert_eq!(set.into_iter().collect::<Vec<_>>(), ["GM0074", "GM0090"]);
    }
}
