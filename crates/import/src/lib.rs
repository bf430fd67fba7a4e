//! Importers for open data files. Pure parsing: bytes in, typed rows out, every problem named
//! by line and column; storing them is the services' business.

pub mod duo;
