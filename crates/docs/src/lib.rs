pub mod xlsx;
