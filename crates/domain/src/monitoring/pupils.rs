//! Pupils per school location in the vmbo's upper years (3 and 4), per track and, where DUO's
//! file names it in the programme, per beroepsgericht profiel. The indicators on them are data:
//! every definition of `indicators/indicators.toml` whose dataset is [`DATASET`] selects rows by
//! its `tracks`, `profile`, `techniek` and `girls`, and a share divides by its `of` indicator.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Count, Definition, Tally, Value, definitions};

/// The dataset name the pupils indicators carry in their definition.
pub const DATASET: &str = "DUO leerlingen vo per vestiging";

/// Whether the indicator `id` is one of the pupils file's.
pub fn measures(id: &str) -> bool {
    definitions().iter().any(|d| d.id == id && d.dataset == DATASET)
}

/// The tracks of the vmbo's upper years: basis, kader, gemengd, theoretisch.
pub const TRACKS: [&str; 4] = ["BB", "KB", "GL", "TL"];

/// A beroepsgericht profiel of the vmbo (since 2016-2017) and whether it is technical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    pub code: &'static str,
    pub name: &'static str,
    pub techniek: bool,
}

/// The ten beroepsgerichte profielen (Besluit profielen vmbo); the five technical ones are those
/// STO counts as techniek.
pub const PROFILES: [Profile; 10] = [
    Profile { code: "BWI", name: "Bouwen, wonen en interieur", techniek: true },
    Profile { code: "PIE", name: "Produceren, installeren en energie", techniek: true },
    Profile { code: "MOBT", name: "Mobiliteit en transport", techniek: true },
    Profile { code: "MAT", name: "Maritiem en techniek", techniek: true },
    Profile { code: "MVI", name: "Media, vormgeving en ICT", techniek: true },
    Profile { code: "DP", name: "Dienstverlening en producten", techniek: false },
    Profile { code: "ZW", name: "Zorg en welzijn", techniek: false },
    Profile { code: "EO", name: "Economie en ondernemen", techniek: false },
    Profile { code: "HBR", name: "Horeca, bakkerij en recreatie", techniek: false },
    Profile { code: "GROEN", name: "Groen", techniek: false },
];

/// The profile a programme name names, e.g. `VMBO BB Bouwen, wonen en interieur`.
pub fn profile_of(programme: &str) -> Option<&'static Profile> {
    let p = programme.to_lowercase();
    PROFILES.iter().find(|x| p.contains(&x.name.to_lowercase()))
}

/// The track a DUO school type names (`VMBO BL lj 3-4`, `VMBO KB`, `VMBO-T`, …); `None` for
/// other school types and the lower years.
pub fn track_of(school_type: &str) -> Option<&'static str> {
    let upper = school_type.trim().to_uppercase();
    let rest = upper.strip_prefix("VMBO")?.trim_start_matches(['-', ' ']);
    let word = rest.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
    match word {
        "BL" | "BB" | "B" => Some("BB"),
        "KL" | "KB" | "K" => Some("KB"),
        "GL" | "G" => Some("GL"),
        "TL" | "GT" | "T" => Some("TL"),
        _ => None,
    }
}

/// One line of DUO's pupils file for a vmbo track at one location in one school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PupilRow {
    /// The six-character location code.
    pub location: String,
    pub institution: String,
    pub name: String,
    pub municipality: String,
    /// e.g. `2023-2024` (the count date of 1 October 2023).
    pub school_year: String,
    /// One of [`TRACKS`].
    pub track: String,
    /// The sector as published (`Techniek`, `Zorg en welzijn`, …; empty when not given).
    pub sector: String,
    /// The programme as published; names the profile where the file carries it.
    pub programme: String,
    /// Years 3 and 4, each man and vrouw.
    pub pupils: [[Count; 2]; 2],
}

impl PupilRow {
    pub fn profile(&self) -> Option<&'static Profile> {
        profile_of(&self.programme)
    }

    /// In the sector techniek or a technical profile.
    pub fn techniek(&self) -> bool {
        self.sector.eq_ignore_ascii_case("techniek") || self.profile().is_some_and(|p| p.techniek)
    }

    fn selected_by(&self, d: &Definition) -> bool {
        (d.tracks.is_empty() || d.tracks.iter().any(|t| t == &self.track))
            && d.profile.as_deref().is_none_or(|code| self.profile().is_some_and(|p| p.code == code))
            && (!d.techniek || self.techniek())
    }

    fn add_to(&self, t: &mut Tally, girls: bool) {
        for year in &self.pupils {
            if !girls {
                t.add(year[0]);
            }
            t.add(year[1]);
        }
    }
}

