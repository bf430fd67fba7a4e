//! Untrusted workbooks read within limits (`domain::limits`): the archive's entries are inflated
//! once, counting, before anything else reads them; a worksheet is read cell by cell, and its
//! declared and real extent are checked before Sterk builds a grid. A spreadsheet reader that
//! builds rows × columns from a far cell (`XFD1048576`) would otherwise allocate hundreds of GB.

use std::io::{Cursor, Read};

use calamine::{Cell, Data, DataRef, Range, Reader, Xlsx, open_workbook_from_rs};
use domain::limits::{MAX_CELLS, MAX_COLUMNS, MAX_INFLATED_BYTES, MAX_ROWS, MAX_ZIP_ENTRIES, too_large};

/// Why a workbook was refused, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("dit is geen leesbare Excel-werkmap ({0})")]
    Unreadable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("het werkblad \"{0}\" ontbreekt")]
    Missing(String),
}

/// An opened workbook whose archive passed the limits.
pub struct Workbook<'a> {
    inner: Xlsx<Cursor<&'a [u8]>>,
}

/// Opens an XLSX file after checking its archive: entry count and the bytes they inflate to.
pub fn open(bytes: &[u8]) -> Result<Workbook<'_>, SheetError> {
    check_archive(bytes)?;
    let inner: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| SheetError::Unreadable(e.to_string()))?;
    Ok(Workbook { inner })
}

/// Inflates every entry into nothing, counting, and stops at the first byte past the limit:
/// declared sizes in a ZIP can lie, the inflated stream cannot.
fn check_archive(bytes: &[u8]) -> Result<(), SheetError> {
    let unreadable = |e: &dyn std::fmt::Display| SheetError::Unreadable(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(SheetError::TooLarge(too_large("onderdelen in de werkmap", MAX_ZIP_ENTRIES as u64)));
    }
    let mut left = MAX_INFLATED_BYTES;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|e| unreadable(&e))?;
        if read > left {
            let mib = MAX_INFLATED_BYTES / 1024 / 1024;
            return Err(SheetError::TooLarge(too_large("MiB aan uitgepakte gegevens", mib)));
        }
        left -= read;
    }
    Ok(())
}

impl Workbook<'_> {
    pub fn sheet_names(&self) -> Vec<String> {
        self.inner.sheet_names()
    }

    /// The first worksheet, within the limits.
    pub fn first(&mut self) -> Result<Range<Data>, SheetError> {
        let name = self.sheet_names().into_iter().next().ok_or_else(|| SheetError::Missing(String::new()))?;
        self.range(&name)
    }

    /// The worksheet `name`, within the limits: no cell beyond `MAX_ROWS` data rows or
    /// `MAX_COLUMNS` columns, and a used area of at most `MAX_CELLS`.
    pub fn range(&mut self, name: &str) -> Result<Range<Data>, SheetError> {
        if !self.sheet_names().iter().any(|n| n == name) {
            return Err(SheetError::Missing(name.to_owned()));
        }
        let mut reader = self.inner.worksheet_cells_reader(name).map_err(|e| SheetError::Unreadable(e.to_string()))?;
        let declared = reader.dimensions();
        check_extent(declared.start, declared.end)?;
        let mut cells = Vec::new();
        let (mut low, mut high) = ((u32::MAX, u32::MAX), (0, 0));
        // Cells may repeat a position or point at one long shared string many times: count the
        // cells and the text they copy, not only the area they span.
        let mut text_bytes = 0u64;
        while let Some(cell) = reader.next_cell().map_err(|e| SheetError::Unreadable(e.to_string()))? {
            let (row, col) = cell.get_position();
            check_extent((row, col), (row, col))?;
            text_bytes += match cell.get_value() {
                DataRef::SharedString(s) => s.len(),
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
                _ => 0,
            } as u64;
            if cells.len() >= MAX_CELLS || text_bytes > MAX_INFLATED_BYTES {
                return Err(SheetError::TooLarge(too_large("cellen", MAX_CELLS as u64)));
            }
            let value = Data::from(cell.get_value().clone());
            if value == Data::Empty {
                continue;
            }
            (low, high) = ((low.0.min(row), low.1.min(col)), (high.0.max(row), high.1.max(col)));
            check_area(low, high)?;
            cells.push(Cell::new((row, col), value));
        }
        Ok(Range::from_sparse(cells))
    }
}

/// A cell range must stay inside the row and column limits (the header row comes on top).
fn check_extent(start: (u32, u32), end: (u32, u32)) -> Result<(), SheetError> {
    if end.0 as usize > MAX_ROWS {
        return Err(SheetError::TooLarge(too_large("regels", MAX_ROWS as u64)));
    }
    if end.1 as usize >= MAX_COLUMNS {
        return Err(SheetError::TooLarge(too_large("kolommen", MAX_COLUMNS as u64)));
    }
    check_area(start, end)
}

fn check_area(low: (u32, u32), high: (u32, u32)) -> Result<(), SheetError> {
    let rows = u64::from(high.0.saturating_sub(low.0)) + 1;
    let cols = u64::from(high.1.saturating_sub(low.1)) + 1;
    if rows * cols > MAX_CELLS as u64 {
        return Err(SheetError::TooLarge(too_large("cellen", MAX_CELLS as u64)));
    }
    Ok(())
}

