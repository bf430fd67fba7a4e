//! DUO open data (Dienst Uitvoering Onderwijs). Files come `;` separated, quoted or not, CRLF or
//! LF, in UTF-8 or Windows-1252; small counts are masked (`<5`). Columns are found by header name,
//! so both the `BRIN NUMMER`+`VESTIGINGSNUMMER` and the `INSTELLINGSCODE`+`VESTIGINGSCODE`
//! conventions are read.

pub use domain::monitoring::{Count, ExamRow};

mod pupils;
pub use pupils::{pupils, school_year};

/// A problem in the file: where (line as in the file, 1 = header; column name) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("regel {line}{}: {message}", if column.is_empty() { String::new() } else { format!(", kolom \"{column}\"") })]
pub struct FileError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

fn err(line: usize, column: &str, message: impl Into<String>) -> FileError {
    FileError { line, column: column.to_owned(), message: message.into() }
}

pub use crate::decode;

/// The sexes a count is given for.
pub const SEXES: [&str; 3] = ["MAN", "VROUW", "TOTAAL"];

/// What a file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub lines: usize,
    pub locations: usize,
    pub years: Vec<String>,
    pub masked_cells: usize,
}

/// The column with one of `names`, or a problem noted on the header line.
fn need(header: &[String], names: &[&str], errors: &mut Vec<FileError>) -> Option<usize> {
    let i = find(header, names);
    if i.is_none() {
        let first = names.first().copied().unwrap_or_default();
        errors.push(err(1, first, format!("de kolom ontbreekt (verwacht {})", names.join(" of "))));
    }
    i
}

fn find(header: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n)))
}

fn count(raw: &str, line: usize, column: &str) -> Result<Count, FileError> {
    let t = raw.trim();
    if t == "<5" {
        return Ok(Count::Masked);
    }
    if t.is_empty() {
        return Ok(Count::Known(0));
    }
    t.parse::<u32>()
        .map(Count::Known)
        .map_err(|_| err(line, column, format!("\"{t}\" is geen aantal (een geheel getal of <5)")))
}

/// The six-character location code: as given, or BRIN + the two-digit location number of the
/// older convention; `None` when it is not one.
fn location_code(institution: &str, location: &str) -> Option<String> {
    let code = if location.len() == 2 { format!("{institution}{location}") } else { location.to_owned() };
    domain::DuoCode::parse(&code).map(|c| c.as_str().to_owned())
}

/// The text of a cell, trimmed; empty when the column is absent.
fn at(row: &csv::StringRecord, i: Option<usize>) -> String {
    i.and_then(|i| row.get(i)).unwrap_or("").trim().to_owned()
}

/// The location code of a line, or the raw text with a problem noted.
fn code_at(line: usize, institution: &str, raw: String, errors: &mut Vec<FileError>) -> String {
    location_code(institution, &raw).unwrap_or_else(|| {
        errors.push(err(line, "VESTIGINGSCODE", format!("\"{raw}\" is geen vestigingscode van zes tekens")));
        raw
    })
}

/// Reads every data line of a DUO file with `each` (given the line's number in the file): blank
/// lines are skipped, unreadable lines and lines of another width are problems, reading stops
/// after 20 problems; progress every 1,000 lines. The number of lines read, or the problems.
fn read_lines(
    records: csv::StringRecordsIntoIter<&[u8]>,
    width: usize,
    mut errors: Vec<FileError>,
    progress: &mut dyn FnMut(usize),
    mut each: impl FnMut(usize, &csv::StringRecord, &mut Vec<FileError>),
) -> Result<usize, Vec<FileError>> {
    let mut lines = 0;
    for (n, record) in records.enumerate() {
        let line = n + 2;
        match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(r) if r.len() != width => {
                errors.push(err(line, "", format!("{} kolommen, de kopregel heeft er {width}", r.len())))
            }
            Ok(r) => {
                lines += 1;
                each(line, &r, &mut errors);
                if lines % 1000 == 0 {
                    progress(lines);
                }
            }
            Err(e) => errors.push(err(line, "", format!("onleesbare regel: {e}"))),
        }
        if errors.len() >= 20 {
            break;
        }
    }
    progress(lines);
    if errors.is_empty() {
        Ok(lines)
    } else {
        errors.truncate(20);
        Err(errors)
    }
}

