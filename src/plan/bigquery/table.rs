//! A view or table model (or an incremental's first run / full refresh) + what is at its
//! relation now -> the BigQuery `Plan` that builds it.
//!
//! Shapes, as dbt-bigquery builds them:
//! - view: `create or replace view <rel> [options(...)] as (sql)`;
//! - table: `create or replace table <rel> [partition by ...] [cluster by ...]
//!   [options(...)] as (sql)`, one statement, so a failing model leaves the old table.
//!
//! `CREATE OR REPLACE` cannot turn a view into a table or back, so the old relation is
//! dropped first (`drop view/table if exists`: the emulator fails the tables.delete API on
//! views, SQL works). Over a view, xform first stages the model's rows in a script temp
//! table and drops the view only once they are there, so a model that fails leaves the
//! view in place (dbt drops first). Over a table, the view's creation is the only step
//! after the drop: a view that does not compile there leaves no relation, as in dbt.
//!
//! BigQuery also refuses to `CREATE OR REPLACE` a table with a different partitioning
//! or clustering spec; dbt reads the table's metadata first and drops it. xform tries the
//! replace and, when BigQuery refuses it for that reason ([`refused_for_spec`]), runs
//! [`plan_rebuild`]: the same stage, drop, create as over a view. The common case stays
//! one atomic statement with no metadata call, and the spec is never compared by hand
//! (granularity, ranges and clustering order are BigQuery's to judge).
//!
//! A model whose SQL uses `_dbt_max_partition` gets dbt's declaration of it (the table's
//! greatest partition value) at the top of the script, when the table exists.

use super::super::{Plan, PlanError};
use super::options::{self, Kind};
use super::partition::{PartitionBy, cluster_clause};
use super::{create_schema, relation, temp_table};
use crate::adapter::RelationKind;
use crate::node::Node;

/// Plans building `node` as `want` over `existing`.
pub fn plan(
    node: &Node,
    sql: &str,
    existing: Option<RelationKind>,
    want: RelationKind,
) -> Result<Plan, PlanError> {
    let target = relation(node);
    let mut atomic = Vec::new();
    match want {
        RelationKind::View => {
            if existing == Some(RelationKind::Table) {
                atomic.push(format!("drop table if exists {target}"));
            }
            atomic.push(format!(
                "create or replace view {target}{} as (\n{sql}\n)",
                options::clause(node, Kind::View)?
            ));
        }
        RelationKind::Table => {
            let partition = PartitionBy::from_node(node)?;
            if let Some(p) = &partition
                && existing == Some(RelationKind::Table)
                && let Some(declare) = declare_max_partition(p, &target, sql)
            {
                atomic.push(declare);
            }
            if existing == Some(RelationKind::View) {
                let staged = temp_table(node, "__dbt_tmp");
                atomic.push(format!(
                    "create or replace temp table {staged} as (\n{sql}\n)"
                ));
                atomic.push(format!("drop view if exists {target}"));
                atomic.push(create_table(
                    node,
                    &target,
                    &format!("select * from {staged}"),
                )?);
            } else {
                atomic.push(create_table(node, &target, sql)?);
            }
        }
    }
    Ok(Plan {
        prepare: vec![create_schema(node)],
        atomic,
    })
}

/// Plans rebuilding `node`'s existing table when its partitioning or clustering spec
/// changed, which `CREATE OR REPLACE` refuses: the rows are staged before the old table
/// is dropped, so a failing model keeps it.
pub fn plan_rebuild(node: &Node, sql: &str) -> Result<Plan, PlanError> {
    let target = relation(node);
    let mut atomic = Vec::new();
    if let Some(p) = PartitionBy::from_node(node)?
        && let Some(declare) = declare_max_partition(&p, &target, sql)
    {
        atomic.push(declare);
    }
    atomic.extend(stage_drop_create(node, &target, sql, "table")?);
    Ok(Plan {
        prepare: vec![create_schema(node)],
        atomic,
    })
}

/// Whether BigQuery's error says a `CREATE OR REPLACE TABLE` was refused because the
/// existing table's partitioning or clustering spec differs ("Cannot replace a table with
/// a different partitioning spec. Instead, DROP the table, and then recreate it.").
pub fn refused_for_spec(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("cannot replace a table with a different")
        && (m.contains("partitioning spec") || m.contains("clustering spec"))
}

