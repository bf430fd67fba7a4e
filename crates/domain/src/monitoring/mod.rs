//! Monitoring with open data: DUO's published counts per school location and year, and the
//! indicators of the theory of change computed from them for a location, a region or the
//! nation. Masked cells (`<5`: 1 to 4) are never guessed: a count says what is known, how many
//! cells were masked and the bounds; a share is computed on the known numbers and says so.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub mod pupils;
pub mod reported;

/// A count as published: a number, or masked because it is small (1 to 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Known(u32),
    Masked,
}

/// The school type every indicator is about (its rows are all the indicators read).
pub const SCHOOL_TYPE: &str = "VMBO";

/// Sexes in the order DUO gives them.
pub const MAN: usize = 0;
pub const VROUW: usize = 1;
pub const TOTAAL: usize = 2;

/// One programme at one school location in one school year: exam candidates and passes per sex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamRow {
    /// The six-character location code (BRIN + location number), e.g. `00AH00`.
    pub location: String,
    pub institution: String,
    pub name: String,
    pub municipality: String,
    /// `VMBO`, `HAVO`, `VWO`.
    pub school_type: String,
    pub inspection_code: String,
    /// e.g. `VMBO K - techniek`.
    pub programme: String,
    /// e.g. `2023-2024`.
    pub school_year: String,
    /// Man, vrouw, totaal.
    pub candidates: [Count; 3],
    pub passed: [Count; 3],
}

impl ExamRow {
    /// The vmbo track (`B`, `K`, `G`, `T`, `LWT`) and sector (`techniek`, …) of a vmbo programme.
    pub fn vmbo_track_and_sector(&self) -> Option<(&str, &str)> {
        let rest = self.programme.strip_prefix("VMBO ")?;
        let (track, sector) = rest.split_once(" - ").unwrap_or((rest, ""));
        Some((track.trim(), sector.trim()))
    }

    fn bkg(&self) -> bool {
        self.school_type == SCHOOL_TYPE
            && self.vmbo_track_and_sector().is_some_and(|(t, _)| matches!(t, "B" | "K" | "G"))
    }

    fn techniek(&self) -> bool {
        self.bkg() && self.vmbo_track_and_sector().is_some_and(|(_, s)| s == "techniek")
    }
}

/// An indicator as defined in `indicators/indicators.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Definition {
    pub id: String,
    pub name: String,
    pub definition: String,
    pub dataset: String,
    /// `aantal` or `aandeel`.
    pub unit: String,
    /// Pupils indicators select rows by these (see `pupils`): tracks (all when empty), a
    /// beroepsgericht profiel, techniek only, girls only; a share is taken `of` another indicator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub techniek: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub girls: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
}

impl Definition {
    pub fn is_share(&self) -> bool {
        self.unit == "aandeel"
    }
}

/// How regions are compared on the national monitor.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Comparison {
    /// Regions with fewer known exam candidates in the year are left out of the ranking.
    pub minimum_candidates: u64,
}

#[derive(Deserialize)]
struct File {
    comparison: Comparison,
    indicators: Vec<Definition>,
}

fn file() -> &'static File {
    static FILE: std::sync::LazyLock<File> = std::sync::LazyLock::new(|| {
        toml::from_str(include_str!("../../../../indicators/indicators.toml")).expect("the shipped indicators parse")
    });
    &FILE
}

/// The first calendar year of a school year written `2025-2026`; `None` for anything else.
pub fn school_year_start(text: &str) -> Option<i32> {
    let (a, b) = text.trim().split_once('-')?;
    let year =
        |s: &str| (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse::<i32>().ok()).flatten();
    let (a, b) = (year(a)?, year(b)?);
    (b == a + 1).then_some(a)
}

/// The shipped indicator definitions, parsed once.
pub fn definitions() -> &'static [Definition] {
    &file().indicators
}

/// The shipped comparison settings.
pub fn comparison() -> &'static Comparison {
    &file().comparison
}

/// The regions compared on their share of techniek in one school year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranking {
    /// Highest share first (ties by slug), with the share.
    pub ranked: Vec<(String, Decimal)>,
    /// Below the minimum group size: a share of so few, mostly masked, says little.
    pub too_small: Vec<String>,
    /// No share at all that year (no DUO codes, or every cell masked).
    pub without: Vec<String>,
}

impl Ranking {
    /// A region's place: (rank, of how many), when it is ranked.
    pub fn place(&self, slug: &str) -> Option<(usize, usize)> {
        self.ranked.iter().position(|(s, _)| s == slug).map(|i| (i + 1, self.ranked.len()))
    }
}

/// Ranks regions by `techniek-share` in `year`, leaving out those below the minimum group size.
pub fn ranking(per_region: &[(String, Vec<Value>)], year: &str) -> Ranking {
    let minimum = comparison().minimum_candidates;
    let find = |v: &[Value], id: &str| v.iter().find(|x| x.id == id && x.year == year).cloned();
    let mut out = Ranking::default();
    for (slug, values) in per_region {
        let candidates = find(values, "vmbo-bkg-exam-candidates").map_or(0, |v| v.known);
        match find(values, "techniek-share").and_then(|v| v.value) {
            None => out.without.push(slug.clone()),
            Some(_) if candidates < minimum => out.too_small.push(slug.clone()),
            Some(share) => out.ranked.push((slug.clone(), share)),
        }
    }
    out.ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// A sum of published counts: what is known and how many cells were masked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub known: u64,
    pub masked_cells: u64,
}

