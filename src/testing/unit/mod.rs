//! Unit tests: a `unit_tests:` definition + the tested model + the warehouse's column types
//! -> the model's SQL run on fixture rows and compared with the expected rows (pass/fail,
//! with a diff). Only queries run: no relation is created or changed.

pub mod compare;
pub mod csv;
pub mod fixture;
pub mod spec;