/// Stage the model's rows, drop the old `kind` relation, create the table from them.
fn stage_drop_create(
    node: &Node,
    target: &str,
    sql: &str,
    kind: &str,
) -> Result<[String; 3], PlanError> {
    let staged = temp_table(node, "__dbt_tmp");
    Ok([
        format!("create or replace temp table {staged} as (\n{sql}\n)"),
        format!("drop {kind} if exists {target}"),
        create_table(node, target, &format!("select * from {staged}"))?,
    ])
}

/// `create or replace table` of `sql` with the node's partitioning, clustering, options.
pub(super) fn create_table(node: &Node, target: &str, sql: &str) -> Result<String, PlanError> {
    let mut ddl = format!("create or replace table {target}");
    if let Some(p) = PartitionBy::from_node(node)? {
        ddl.push('\n');
        ddl.push_str(&p.clause());
    }
    if let Some(c) = cluster_clause(node)? {
        ddl.push('\n');
        ddl.push_str(&c);
    }
    ddl.push_str(&options::clause(node, Kind::Table)?);
    ddl.push_str(&format!("\nas (\n{sql}\n)"));
    Ok(ddl)
}

/// dbt's `declare _dbt_max_partition ...` when `sql` uses the name outside comments and
/// string literals.
pub(super) fn declare_max_partition(p: &PartitionBy, target: &str, sql: &str) -> Option<String> {
    mentions_max_partition(sql).then(|| {
        format!(
            "declare _dbt_max_partition {} default (\n  select max({}) from {target}\n  where {} is not null\n)",
            p.data_type.as_str(),
            p.field,
            p.field
        )
    })
}

/// Whether `_dbt_max_partition` appears as a whole word in code (not in `--`/`#`/`/* */`
/// comments or quoted strings).
fn mentions_max_partition(sql: &str) -> bool {
    const NAME: &[u8] = b"_dbt_max_partition";
    let bytes = sql.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let find = |from: usize, what: &[u8]| {
        bytes[from..]
            .windows(what.len())
            .position(|w| w == what)
            .map(|p| from + p)
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"--") || rest.starts_with(b"#") {
            i = find(i, b"\n").unwrap_or(bytes.len());
        } else if rest.starts_with(b"/*") {
            i = find(i + 2, b"*/").map_or(bytes.len(), |e| e + 2);
        } else if let Some(q @ (b'\'' | b'"' | b'`')) = rest.first().copied() {
            // Skip to the closing quote, stepping over backslash escapes.
            i += 1;
            while i < bytes.len() && bytes[i] != q {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if rest.starts_with(NAME)
            && (i == 0 || !word(bytes[i - 1]))
            && !bytes.get(i + NAME.len()).copied().is_some_and(word)
        {
            return true;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{mentions_max_partition, refused_for_spec};

    #[test]
    fn a_spec_refusal_is_told_from_other_errors() {
        assert!(refused_for_spec(
            "Cannot replace a table with a different partitioning spec. Instead, DROP the \
             table, and then recreate it. New partitioning spec is interval(type:day,field:d) \
             and existing spec is none"
        ));
        assert!(refused_for_spec(
            "Cannot replace a table with a different clustering spec. Instead, DROP the table"
        ));
        assert!(!refused_for_spec(
            "Syntax error: Unexpected keyword FROM at [3:1]"
        ));
        assert!(!refused_for_spec("Cannot replace a table with a view"));
    }

    #[test]
    fn max_partition_is_found_only_in_code() {
        assert!(mentions_max_partition("where d > _dbt_max_partition"));
        assert!(mentions_max_partition("d>=_dbt_max_partition)"));
        assert!(!mentions_max_partition("-- _dbt_max_partition\nselect 1"));
        assert!(!mentions_max_partition("select '_dbt_max_partition' as x"));
        assert!(!mentions_max_partition("select 1 /* _dbt_max_partition */"));
        assert!(!mentions_max_partition("select my_dbt_max_partition_x"));
        assert!(!mentions_max_partition(
            "select 'it\\'s _dbt_max_partition'"
        ));
        assert!(mentions_max_partition(
            "select 'é' as e, _dbt_max_partition"
        ));
    }
}
