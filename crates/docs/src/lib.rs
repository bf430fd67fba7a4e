pub mod pdf;
pub mod report;
pub mod xlsx;
