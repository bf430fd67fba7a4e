//! How much of an untrusted file Sterk reads: every reader of uploads checks these before it
//! allocates, and refuses a file past them with a Dutch message that names the limit.

/// Data rows in one imported table (CSV or a worksheet): the benchmark imports 100,000 hours.
pub const MAX_ROWS: usize = 100_000;
/// Columns in one imported table.
pub const MAX_COLUMNS: usize = 256;
/// Cells of one worksheet's used area (rows × columns), so the grid Sterk builds stays small.
pub const MAX_CELLS: usize = 2_000_000;
/// Entries in one workbook (a ZIP archive).
pub const MAX_ZIP_ENTRIES: usize = 1_000;
/// Bytes all entries of one workbook inflate to.
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

/// A Dutch message for a file past a limit: `what` is e.g. "regels", `limit` the number allowed.
pub fn too_large(what: &str, limit: u64) -> String {
    format!("het bestand is te groot: hoogstens {} {what}", crate::fmt::integer_nl(limit as i64))
}
