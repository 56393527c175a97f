//! xform: dbt-format project -> rendered, checked SQL in dependency order (see DESIGN.md).
//!
//! The pipeline, one module per stage: `project` loads files and configs, `render` runs
//! Jinja, `sql` checks the rendered SQL, `graph` builds the DAG, `select` picks nodes,
//! `artifacts` writes dbt-compatible files; `cli` ties them to commands.

/// A regex compiled once from a literal pattern. The patterns are ours, not user input,
/// and each one is exercised by unit tests, so an invalid one is a programming error.
#[macro_export]
macro_rules! static_regex {
    ($pattern:expr) => {{
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        RE.get_or_init(|| $crate::compile_static_regex($pattern))
    }};
}

#[doc(hidden)]
pub fn compile_static_regex(pattern: &str) -> regex::Regex {
    match regex::Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => panic!("built-in regex {pattern:?} is invalid: {e}"),
    }
}

pub mod adapter;
pub mod artifacts;
pub mod cli;
pub mod diagnostics;
pub mod dialect;
pub mod docs;
pub mod execute;
pub mod graph;
pub mod node;
pub mod pipeline;
pub mod plan;
pub mod project;
pub mod render;
pub mod resolve;
pub mod seed;
pub mod select;
pub mod sql;
pub mod testing;
