//! The real DUO exam file (`data/duo/`, provenance in `data/duo/SOURCE.md`): its counts, and the
//! national totals per year recomputed here independently of the importer and the indicators.

use std::collections::BTreeMap;

use domain::monitoring::{Count, compute};

const FILE: &[u8] = include_bytes!("../../../data/duo/duo_examenkandidaten-en-geslaagden-2019-2024.csv");

#[test]
fn the_real_file_reads_whole_with_its_rows_locations_years_and_masked_cells() {
    let mut reported = Vec::new();
    let (rows, summary) = import::duo::exams(&import::duo::decode(FILE), |n| reported.push(n)).unwrap();
    assert_eq!(summary.lines, 12_782);
    assert_eq!(summary.locations, 1_236);
    assert_eq!(summary.years, ["2019-2020", "2020-2021", "2021-2022", "2022-2023", "2023-2024"]);
    assert_eq!(rows.len(), 12_782 * 5);
    assert_eq!(reported.last(), Some(&12_782), "progress reaches the end");
    // Masked cells counted straight from the text: every "<5" in a candidates or passed column.
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(FILE);
    let header = reader.headers().unwrap().clone();
    let count_columns: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.starts_with("EXAMENKANDIDATEN") || h.starts_with("GESLAAGDEN"))
        .map(|(i, _)| i)
        .collect();
    let mut masked = 0;
    let mut national: BTreeMap<String, (u64, u64)> = BTreeMap::new(); // year → (bkg known, techniek known)
    for record in reader.records() {
        let record = record.unwrap();
        masked += count_columns.iter().filter(|i| &record[**i] == "<5").count();
        let programme = &record[6];
        let bkg = ["VMBO B - ", "VMBO K - ", "VMBO G - "].iter().any(|p| programme.starts_with(p));
        if !bkg {
            continue;
        }
        for (i, h) in header.iter().enumerate() {
            if let Some(year) = h.strip_prefix("EXAMENKANDIDATEN SCHOOLJAAR ").and_then(|r| r.strip_suffix(" - TOTAAL"))
            {
                let n: u64 = record[i].parse().unwrap_or(0);
                let e = national.entry(year.to_owned()).or_default();
                e.0 += n;
                if programme.ends_with("techniek") {
                    e.1 += n;
                }
            }
        }
    }
    assert_eq!(summary.masked_cells, masked);
    assert!(masked > 10_000, "the file masks many small counts: {masked}");
    let indicators = compute(&rows);
    for (year, (bkg, tech)) in &national {
        let get = |id: &str| indicators.iter().find(|v| v.id == id && &v.year == year).unwrap();
        assert_eq!(get("vmbo-bkg-exam-candidates").known, *bkg, "{year}");
        assert_eq!(get("vmbo-bkg-exam-candidates-techniek").known, *tech, "{year}");
    }
    // Masked totals exist, so the bounds differ from what is known.
    let first = indicators.iter().find(|v| v.id == "vmbo-bkg-exam-candidates-techniek").unwrap();
    assert!(first.high > first.low && first.low >= first.known);
    assert!(rows.iter().any(|r| r.candidates[2] == Count::Masked));
}
