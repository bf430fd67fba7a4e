//! Every file that comes in is read here (docs writes the files that go out). Pure parsing:
//! bytes in, typed rows out, every problem named by line and column, within the limits of
//! `domain::limits`; storing them is the services' business.
//!
//! - `duo`: DUO's open data (locations, pupils, exams);
//! - `execution`: hours and invoices from CSV or XLSX;
//! - `budget`: an application's budget back from its workbook;
//! - `sheet`: the bounded XLSX reader they share.

// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod budget;
pub mod duo;
pub mod execution;
pub mod payments;
pub mod sheet;

/// The file's text: UTF-8 (with or without BOM), else Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.strip_prefix('\u{feff}').unwrap_or(s).to_owned(),
        Err(_) => bytes.iter().map(|b| cp1252(*b)).collect(),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH.get(usize::from(b - 0x80)).copied().unwrap_or(char::REPLACEMENT_CHARACTER),
        b => char::from(b),
    }
}