/// Hostile workbooks for the tests of every crate that reads uploads (feature `test-support`).
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures {
    use std::io::{Cursor, Write};

    const PARTS: &[(&str, &str)] = &[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="2025" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];

    /// A workbook with one sheet, "2025" (read by the budget import and, as the first sheet,
    /// by the hours import), whose XML `write` produces.
    pub fn workbook_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Vec<u8> {
        build(None, write)
    }

    /// The same with a shared-strings part (`xl/sharedStrings.xml`) holding `shared`.
    fn build(shared: Option<&str>, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().large_file(true);
        let shared = shared.map(|s| ("xl/sharedStrings.xml", s));
        for (name, body) in PARTS.iter().copied().chain(shared) {
            zip.start_file(name, opts).expect("zip entry");
            zip.write_all(body.as_bytes()).expect("zip write");
        }
        zip.start_file("xl/worksheets/sheet1.xml", opts).expect("zip entry");
        write(&mut zip).expect("sheet XML");
        zip.finish().expect("zip").into_inner()
    }

    /// A workbook whose sheet is `xml` as given.
    pub fn workbook(xml: &str) -> Vec<u8> {
        workbook_with(|w| w.write_all(xml.as_bytes()))
    }

    /// A sheet's XML around `rows`, with a declared `dimension`.
    pub fn sheet(dimension: &str, rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    /// Cells `A1` and `XFD1048576`: 1.5 KB that a grid-building reader turns into ~550 GB.
    pub fn far_cell() -> Vec<u8> {
        let rows = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
        workbook(&sheet("A1:XFD1048576", rows))
    }

    /// A sheet that inflates to `mib` MiB of spaces (about 1 KiB on the wire per MiB).
    pub fn inflating(mib: usize) -> Vec<u8> {
        workbook_with(|w| {
            let spaces = vec![b' '; 1024 * 1024];
            (0..mib).try_for_each(|_| w.write_all(&spaces))
        })
    }

    /// `rows` real rows of one number each.
    pub fn rows(rows: usize) -> Vec<u8> {
        workbook_with(|w| {
            w.write_all(sheet("A1", "").split("</sheetData>").next().unwrap_or_default().as_bytes())?;
            for r in 1..=rows {
                write!(w, r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#)?;
            }
            w.write_all(b"</sheetData></worksheet>")
        })
    }

    /// One shared string of `mib` MiB that `cells` cells all point at: small unpacked, huge copied.
    pub fn shared_text(mib: usize, cells: usize) -> Vec<u8> {
        let text = "x".repeat(mib * 1024 * 1024);
        let sst = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>"#
        );
        let row: String = (0..cells).map(|_| r#"<c r="A1" t="s"><v>0</v></c>"#).collect();
        build(Some(&sst), |w| w.write_all(sheet("A1", &format!(r#"<row r="1">{row}</row>"#)).as_bytes()))
    }

    /// Nested entities in a DOCTYPE (a "billion laughs" in small).
    pub fn entities() -> Vec<u8> {
        workbook(
            r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&d;&d;&d;</t></is></c></row></sheetData></worksheet>"#,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::fixtures::{sheet, workbook};

    #[test]
    fn reads_a_small_sheet() {
        let bytes = workbook(&sheet(
            "A1:B2",
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Naam</t></is></c><c r="B1"><v>3</v></c></row><row r="2"><c r="B2"><v>4.5</v></c></row>"#,
        ));
        let range = open(&bytes).unwrap().first().unwrap();
        assert_eq!(range.get_size(), (2, 2));
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("Naam".into())));
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(4.5)));
    }

    #[test]
    fn refuses_a_far_cell_before_building_the_grid() {
        let far = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
        for dimension in ["A1", "A1:XFD1048576"] {
            let bytes = workbook(&sheet(dimension, far));
            let err = open(&bytes).unwrap().first().unwrap_err();
            assert!(matches!(err, SheetError::TooLarge(_)), "{err}");
        }
        // Within the rows and columns, but the area between the corners is too large.
        let wide = r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="90000"><c r="IA90000"><v>1</v></c></row>"#;
        let err = open(&workbook(&sheet("A1", wide))).unwrap().first().unwrap_err();
        assert_eq!(err.to_string(), "het bestand is te groot: hoogstens 2.000.000 cellen");
    }

    #[test]
    fn refuses_rows_past_the_limit_without_reading_them_all() {
        let err = open(&super::fixtures::rows(1_000_000)).unwrap().first().unwrap_err();
        assert_eq!(err.to_string(), "het bestand is te groot: hoogstens 100.000 regels");
    }

    #[test]
    fn refuses_one_long_shared_string_copied_into_many_cells() {
        // 16 MiB unpacked, but 100 copies of it (1.6 GB) if every cell were built.
        let bytes = super::fixtures::shared_text(16, 100);
        let err = open(&bytes).expect("within the archive limit").first().unwrap_err();
        assert!(matches!(err, SheetError::TooLarge(_)), "{err}");
    }

    #[test]
    fn refuses_an_entry_that_inflates_past_the_limit() {
        let bytes = super::fixtures::inflating(1025);
        assert!(bytes.len() < 1024 * 1024, "deflate packs the padding small: {}", bytes.len());
        let err = open(&bytes).err().unwrap();
        assert_eq!(err.to_string(), "het bestand is te groot: hoogstens 64 MiB aan uitgepakte gegevens");
    }

    #[test]
    fn entities_in_a_sheet_are_not_expanded() {
        match open(&super::fixtures::entities()).unwrap().first() {
            Ok(range) => assert!(range.get_value((0, 0)).is_none_or(|v| v.to_string().len() < 100)),
            Err(e) => assert!(matches!(e, SheetError::Unreadable(_))),
        }
    }

    #[test]
    fn refuses_what_is_not_a_workbook() {
        assert!(matches!(open(b"PK\x03\x04 nonsense").err(), Some(SheetError::Unreadable(_))));
        let bytes = workbook(&sheet("A1", ""));
        assert_eq!(open(&bytes).unwrap().range("2026").unwrap_err(), SheetError::Missing("2026".into()));
    }
}
