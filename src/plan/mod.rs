//! Materializations: a compiled node + what exists in the warehouse -> the SQL steps that
//! build it, each step list meant to run in one transaction (pure: no I/O here).

pub mod seed;

use crate::adapter::RelationKind;
use crate::dialect::Dialect;
use crate::node::Node;

/// What one node needs run, in order. `atomic` steps run in a single transaction so a
/// failure (or a kill) leaves the previous relation untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// Plans a view or table build of `node` given the kind of relation already there.
pub fn plan(
    node: &Node,
    dialect: Dialect,
    existing: Option<RelationKind>,
) -> Result<Option<Plan>, PlanError> {
    let materialized = node.materialized();
    if materialized == "ephemeral" {
        return Ok(None);
    }
    let sql = node
        .compiled_code
        .as_deref()
        .ok_or_else(|| PlanError::NotCompiled(node.unique_id.clone()))?;
    let relation = dialect.relation(&node.database, &node.schema, &node.alias);
    let schema = dialect.relation(&node.database, &node.schema, "");
    let prepare = vec![format!("create schema if not exists {schema}")];
    let (create, want) = match materialized {
        "view" => (
            format!("create or replace view {relation} as (\n{sql}\n)"),
            RelationKind::View,
        ),
        "table" => (
            format!("create or replace table {relation} as (\n{sql}\n)"),
            RelationKind::Table,
        ),
        other => return Err(PlanError::Unsupported(other.to_string())),
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
    Ok(Some(Plan { prepare, atomic }))
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
