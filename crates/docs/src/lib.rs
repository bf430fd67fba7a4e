// Untrusted input reaches this code: a byte slice inside a character or an index past the
// end would panic, so non-test code uses `get` and iterators (tests may index freely).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]
pub mod feeds;
pub mod letter;
pub mod pdf;
pub mod report;
mod report_workbook;
pub mod table;
pub mod xlsx;
