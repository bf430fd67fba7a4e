//! DUO's pupils per school location ("leerlingen vo per vestiging naar onderwijstype"): one line
//! per location × school type (`VMBO BL lj 3-4`, …) × programme, counts per year of study and
//! sex (`LEER- OF VERBLIJFSJAAR 3 - MAN`, or `LEERJAAR 3 - MAN`). Small counts are masked as `<5`,
//! or, in files with an AVG column, given as `4` with that column set: both are kept as masked.
//! The school year comes from a `SCHOOLJAAR` or `PEILDATUM` column, or else from the caller
//! (the file name or `--school-year`); only vmbo lines of years 3 and 4 are kept.

use domain::monitoring::pupils::{PupilRow, track_of};

use super::{Count, FileError, Summary, at, code_at, count, err, find, need, open, read_lines};

/// The sexes the pupils file counts (no total column).
const SEXES: [&str; 2] = ["MAN", "VROUW"];

/// `2023-2024` for `2023-2024`, `2023/2024`, `2023`, or a count date (`2023-10-01`, `01-10-2023`,
/// `20231001`): a count date before August belongs to the school year that started the year before.
pub fn school_year(raw: &str) -> Option<String> {
    let t = raw.trim();
    let digits: Vec<&str> = t.split(['-', '/', ' ']).filter(|p| !p.is_empty()).collect();
    let num = |s: &str| s.parse::<i32>().ok().filter(|_| s.chars().all(|c| c.is_ascii_digit()));
    let span = |start: i32| (1990..2100).contains(&start).then(|| format!("{start}-{}", start + 1));
    let by_date = |year: i32, month: i32| {
        if (1..=12).contains(&month) { span(if month >= 8 { year } else { year - 1 }) } else { None }
    };
    match digits.as_slice() {
        [a, b] if a.len() == 4 && b.len() == 4 => {
            let (a, b) = (num(a)?, num(b)?);
            (b == a + 1).then(|| span(a)).flatten()
        }
        [a] if a.len() == 4 => span(num(a)?),
        [a] if a.len() == 8 => by_date(num(a.get(..4)?)?, num(a.get(4..6)?)?),
        [y, m, _] if y.len() == 4 => by_date(num(y)?, num(m)?),
        [_, m, y] if y.len() == 4 => by_date(num(y)?, num(m)?),
        _ => None,
    }
}

fn flag_set(raw: &str) -> bool {
    matches!(raw.trim().to_uppercase().as_str(), "J" | "JA" | "Y" | "YES" | "1" | "TRUE" | "WAAR" | "X")
}

/// The count columns: (header index, header, year of study, sex index).
type CountColumn = (usize, String, u8, usize);

fn count_columns(header: &[String]) -> Vec<CountColumn> {
    let mut out = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let u = h.to_uppercase();
        let Some(rest) = u.strip_prefix("LEER- OF VERBLIJFSJAAR ").or_else(|| u.strip_prefix("LEERJAAR ")) else {
            continue;
        };
        let Some((year, sex)) = rest.split_once(" - ") else { continue };
        if let (Ok(year), Some(s)) = (year.trim().parse::<u8>(), SEXES.iter().position(|x| *x == sex.trim())) {
            out.push((i, h.clone(), year, s));
        }
    }
    out
}

