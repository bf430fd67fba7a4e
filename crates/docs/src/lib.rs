pub mod feeds;
pub mod pdf;
pub mod report;
pub mod sheet;
pub mod xlsx;
