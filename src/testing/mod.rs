//! Tests against the warehouse: data tests (generic and singular) and unit tests ->
//! pass/warn/fail verdicts.

pub mod data;
pub mod unit;
