//! BigQuery materializations: a compiled node + its config + what exists -> the GoogleSQL
//! statements that build it (pure: no I/O here).
//!
//! How the statements run (the BigQuery adapter's contract): each `Plan::prepare`
//! statement is its own query job; the `atomic` list is joined with `;\n` into one
//! multi-statement script job, so DECLARE, SET and `CREATE TEMP TABLE` work across it and
//! every DECLARE must come first. BigQuery has no transactional DDL, so each plan keeps
//! the step that replaces a relation to one statement (a `CREATE OR REPLACE TABLE ... AS`
//! or a MERGE), which BigQuery applies all or nothing; anything that can fail on the
//! model's SQL runs before it.
//!
//! - [`table`]: views and tables (`partition_by`, `cluster_by`, OPTIONS).
//! - [`incremental`]: merge, insert_overwrite, append, and xform's partition-pruned merge.
//! - [`copy_partitions`]: insert_overwrite by copy jobs, whose steps the executor runs.
//! - [`seed`]: a CSV's rows as batched `INSERT ... VALUES`.
//!
//! Checked by hand against bqemulator 1.4.0, which runs GoogleSQL through sqlglot on
//! DuckDB. Two of its quirks shape the SQL here (both are valid BigQuery either way):
//! - it replaces every identifier spelt like a script variable with the variable's value,
//!   column references too, so script variables carry names no model column plausibly has
//!   (`dbt_partitions_for_replacement`, `dbt_merge_partitions`, `_dbt_max_partition`);
//! - `SET (v) = (SELECT AS STRUCT array_agg(...))` leaves the array wrapped once more, so
//!   `x IN UNNEST(v)` then fails to bind; a plain `SET v = (SELECT array_agg(...))` works,
//!   and so does `IN UNNEST(v)` inside a MERGE's ON clause and WHEN conditions.

pub mod copy_partitions;
pub mod incremental;
pub mod partition;
pub mod seed;
pub mod table;

mod options;
mod schema_change;

pub use schema_change::{Widen, widenings};
#[cfg(test)]
mod tests;

use crate::dialect::Dialect;
use crate::node::Node;

/// A GoogleSQL string literal: single quotes, with the escapes the emulator decodes too
/// (it leaves `\uXXXX` undecoded, so other characters are written as they are).
pub(crate) fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn quote(ident: &str) -> String {
    Dialect::BigQuery.quote(ident)
}

/// `project`.`dataset`.`table` of the node.
fn relation(node: &Node) -> String {
    Dialect::BigQuery.relation(&node.database, &node.schema, &node.alias)
}

/// `CREATE SCHEMA IF NOT EXISTS`, which BigQuery (and the emulator) run as SQL.
fn create_schema(node: &Node) -> String {
    format!(
        "create schema if not exists {}",
        Dialect::BigQuery.relation(&node.database, &node.schema, "")
    )
}

/// A script temp table named after the node: temp tables are unqualified and live only
/// as long as the script, so no name can reach a permanent table.
fn temp_table(node: &Node, suffix: &str) -> String {
    let alias = if node.alias.is_empty() {
        &node.name
    } else {
        &node.alias
    };
    quote(&format!("{alias}{suffix}"))
}
