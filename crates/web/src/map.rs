//! The map of the Netherlands with the regions on it, drawn here as SVG from the 2024 municipality
//! and province boundaries (CBS/PDOK). The map is for the eye: it is hidden from screen readers and
//! out of the tab order, and every page that shows it lists the same regions as links beside it.

use std::collections::BTreeSet;
use std::fmt::Write;

use domain::geo::{self, Area, Point};

/// Degrees of latitude per unit of the drawing's height; longitude is narrowed by the cosine of
/// the country's middle latitude, so the shape is not stretched.
const SCALE: f64 = 250.0;
const WEST: f64 = 3.3;
const NORTH: f64 = 53.6;
const WIDTH: i64 = 612;
const HEIGHT: i64 = 720;

/// A region as the map draws it.
pub struct MapRegion {
    pub slug: String,
    pub name: String,
    /// The municipality codes it covers.
    pub municipalities: BTreeSet<String>,
    /// A CSS class for its fill (a category on `/regios`, a class of the legend on `/monitor`).
    pub fill: String,
    /// What the tooltip says after the name.
    pub note: String,
}

fn project([lon, lat]: Point) -> (i64, i64) {
    let narrow = 52.2_f64.to_radians().cos();
    (((lon - WEST) * narrow * SCALE).round() as i64, ((NORTH - lat) * SCALE).round() as i64)
}

/// The areas' rings as one path: absolute move, then relative whole-unit steps, repeated points
/// left out (neighbouring areas share their borders' points, so no gaps open between them).
fn path<'a>(areas: impl Iterator<Item = &'a Area>) -> String {
    let mut d = String::new();
    for ring in areas.flat_map(|a| &a.rings) {
        let mut points = ring.iter().map(|p| project(*p));
        let Some((mut x, mut y)) = points.next() else { continue };
        let _ = write!(d, "M{x} {y}");
        let mut first = true;
        for (nx, ny) in points {
            if (nx, ny) == (x, y) {
                continue;
            }
            let _ = write!(d, "{}{} {}", if first { "l" } else { " " }, nx - x, ny - y);
            first = false;
            (x, y) = (nx, ny);
        }
        d.push('z');
    }
    d
}

/// A region's shape, ready for `map.html`.
pub struct Shape {
    pub slug: String,
    pub title: String,
    pub fill: String,
    pub d: String,
}

/// What `map.html` draws: municipalities no region covers in grey, each region a link to its page
/// (larger regions first, so smaller ones stay visible where two cover a municipality), province
/// borders on top.
pub struct MapView {
    pub width: i64,
    pub height: i64,
    pub empty: String,
    pub shapes: Vec<Shape>,
    pub provinces: String,
}

impl MapView {
    pub fn new(regions: &[MapRegion]) -> Self {
        let covered: BTreeSet<&str> =
            regions.iter().flat_map(|r| r.municipalities.iter().map(String::as_str)).collect();
        let mut order: Vec<&MapRegion> = regions.iter().filter(|r| !r.municipalities.is_empty()).collect();
        order.sort_by_key(|r| std::cmp::Reverse(r.municipalities.len()));
        let shapes = order
            .into_iter()
            .map(|r| Shape {
                slug: r.slug.clone(),
                title: if r.note.is_empty() { r.name.clone() } else { format!("{}: {}", r.name, r.note) },
                fill: r.fill.clone(),
                d: path(geo::municipalities().iter().filter(|a| r.municipalities.contains(&a.code))),
            })
            .collect();
        Self {
            width: WIDTH,
            height: HEIGHT,
            empty: path(geo::municipalities().iter().filter(|a| !covered.contains(a.code.as_str()))),
            shapes,
            provinces: path(geo::provinces().iter()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_fits_the_drawing() {
        for a in geo::municipalities() {
            for p in a.rings.iter().flatten() {
                let (x, y) = project(*p);
                assert!((0..=WIDTH).contains(&x) && (0..=HEIGHT).contains(&y), "{} at {x},{y}", a.code);
            }
        }
    }

    #[test]
    fn larger_regions_are_drawn_first_and_the_paths_stay_small() {
        let region = |slug: &str, codes: &[&str]| MapRegion {
            slug: slug.into(),
            name: format!("Regio <{slug}>"),
            municipalities: codes.iter().map(|c| (*c).to_owned()).collect(),
            fill: "sterk-map__fill-1".into(),
            note: String::new(),
        };
        let all: Vec<String> = geo::municipalities().iter().map(|a| a.code.clone()).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let map = MapView::new(&[region("friesland", &["GM0074"]), region("rest", &all)]);
        assert_eq!(map.shapes.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(), ["rest", "friesland"]);
        assert!(map.empty.is_empty(), "every municipality is covered");
        let size: usize = map.shapes.iter().map(|s| s.d.len()).sum::<usize>() + map.provinces.len();
        assert!(size < 200_000, "{size} bytes of paths");
    }
}
