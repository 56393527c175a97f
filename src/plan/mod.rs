//! Materializations: a compiled node + what exists in the warehouse -> the SQL steps that
//! build it, each step list meant to run in one transaction (pure: no I/O here).

pub mod bigquery;
pub mod incremental;
pub mod seed;
pub mod snapshot;

use crate::adapter::RelationKind;
use crate::dialect::Dialect;
use crate::node::Node;

/// What one node needs run, in order. `atomic` steps run in a single transaction so a
/// failure (or a kill) leaves the previous relation untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Statements that may run outside the transaction (schema creation).
    pub prepare: Vec<String>,
    /// Statements that replace the relation, all or nothing.
    pub atomic: Vec<String>,
}

/// Why a node cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("materialization `{0}` is not supported yet")]
    Unsupported(String),
    #[error("node `{0}` has no compiled SQL")]
    NotCompiled(String),
    #[error(
        "{node}: incremental_strategy `{value}` is not valid here; expected one of: {expected}"
    )]
    InvalidStrategy {
        node: String,
        value: String,
        expected: &'static str,
    },
    #[error("{node}: incremental_strategy `{strategy}` is not supported yet")]
    StrategyUnsupported { node: String, strategy: String },
    #[error("{node}: on_schema_change `{value}` is not valid; expected one of: {expected}")]
    InvalidOnSchemaChange {
        node: String,
        value: String,
        expected: &'static str,
    },
    #[error("{node}: config `{key}` {problem}")]
    InvalidConfig {
        node: String,
        key: String,
        problem: String,
    },
    #[error("{node}: config `{key}` is not supported yet")]
    UnsupportedConfig { node: String, key: String },
    /// Headed as dbt heads it (`Compilation Error in model NAME (FILE)`: its
    /// materialization raises a compiler error), so run results and the console carry
    /// dbt's marker; the body is indented under it as in dbt's message.
    #[error(
        "Compilation Error in {node}\n  \
         the model's columns no longer match {target} (on_schema_change: fail)\n    \
         in the model, not in the table: {}\n    \
         in the table, not in the model: {}\n    \
         type changed: {}\n  \
         set on_schema_change to append_new_columns or sync_all_columns, \
         rebuild with --full-refresh, or alter the table by hand",
        list(.added), list(.removed), list(.retyped)
    )]
    SchemaChanged {
        /// `model NAME (FILE)`, the way dbt names the node in an error header.
        node: String,
        target: String,
        added: Vec<String>,
        removed: Vec<String>,
        /// `name OLD -> NEW` per column.
        retyped: Vec<String>,
    },
    #[error(
        "{node}: the model no longer produces {} of {target} (on_schema_change: ignore \
         keeps the table's columns); set on_schema_change to append_new_columns or \
         sync_all_columns, or rebuild with --full-refresh",
        .columns.join(", ")
    )]
    MissingColumns {
        node: String,
        target: String,
        columns: Vec<String>,
    },
    #[error(
        "{node}: the model produces {}, which {target} lacks, and a merge with \
         on_schema_change: ignore cannot write them (dbt-duckdb fails here too); set \
         on_schema_change to append_new_columns or sync_all_columns, or rebuild with \
         --full-refresh",
        .columns.join(", ")
    )]
    MergeNewColumns {
        node: String,
        target: String,
        columns: Vec<String>,
    },
    #[error("snapshot `{0}` must be configured with a 'strategy' and a 'unique_key'")]
    SnapshotNeedsStrategyAndKey(String),
    #[error("snapshot `{0}` uses the timestamp strategy and must set 'updated_at'")]
    SnapshotNeedsUpdatedAt(String),
    #[error("snapshot `{0}` uses the check strategy and must set 'check_cols'")]
    SnapshotNeedsCheckCols(String),
    #[error("snapshot `{0}` uses the timestamp strategy and must not set 'check_cols'")]
    SnapshotTimestampWithCheckCols(String),
    #[error(
        "snapshot `{node}`: invalid value for 'check_cols': {value} (expected 'all' or a list of column names)"
    )]
    SnapshotInvalidCheckCols { node: String, value: String },
    #[error(
        "snapshot `{node}`: strategy '{strategy}' not found (the built-in strategies are 'timestamp' and 'check')"
    )]
    SnapshotUnknownStrategy { node: String, strategy: String },
    #[error(
        "snapshot `{0}` sets both 'invalidate_hard_deletes' and 'hard_deletes'; keep only 'hard_deletes'"
    )]
    SnapshotHardDeletesConflict(String),
    #[error(
        "snapshot `{node}`: invalid setting for 'hard_deletes': {value} (expected ignore, invalidate or new_record)"
    )]
    SnapshotInvalidHardDeletes { node: String, value: String },
    #[error("snapshot `{node}`: '{key}' must be {expected}")]
    SnapshotConfigType {
        node: String,
        key: String,
        expected: String,
    },
    #[error("snapshot `{node}`: check column '{column}' is not a column of the snapshot query")]
    SnapshotCheckColumnMissing { node: String, column: String },
    #[error(
        "snapshot `{node}`: the snapshot target {target} is missing configured columns (missing \"{missing}\"); \
         it was not built by a snapshot with these settings (see snapshot_meta_column_names)"
    )]
    SnapshotTargetMissingColumns {
        node: String,
        target: String,
        missing: String,
    },
    #[error("cannot seed to {0}: it is a view")]
    SeedOntoView(String),
    #[error(
        "{relation} has {had} columns but the seed now has {has}; run with --full-refresh to recreate it"
    )]
    SeedColumnsChanged {
        relation: String,
        had: usize,
        has: usize,
    },
    #[error("config `{key}` {message}")]
    BadConfig { key: String, message: String },
    #[error(
        "seed `{0}`: a BigQuery load needs the seed's rows, but they were not kept when the \
         CSV was read (set `SeedOptions::keep_rows`)"
    )]
    SeedRowsNotRead(String),
}