impl Tally {
    pub(crate) fn add(&mut self, c: Count) {
        match c {
            Count::Known(n) => self.known += u64::from(n),
            Count::Masked => self.masked_cells += 1,
        }
    }

    /// At least one per masked cell.
    pub fn low(&self) -> u64 {
        self.known + self.masked_cells
    }

    /// At most four per masked cell.
    pub fn high(&self) -> u64 {
        self.known + 4 * self.masked_cells
    }
}

/// One indicator in one year for one scope.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// Named so in the API document: a schema called `Value` reads as "any JSON" to utoipa.
#[cfg_attr(feature = "openapi", schema(as = IndicatorValue))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Value {
    pub id: String,
    pub year: String,
    pub known: u64,
    pub masked_cells: u64,
    pub low: u64,
    pub high: u64,
    /// The count (`known`) for counts; the share of known numbers for shares (`None` when the
    /// known denominator is zero, or every cell of the part is masked).
    pub value: Option<Decimal>,
}

pub(crate) fn share(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0).then(|| (Decimal::from(part) / Decimal::from(whole)).round_dp(4))
}

impl Value {
    /// A count's value, or a share of `whole`'s known number.
    pub(crate) fn of(id: &str, year: &str, t: Tally, whole: Option<Tally>) -> Value {
        Value {
            id: id.into(),
            year: year.into(),
            known: t.known,
            masked_cells: t.masked_cells,
            low: t.low(),
            high: t.high(),
            value: match whole {
                None => Some(Decimal::from(t.known)),
                // Every cell of the part masked: the share is unknown, not zero.
                Some(_) if t.known == 0 && t.masked_cells > 0 => None,
                Some(w) => share(t.known, w.known),
            },
        }
    }
}

/// Values of both datasets in one list: by school year, then in definition order.
pub fn ordered(mut values: Vec<Value>) -> Vec<Value> {
    let defs = definitions();
    let rank = |id: &str| defs.iter().position(|d| d.id == id).unwrap_or(usize::MAX);
    values.sort_by(|a, b| a.year.cmp(&b.year).then(rank(&a.id).cmp(&rank(&b.id))));
    values
}