fn tally<'a>(d: &Definition, rows: impl Iterator<Item = &'a PupilRow>) -> Tally {
    let mut t = Tally::default();
    for r in rows.filter(|r| r.selected_by(d)) {
        r.add_to(&mut t, d.girls);
    }
    t
}

/// The pupils indicators per school year over `rows` (one scope's), in definition order.
pub fn compute<'a>(rows: impl IntoIterator<Item = &'a PupilRow>) -> Vec<Value> {
    let mut years: BTreeMap<&str, Vec<&PupilRow>> = BTreeMap::new();
    for r in rows {
        years.entry(&r.school_year).or_default().push(r);
    }
    let defs: Vec<&Definition> = definitions().iter().filter(|d| d.dataset == DATASET).collect();
    let mut out = Vec::new();
    for (year, rows) in years {
        for d in &defs {
            let part = tally(d, rows.iter().copied());
            let whole =
                d.of.as_deref()
                    .and_then(|of| defs.iter().find(|x| x.id == of))
                    .map(|of| tally(of, rows.iter().copied()));
            out.push(Value::of(&d.id, year, part, whole));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Count::{Known as K, Masked as M};
    use rust_decimal::Decimal;

    fn row(track: &str, sector: &str, programme: &str, pupils: [[Count; 2]; 2]) -> PupilRow {
        PupilRow {
            location: "05AC00".into(),
            institution: "05AC".into(),
            name: "X".into(),
            municipality: "Heerenveen".into(),
            school_year: "2023-2024".into(),
            track: track.into(),
            sector: sector.into(),
            programme: programme.into(),
            pupils,
        }
    }

    #[test]
    fn tracks_profiles_and_techniek_are_read_from_duo_names() {
        assert_eq!(track_of("VMBO BL lj 3-4"), Some("BB"));
        assert_eq!(track_of("VMBO KB lj 3-4"), Some("KB"));
        assert_eq!(track_of("VMBO-G"), Some("GL"));
        assert_eq!(track_of("VMBO TL lj 3-4"), Some("TL"));
        assert_eq!(track_of("VMBO lj 1-2"), None);
        assert_eq!(track_of("HAVO lj 4-5"), None);
        assert_eq!(profile_of("VMBO KB Produceren, installeren en energie").map(|p| p.code), Some("PIE"));
        assert!(row("BB", "", "VMBO BB Media, vormgeving en ICT", [[K(1), K(1)], [K(1), K(1)]]).techniek());
        assert!(row("BB", "Techniek", "VMBO BL Techniek-breed", [[K(1), K(1)], [K(1), K(1)]]).techniek());
        assert!(!row("KB", "", "VMBO KB Zorg en welzijn", [[K(1), K(1)], [K(1), K(1)]]).techniek());
    }

    #[test]
    fn pupils_indicators_select_by_track_profile_and_sex_and_keep_masks() {
        let rows = [
            row("BB", "", "VMBO BB Bouwen, wonen en interieur", [[K(10), M], [K(8), K(2)]]),
            row("KB", "", "VMBO KB Zorg en welzijn", [[K(3), K(20)], [K(4), K(18)]]),
            row("TL", "", "VMBO TL", [[K(40), K(45)], [K(38), K(44)]]),
        ];
        let v = compute(&rows);
        let get = |id: &str| v.iter().find(|x| x.id == id).unwrap_or_else(|| panic!("{id}"));
        let bb = get("vmbo-pupils-34-bb");
        assert_eq!((bb.known, bb.masked_cells, bb.low, bb.high), (20, 1, 21, 24));
        assert_eq!(get("vmbo-pupils-34-bkg").known, 20 + 45);
        assert_eq!(get("vmbo-pupils-34-tl").known, 167);
        assert_eq!(get("vmbo-pupils-34-techniek").known, 20);
        assert_eq!(get("vmbo-pupils-34-techniek-share").value, Some(Decimal::new(3077, 4)), "20 of 65");
        let girls = get("vmbo-pupils-34-techniek-girls");
        assert_eq!((girls.known, girls.masked_cells), (2, 1));
        assert_eq!(get("vmbo-pupils-34-profiel-bwi").known, 20);
        assert_eq!(get("vmbo-pupils-34-profiel-zw").known, 45);
        assert_eq!(get("vmbo-pupils-34-profiel-pie").known, 0);
    }
}