/// Column names for an error message.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Plans a view or table build of `node` given the kind of relation already there.
pub fn plan(
    node: &Node,
    dialect: Dialect,
    existing: Option<RelationKind>,
) -> Result<Option<Plan>, PlanError> {
    let want = match node.materialized() {
        "ephemeral" => return Ok(None),
        "view" => RelationKind::View,
        "table" => RelationKind::Table,
        other => return Err(PlanError::Unsupported(other.to_string())),
    };
    plan_as(node, dialect, existing, want).map(Some)
}

/// Plans building `node` as a view or table whatever its materialization (an
/// incremental model's first run or full refresh is a table).
pub fn plan_as(
    node: &Node,
    dialect: Dialect,
    existing: Option<RelationKind>,
    want: RelationKind,
) -> Result<Plan, PlanError> {
    let sql = node
        .compiled_code
        .as_deref()
        .ok_or_else(|| PlanError::NotCompiled(node.unique_id.clone()))?;
    if dialect == Dialect::BigQuery {
        return bigquery::table::plan(node, sql, existing, want);
    }
    let relation = dialect.relation(&node.database, &node.schema, &node.alias);
    let schema = dialect.relation(&node.database, &node.schema, "");
    Ok(replace(&relation, sql, schema, existing, want))
}

/// `create or replace` inside one transaction: DuckDB's DDL is transactional, so the old
/// relation stays visible (and survives a kill) until the commit swaps in the new one.
fn replace(
    relation: &str,
    sql: &str,
    schema: String,
    existing: Option<RelationKind>,
    want: RelationKind,
) -> Plan {
    let prepare = vec![format!("create schema if not exists {schema}")];
    let create = match want {
        RelationKind::View => format!("create or replace view {relation} as (\n{sql}\n)"),
        RelationKind::Table => format!("create or replace table {relation} as (\n{sql}\n)"),
    };
    let mut atomic = Vec::new();
    // A view cannot be replaced by a table (or the reverse) with `create or replace`.
    match (existing, want) {
        (Some(RelationKind::View), RelationKind::Table) => {
            atomic.push(format!("drop view if exists {relation}"))
        }
        (Some(RelationKind::Table), RelationKind::View) => {
            atomic.push(format!("drop table if exists {relation}"))
        }
        _ => {}
    }
    atomic.push(create);
    Plan { prepare, atomic }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::ResourceType;

    fn model(materialized: &str) -> Node {
        let mut n = Node::new(ResourceType::Model, "p", "m", "model.p.m".into());
        n.config.insert("materialized".into(), materialized.into());
        n.database = "db".into();
        n.schema = "s".into();
        n.alias = "m".into();
        n.compiled_code = Some("select 1 as id".into());
        n
    }

    #[test]
    fn tables_replace_views_inside_the_transaction() {
        let p = plan(&model("table"), Dialect::DuckDb, Some(RelationKind::View))
            .unwrap()
            .unwrap();
        assert_eq!(p.prepare, [r#"create schema if not exists "db"."s""#]);
        assert_eq!(
            p.atomic,
            [
                r#"drop view if exists "db"."s"."m""#.to_string(),
                "create or replace table \"db\".\"s\".\"m\" as (\nselect 1 as id\n)".to_string()
            ]
        );
    }

    #[test]
    fn ephemerals_build_nothing_and_unknown_kinds_are_errors() {
        assert_eq!(
            plan(&model("ephemeral"), Dialect::DuckDb, None).unwrap(),
            None
        );
        assert_eq!(
            plan(&model("materialized_view"), Dialect::DuckDb, None).unwrap_err(),
            PlanError::Unsupported("materialized_view".into())
        );
    }
}