/// Every indicator per school year over `rows` (the rows of one scope), in definition order per year.
pub fn compute<'a>(rows: impl IntoIterator<Item = &'a ExamRow>) -> Vec<Value> {
    #[derive(Default)]
    struct Year {
        bkg: Tally,
        tech: Tally,
        girls: Tally,
        tech_passed: Tally,
    }
    let mut years: BTreeMap<&str, Year> = BTreeMap::new();
    for r in rows {
        if !r.bkg() {
            continue;
        }
        let y = years.entry(&r.school_year).or_default();
        y.bkg.add(r.candidates[TOTAAL]);
        if r.techniek() {
            y.tech.add(r.candidates[TOTAAL]);
            y.girls.add(r.candidates[VROUW]);
            y.tech_passed.add(r.passed[TOTAAL]);
        }
    }
    let mut out = Vec::new();
    for (year, y) in years {
        let count = |id: &str, t: Tally| Value::of(id, year, t, None);
        let ratio = |id: &str, part: Tally, whole: Tally| Value::of(id, year, part, Some(whole));
        out.push(count("vmbo-bkg-exam-candidates", y.bkg));
        out.push(count("vmbo-bkg-exam-candidates-techniek", y.tech));
        out.push(ratio("techniek-share", y.tech, y.bkg));
        out.push(count("techniek-girls", y.girls));
        out.push(ratio("techniek-girls-share", y.girls, y.tech));
        out.push(ratio("techniek-pass-rate", y.tech_passed, y.tech));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn school_years_are_two_consecutive_years() {
        assert_eq!(super::school_year_start("2025-2026"), Some(2025));
        for bad in ["20€2026", "2025-2027", "2025/2026", "202-52026", "2025-2026-", "", "-", "२०२५-२०२६"]
        {
            assert_eq!(super::school_year_start(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_school_year_or_none(text in "\\PC{0,12}") {
            let _ = super::school_year_start(&text);
        }
    }

    use super::*;

    #[test]
    fn regions_below_the_minimum_group_size_are_not_ranked() {
        let v = |id: &str, known: u64, value: Option<i64>| Value {
            id: id.into(),
            year: "2023-2024".into(),
            known,
            masked_cells: 0,
            low: known,
            high: known,
            value: value.map(|p| Decimal::new(p, 2)),
        };
        let region = |slug: &str, candidates: u64, share: Option<i64>| {
            (slug.to_owned(), vec![v("vmbo-bkg-exam-candidates", candidates, None), v("techniek-share", 0, share)])
        };
        let min = comparison().minimum_candidates;
        let r = ranking(
            &[
                region("a", min, Some(20)),
                region("b", min - 1, Some(0)),
                region("c", 400, Some(30)),
                region("d", 0, None),
            ],
            "2023-2024",
        );
        assert_eq!(r.ranked.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["c", "a"]);
        assert_eq!(r.place("a"), Some((2, 2)));
        assert_eq!(r.place("b"), None);
        assert_eq!((r.too_small, r.without), (vec!["b".to_owned()], vec!["d".to_owned()]));
    }

    fn row(programme: &str, year: &str, cand: [Count; 3], passed: [Count; 3]) -> ExamRow {
        ExamRow {
            location: "00AH00".into(),
            institution: "00AH".into(),
            name: "X".into(),
            municipality: "ENSCHEDE".into(),
            school_type: "VMBO".into(),
            inspection_code: String::new(),
            programme: programme.into(),
            school_year: year.into(),
            candidates: cand,
            passed,
        }
    }

    #[test]
    fn masked_cells_give_bounds_and_shares_use_known_numbers() {
        use Count::{Known as K, Masked as M};
        let rows = [
            row("VMBO K - techniek", "2023-2024", [K(10), M, K(12)], [K(9), M, K(11)]),
            row("VMBO B - techniek", "2023-2024", [M, M, M], [M, M, M]),
            row("VMBO K - economie", "2023-2024", [K(20), K(18), K(38)], [K(20), K(17), K(37)]),
            row("VMBO T - techniek", "2023-2024", [K(50), K(5), K(55)], [K(50), K(5), K(55)]),
        ];
        let v = compute(&rows);
        let get = |id: &str| v.iter().find(|x| x.id == id).unwrap();
        let tech = get("vmbo-bkg-exam-candidates-techniek");
        assert_eq!((tech.known, tech.masked_cells, tech.low, tech.high), (12, 1, 13, 16));
        assert_eq!(get("vmbo-bkg-exam-candidates").known, 50, "T is not basis, kader or gemengd");
        assert_eq!(get("techniek-share").value, Some(Decimal::new(24, 2)));
        let girls = get("techniek-girls");
        assert_eq!((girls.known, girls.masked_cells), (0, 2));
        assert_eq!(get("techniek-girls-share").value, None, "every girls' cell is masked: unknown, not 0%");
        assert_eq!(get("techniek-pass-rate").value, Some(Decimal::new(9167, 4)));
    }

    #[test]
    fn the_definitions_are_data() {
        let ids: Vec<String> = definitions().iter().map(|d| d.id.clone()).collect();
        assert_eq!(ids.len(), 6 + 9 + 10);
        for d in definitions() {
            assert!(d.of.as_ref().is_none_or(|of| ids.contains(of)), "{}: unknown of", d.id);
            let profile = d.profile.as_deref();
            assert!(profile.is_none_or(|p| pupils::PROFILES.iter().any(|x| x.code == p)), "{}: unknown profile", d.id);
            if d.dataset == pupils::DATASET {
                assert_eq!(d.is_share(), d.of.is_some(), "{}: a pupils share needs `of`", d.id);
            }
        }
        assert!(ids.contains(&"techniek-girls-share".to_owned()));
    }
}

/// A step of the theory of change and what it holds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Stage {
    pub id: String,
    pub title: String,
    pub items: Vec<Element>,
}

/// One cause, change or result; results name the indicators that measure them.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Element {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Transition {
    pub id: String,
    pub title: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Context {
    pub title: String,
    pub items: Vec<String>,
}

/// The theory of change (`indicators/theory-of-change.toml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TheoryOfChange {
    pub stages: Vec<Stage>,
    pub transitions: Vec<Transition>,
    pub context: Context,
}

impl TheoryOfChange {
    /// The results an activity can aim at: the items of the result stages.
    pub fn results(&self) -> impl Iterator<Item = &Element> {
        self.stages.iter().filter(|s| s.id.starts_with("resultaat")).flat_map(|s| &s.items)
    }

    /// The text of the result with this id.
    pub fn result(&self, id: &str) -> Option<&Element> {
        self.results().find(|e| e.id == id)
    }
}

/// The shipped theory of change, parsed once.
pub fn theory_of_change() -> &'static TheoryOfChange {
    static TOC: std::sync::LazyLock<TheoryOfChange> = std::sync::LazyLock::new(|| {
        toml::from_str(include_str!("../../../../indicators/theory-of-change.toml"))
            .expect("the shipped theory of change parses")
    });
    &TOC
}

#[cfg(test)]
mod theory_tests {
    #[test]
    fn every_indicator_a_result_names_is_defined() {
        let known: Vec<String> = super::definitions().iter().map(|d| d.id.clone()).collect();
        let toc = super::theory_of_change();
        assert_eq!(toc.stages.len(), 7);
        assert_eq!(toc.transitions.len(), 3);
        for e in toc.stages.iter().flat_map(|s| &s.items) {
            for i in &e.indicators {
                assert!(known.contains(i), "{} names unknown indicator {i}", e.id);
            }
        }
    }
}
