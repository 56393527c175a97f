//! xform: dbt-format project -> rendered, checked SQL in dependency order (see DESIGN.md).
//!
//! The pipeline, one module per stage: `project` loads files and configs, `render` runs
//! Jinja, `sql` checks the rendered SQL, `graph` builds the DAG, `select` picks nodes,
//! `artifacts` writes dbt-compatible files; `cli` ties them to commands.

pub mod adapter;
pub mod artifacts;
pub mod cli;
pub mod diagnostics;
pub mod dialect;
pub mod execute;
pub mod graph;
pub mod node;
pub mod pipeline;
pub mod plan;
pub mod project;
pub mod render;
pub mod resolve;
pub mod select;
pub mod sql;