/// Reads the pupils file; `default_year` is the school year when the file has no column for it.
/// The vmbo lines of years 3 and 4, or the first problems (at most 20).
pub fn pupils(
    text: &str,
    default_year: Option<&str>,
    mut progress: impl FnMut(usize),
) -> Result<(Vec<PupilRow>, Summary), Vec<FileError>> {
    let (header, records) = open(text)?;
    let mut errors = Vec::new();
    let institution = need(&header, &["INSTELLINGSCODE", "BRIN NUMMER"], &mut errors);
    let location = need(&header, &["VESTIGINGSCODE", "VESTIGINGSNUMMER"], &mut errors);
    let school_type = need(&header, &["ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR", "ONDERWIJSTYPE VO"], &mut errors);
    let name = find(&header, &["INSTELLINGSNAAM VESTIGING", "VESTIGINGSNAAM"]);
    let municipality = find(&header, &["GEMEENTENAAM", "GEMEENTENAAM VESTIGING"]);
    let sector = find(&header, &["VMBO SECTOR"]);
    let programme = find(&header, &["OPLEIDINGSNAAM"]);
    let avg = header.iter().position(|h| h.to_uppercase().contains("AVG"));
    let year_column = find(&header, &["SCHOOLJAAR", "PEILDATUM"]);
    let default_year = match default_year.map(|y| (y, school_year(y))) {
        Some((_, Some(y))) => Some(y),
        Some((raw, None)) => {
            errors.push(err(1, "SCHOOLJAAR", format!("\"{raw}\" is geen schooljaar (zoals 2023-2024)")));
            None
        }
        None => None,
    };
    if year_column.is_none() && default_year.is_none() {
        errors.push(err(
            1,
            "SCHOOLJAAR",
            "het bestand noemt geen schooljaar of peildatum: geef het schooljaar op (--school-year 2023-2024)",
        ));
    }
    let columns = count_columns(&header);
    for year in [3, 4] {
        for (s, sex) in SEXES.iter().enumerate() {
            if !columns.iter().any(|c| c.2 == year && c.3 == s) {
                errors.push(err(1, &format!("LEER- OF VERBLIJFSJAAR {year} - {sex}"), "de kolom ontbreekt"));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut locations = std::collections::BTreeSet::new();
    let mut years = std::collections::BTreeSet::new();
    let mut masked_cells = 0;
    let lines = read_lines(records, header.len(), errors, &mut progress, |line, record, errors| {
        let inst = at(record, institution);
        let loc = code_at(line, &inst, at(record, location), errors);
        let year = match year_column {
            Some(i) => {
                let raw = at(record, Some(i));
                school_year(&raw).unwrap_or_else(|| {
                    let column = header.get(i).map_or("", String::as_str);
                    errors.push(err(line, column, format!("\"{raw}\" is geen schooljaar of peildatum")));
                    raw
                })
            }
            None => default_year.clone().unwrap_or_default(),
        };
        let masked_four = avg.is_some_and(|i| flag_set(&at(record, Some(i))));
        let mut pupils = [[Count::Known(0); 2]; 2];
        for (i, name, study_year, sex) in &columns {
            let cell = match count(record.get(*i).unwrap_or(""), line, name) {
                Ok(Count::Known(4)) if masked_four => Count::Masked,
                Ok(c) => c,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            masked_cells += usize::from(cell == Count::Masked);
            let slot = match study_year {
                3 => 0,
                4 => 1,
                _ => continue,
            };
            if let Some(c) = pupils.get_mut(slot).and_then(|by_sex| by_sex.get_mut(*sex)) {
                *c = cell;
            }
        }
        locations.insert(loc.clone());
        years.insert(year.clone());
        if let Some(track) = track_of(&at(record, school_type)) {
            let sector = at(record, sector);
            rows.push(PupilRow {
                location: loc,
                institution: inst,
                name: at(record, name),
                municipality: at(record, municipality),
                school_year: year,
                track: track.to_owned(),
                sector: if sector.eq_ignore_ascii_case("n.v.t.") { String::new() } else { sector },
                programme: at(record, programme),
                pupils,
            });
        }
    })?;
    if lines == 0 {
        return Err(vec![err(2, "", "het bestand heeft geen regels met leerlingen")]);
    }
    Ok((rows, Summary { lines, locations: locations.len(), years: years.into_iter().collect(), masked_cells }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    /// DUO's older layout: BRIN + location number, one file per count date, no school-year column.
    const OLD: &str = "BRIN NUMMER;VESTIGINGSNUMMER;INSTELLINGSNAAM VESTIGING;GEMEENTENAAM;ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;OPLEIDINGSNAAM;LEER- OF VERBLIJFSJAAR 1 - MAN;LEER- OF VERBLIJFSJAAR 1 - VROUW;LEER- OF VERBLIJFSJAAR 2 - MAN;LEER- OF VERBLIJFSJAAR 2 - VROUW;LEER- OF VERBLIJFSJAAR 3 - MAN;LEER- OF VERBLIJFSJAAR 3 - VROUW;LEER- OF VERBLIJFSJAAR 4 - MAN;LEER- OF VERBLIJFSJAAR 4 - VROUW\n";

    #[test]
    fn school_years_come_from_years_and_count_dates() {
        assert_eq!(school_year("2023-2024").as_deref(), Some("2023-2024"));
        assert_eq!(school_year("2023/2024").as_deref(), Some("2023-2024"));
        assert_eq!(school_year("2023").as_deref(), Some("2023-2024"));
        assert_eq!(school_year("2023-10-01").as_deref(), Some("2023-2024"));
        assert_eq!(school_year("01-10-2023").as_deref(), Some("2023-2024"));
        assert_eq!(school_year("20240201").as_deref(), Some("2023-2024"));
        assert_eq!(school_year("2023-2025"), None);
        assert_eq!(school_year("dit jaar"), None);
        assert_eq!(school_year("2023€1"), None, "eight bytes, not eight digits");
    }

    #[test]
    fn the_older_layout_in_windows_1252_with_the_year_given() {
        let mut bytes = OLD.as_bytes().to_vec();
        bytes.extend_from_slice(b"05AC;00;Kei Coll\xe8ge;Heerenveen;VMBO BL lj 3-4;Techniek;VMBO BB Bouwen, wonen en interieur;0;0;0;0;12;<5;10;0\n");
        bytes.extend_from_slice(b"05AC;00;Kei Coll\xe8ge;Heerenveen;VMBO lj 1-2;n.v.t.;VMBO;80;75;70;71;0;0;0;0\n");
        let text = decode(&bytes);
        let (rows, summary) = pupils(&text, Some("2023"), |_| {}).unwrap();
        assert_eq!(rows.len(), 1, "only the upper years' vmbo lines are kept");
        let r = &rows[0];
        assert_eq!((r.location.as_str(), r.name.as_str(), r.track.as_str()), ("05AC00", "Kei Collège", "BB"));
        assert_eq!(r.school_year, "2023-2024");
        assert_eq!(r.pupils, [[Count::Known(12), Count::Masked], [Count::Known(10), Count::Known(0)]]);
        assert_eq!(r.profile().map(|p| p.code), Some("BWI"));
        assert_eq!(summary, Summary { lines: 2, locations: 1, years: vec!["2023-2024".into()], masked_cells: 1 });
    }

    #[test]
    fn the_newer_layout_with_quotes_crlf_a_count_date_and_the_avg_flag() {
        let text = "\"PEILDATUM\";\"INSTELLINGSCODE\";\"VESTIGINGSCODE\";\"VESTIGINGSNAAM\";\"ONDERWIJSTYPE VO\";\"OPLEIDINGSNAAM\";\"LEERJAAR 3 - MAN\";\"LEERJAAR 3 - VROUW\";\"LEERJAAR 4 - MAN\";\"LEERJAAR 4 - VROUW\";\"AVG GEMASKEERD\"\r\n\
            \"2024-10-01\";\"05AC\";\"05AC00\";\"Kei College\";\"VMBO KB lj 3-4\";\"VMBO KB Media, vormgeving en ICT\";\"4\";\"4\";\"15\";\"4\";\"J\"\r\n\
            \"2024-10-01\";\"05AC\";\"05AC00\";\"Kei College\";\"VMBO GL lj 3-4\";\"VMBO GL Zorg en welzijn\";\"4\";\"6\";\"5\";\"7\";\"N\"\r\n";
        let (rows, summary) = pupils(text, None, |_| {}).unwrap();
        assert_eq!(rows[0].school_year, "2024-2025");
        assert_eq!(rows[0].pupils, [[Count::Masked, Count::Masked], [Count::Known(15), Count::Masked]]);
        assert!(rows[0].techniek());
        assert_eq!(rows[1].pupils[0], [Count::Known(4), Count::Known(6)], "without the flag a 4 is a 4");
        assert_eq!(summary.masked_cells, 3);
    }

    #[test]
    fn malformed_files_are_refused_with_line_and_column() {
        let comma = OLD.replace(';', ",");
        assert!(pupils(&comma, Some("2023"), |_| {}).unwrap_err()[0].message.contains("puntkomma"));
        let no_year = pupils(OLD, None, |_| {}).unwrap_err();
        assert_eq!(no_year[0].column, "SCHOOLJAAR");
        let missing = OLD.replace(";LEER- OF VERBLIJFSJAAR 4 - VROUW", "");
        assert_eq!(
            pupils(&missing, Some("2023"), |_| {}).unwrap_err()[0].to_string(),
            "regel 1, kolom \"LEER- OF VERBLIJFSJAAR 4 - VROUW\": de kolom ontbreekt"
        );
        let bad = format!("{OLD}05AC;00;X;Y;VMBO KL lj 3-4;n.v.t.;VMBO;0;0;0;0;12;elf;10;0\n");
        assert_eq!(
            pupils(&bad, Some("2023"), |_| {}).unwrap_err()[0].to_string(),
            "regel 2, kolom \"LEER- OF VERBLIJFSJAAR 3 - VROUW\": \"elf\" is geen aantal (een geheel getal of <5)"
        );
        let code = format!("{OLD}05AC;0;X;Y;VMBO KL lj 3-4;n.v.t.;VMBO;0;0;0;0;12;1;10;0\n");
        assert_eq!(pupils(&code, Some("2023"), |_| {}).unwrap_err()[0].column, "VESTIGINGSCODE");
        assert!(pupils(OLD, Some("volgend jaar"), |_| {}).is_err());
    }
}