/// A file's header and its data records.
type Opened<'a> = (Vec<String>, csv::StringRecordsIntoIter<&'a [u8]>);

/// The header and the data records of a `;`-separated DUO file, or why it is not one.
fn open(text: &str) -> Result<Opened<'_>, Vec<FileError>> {
    if !text.lines().next().unwrap_or_default().contains(';') {
        return Err(vec![err(1, "", "geen DUO-bestand: verwacht kolommen gescheiden door ; (puntkomma)")]);
    }
    let reader =
        csv::ReaderBuilder::new().delimiter(b';').has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.into_records();
    match records.next() {
        Some(Ok(h)) => Ok((h.iter().map(|c| c.trim().to_owned()).collect(), records)),
        _ => Err(vec![err(1, "", "het bestand is leeg")]),
    }
}

/// Reads the exam candidates file (`examenkandidaten-en-geslaagden`): one `ExamRow` per data line
/// and school year found in the header. The whole file or the first problems (at most 20).
pub fn exams(text: &str, mut progress: impl FnMut(usize)) -> Result<(Vec<ExamRow>, Summary), Vec<FileError>> {
    let (header, records) = open(text)?;
    let mut errors = Vec::new();
    let institution = need(&header, &["INSTELLINGSCODE", "BRIN NUMMER"], &mut errors);
    let location = need(&header, &["VESTIGINGSCODE", "VESTIGINGSNUMMER"], &mut errors);
    let name = need(&header, &["INSTELLINGSNAAM VESTIGING", "VESTIGINGSNAAM"], &mut errors);
    let municipality = need(&header, &["GEMEENTENAAM"], &mut errors);
    let school_type = need(&header, &["ONDERWIJSTYPE VO"], &mut errors);
    let inspection = find(&header, &["INSPECTIECODE"]);
    let programme = need(&header, &["OPLEIDINGSNAAM"], &mut errors);
    // School years from the headers `EXAMENKANDIDATEN SCHOOLJAAR 2019-2020 - MAN`.
    let mut years: Vec<String> = header
        .iter()
        .filter_map(|h| h.strip_prefix("EXAMENKANDIDATEN SCHOOLJAAR ").and_then(|r| r.split(" - ").next()))
        .map(str::to_owned)
        .collect();
    years.dedup();
    if years.is_empty() {
        errors.push(err(1, "EXAMENKANDIDATEN SCHOOLJAAR …", "geen kolommen met examenkandidaten per schooljaar"));
    }
    let mut columns = Vec::new(); // per year: [(candidates, passed); 3]
    for y in &years {
        let mut per_sex = Vec::new();
        for sex in SEXES {
            let c = format!("EXAMENKANDIDATEN SCHOOLJAAR {y} - {sex}");
            let p = format!("GESLAAGDEN SCHOOLJAAR {y} - {sex}");
            match (find(&header, &[&c]), find(&header, &[&p])) {
                (Some(ci), Some(pi)) => per_sex.push((ci, c, pi, p)),
                (None, _) => errors.push(err(1, &c, "de kolom ontbreekt")),
                (_, None) => errors.push(err(1, &p, "de kolom ontbreekt")),
            }
        }
        columns.push(per_sex);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    let mut locations = std::collections::BTreeSet::new();
    let mut masked_cells = 0;
    let lines = read_lines(records, header.len(), errors, &mut progress, |line, record, errors| {
        let inst = at(record, institution);
        let loc = code_at(line, &inst, at(record, location), errors);
        locations.insert(loc.clone());
        for (y, per_sex) in years.iter().zip(&columns) {
            let mut candidates = [Count::Known(0); 3];
            let mut passed = [Count::Known(0); 3];
            for ((ci, cname, pi, pname), (cand, pass)) in per_sex.iter().zip(candidates.iter_mut().zip(&mut passed)) {
                match count(record.get(*ci).unwrap_or(""), line, cname) {
                    Ok(c) => *cand = c,
                    Err(e) => errors.push(e),
                }
                match count(record.get(*pi).unwrap_or(""), line, pname) {
                    Ok(c) => *pass = c,
                    Err(e) => errors.push(e),
                }
            }
            masked_cells += candidates.iter().chain(&passed).filter(|c| **c == Count::Masked).count();
            rows.push(ExamRow {
                location: loc.clone(),
                institution: inst.clone(),
                name: at(record, name),
                municipality: at(record, municipality),
                school_type: at(record, school_type),
                inspection_code: at(record, inspection),
                programme: at(record, programme),
                school_year: y.clone(),
                candidates,
                passed,
            });
        }
    })?;
    Ok((rows, Summary { lines, locations: locations.len(), years, masked_cells }))
}

/// A school location as DUO lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Six characters: BRIN + location number.
    pub code: String,
    pub name: String,
    pub place: String,
    pub municipality: String,
}

