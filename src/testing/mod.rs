//! Tests against the warehouse: data tests (generic and singular) -> pass/warn/fail verdicts.

pub mod data;