/// Reads DUO's school locations file (vestigingen), in either code convention; all or the errors.
pub fn locations(text: &str) -> Result<Vec<Location>, Vec<FileError>> {
    let (header, records) = open(text)?;
    let mut errors = Vec::new();
    let institution = need(&header, &["INSTELLINGSCODE", "BRIN NUMMER"], &mut errors);
    let location = need(&header, &["VESTIGINGSCODE", "VESTIGINGSNUMMER"], &mut errors);
    let name = need(&header, &["VESTIGINGSNAAM", "INSTELLINGSNAAM VESTIGING"], &mut errors);
    let place = need(&header, &["PLAATSNAAM", "PLAATSNAAM VESTIGING"], &mut errors);
    let municipality = need(&header, &["GEMEENTENAAM"], &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    read_lines(records, header.len(), errors, &mut |_| {}, |line, record, errors| {
        let inst = at(record, institution);
        let loc = at(record, location);
        match location_code(&inst, &loc) {
            Some(code) => out.push(Location {
                code,
                name: at(record, name),
                place: at(record, place),
                municipality: at(record, municipality),
            }),
            None => {
                errors.push(err(line, "VESTIGINGSCODE", format!("\"{loc}\" is geen vestigingscode van zes tekens")))
            }
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "\"INSTELLINGSCODE\";\"VESTIGINGSCODE\";\"INSTELLINGSNAAM VESTIGING\";\"GEMEENTENAAM\";\"ONDERWIJSTYPE VO\";\"INSPECTIECODE\";\"OPLEIDINGSNAAM\";\"EXAMENKANDIDATEN SCHOOLJAAR 2023-2024 - MAN\";\"GESLAAGDEN SCHOOLJAAR 2023-2024 - MAN\";\"EXAMENKANDIDATEN SCHOOLJAAR 2023-2024 - VROUW\";\"GESLAAGDEN SCHOOLJAAR 2023-2024 - VROUW\";\"EXAMENKANDIDATEN SCHOOLJAAR 2023-2024 - TOTAAL\";\"GESLAAGDEN SCHOOLJAAR 2023-2024 - TOTAAL\"";

    #[test]
    fn masked_cells_and_both_code_conventions_are_read() {
        let text = format!(
            "{HEADER}\r\n\"00AH\";\"00AH00\";\"Kottenpark\";\"ENSCHEDE\";\"VMBO\";\"38\";\"VMBO K - techniek\";\"12\";\"11\";\"<5\";\"<5\";\"15\";\"14\"\r\n"
        );
        let (rows, summary) = exams(&text, |_| {}).unwrap();
        assert_eq!(rows[0].candidates, [Count::Known(12), Count::Masked, Count::Known(15)]);
        assert_eq!(rows[0].vmbo_track_and_sector(), Some(("K", "techniek")));
        assert_eq!(summary, Summary { lines: 1, locations: 1, years: vec!["2023-2024".into()], masked_cells: 2 });
        let brin = text
            .replace("\"INSTELLINGSCODE\"", "\"BRIN NUMMER\"")
            .replace("\"VESTIGINGSCODE\"", "\"VESTIGINGSNUMMER\"")
            .replace("\"00AH00\"", "\"00\"");
        let (rows, _) = exams(&brin, |_| {}).unwrap();
        assert_eq!(rows[0].location, "00AH00");
    }

    #[test]
    fn malformed_files_are_refused_with_line_and_column() {
        let comma = HEADER.replace(';', ",");
        assert_eq!(
            exams(&comma, |_| {}).unwrap_err()[0].message,
            "geen DUO-bestand: verwacht kolommen gescheiden door ; (puntkomma)"
        );
        let missing = HEADER.replace("\"GEMEENTENAAM\";", "");
        let e = exams(&format!("{missing}\n"), |_| {}).unwrap_err();
        assert_eq!(e[0].to_string(), "regel 1, kolom \"GEMEENTENAAM\": de kolom ontbreekt (verwacht GEMEENTENAAM)");
        let bad = format!(
            "{HEADER}\n\"00AH\";\"00AH00\";\"X\";\"ENSCHEDE\";\"VMBO\";\"38\";\"VMBO K - techniek\";\"twaalf\";\"11\";\"1\";\"1\";\"15\";\"14\"\n"
        );
        let e = exams(&bad, |_| {}).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "regel 2, kolom \"EXAMENKANDIDATEN SCHOOLJAAR 2023-2024 - MAN\": \"twaalf\" is geen aantal (een geheel getal of <5)"
        );
    }

    #[test]
    fn windows_1252_is_decoded() {
        assert_eq!(decode(b"Caf\xe9 \x80"), "Café €");
        assert_eq!(decode("\u{feff}Café".as_bytes()), "Café");
    }

    #[test]
    fn locations_come_in_both_conventions_and_encodings_or_are_refused_whole() {
        let new = "\"INSTELLINGSCODE\";\"VESTIGINGSCODE\";\"VESTIGINGSNAAM\";\"PLAATSNAAM\";\"GEMEENTENAAM\"\r\n\"05AC\";\"05AC00\";\"Kei College\";\"HEERENVEEN\";\"Heerenveen\"\r\n";
        let got = locations(new).unwrap();
        assert_eq!(
            got[0],
            Location {
                code: "05AC00".into(),
                name: "Kei College".into(),
                place: "HEERENVEEN".into(),
                municipality: "Heerenveen".into()
            }
        );
        let mut old: Vec<u8> =
            b"BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;PLAATSNAAM;GEMEENTENAAM\n05AC;00;Kei Coll".to_vec();
        old.extend_from_slice(&[0xe8, 0x67, 0x65]); // "ège" in Windows-1252
        old.extend_from_slice(b";HEERENVEEN;Heerenveen\n");
        let got = locations(&decode(&old)).unwrap();
        assert_eq!((got[0].code.as_str(), got[0].name.as_str()), ("05AC00", "Kei Collège"));
        let missing = locations("INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;PLAATSNAAM\n").unwrap_err();
        assert_eq!(
            missing[0].to_string(),
            "regel 1, kolom \"GEMEENTENAAM\": de kolom ontbreekt (verwacht GEMEENTENAAM)"
        );
        let bad = locations("INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;PLAATSNAAM;GEMEENTENAAM\n05AC;5AC;X;Y;Z\n")
            .unwrap_err();
        assert_eq!(
            bad[0].to_string(),
            "regel 2, kolom \"VESTIGINGSCODE\": \"5AC\" is geen vestigingscode van zes tekens"
        );
        assert!(locations("a,b\n").is_err());
    }
}
