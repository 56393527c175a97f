//! on_schema_change on BigQuery: the table's columns + the model's -> the statements that
//! settle the table's schema before the strategy runs, and the columns it then writes.
//!
//! - `ignore`: the table's columns are written; new model columns are left out (dbt
//!   lists the table's columns), and a table column the model no longer produces is an
//!   error here (in dbt the MERGE fails on it).
//! - `fail`: any difference, type changes included, is an error.
//! - `append_new_columns`: `alter table ... add column` per new column (the emulator takes
//!   one ALTER action per statement); removed columns stay, NULL in new rows.
//! - `sync_all_columns`: adds, then drops, then rewrites the table once with a CAST per
//!   retyped column (dbt-bigquery's `alter_column_type` is such a CTAS too; BigQuery's
//!   `ALTER COLUMN SET DATA TYPE` only widens).
//!
//! Types compare by GoogleSQL name with the legacy spellings a dry run's schema may use
//! (INTEGER, FLOAT, BOOLEAN) folded in.
//!
//! New fields at the end of a STRUCT column (at any depth, inside ARRAYs too) are added
//! under `append_new_columns` and `sync_all_columns`, as dbt-bigquery 1.11 does: no SQL
//! statement can add a nested field, so [`widenings`] lists them for the adapter's schema
//! update (tables.patch), which runs before the script. Any other change inside a STRUCT
//! (a field inserted in the middle, removed, renamed or retyped) stays a type change:
//! `append_new_columns` leaves the column as it is and `sync_all_columns` CASTs, which
//! BigQuery refuses between structs of different shapes.

use super::super::PlanError;
use super::super::incremental::schema::{Diff, diff_by, find, names};
use super::super::incremental::{IncrementalConfig, IncrementalInput, OnSchemaChange};
use super::quote;
use super::table::create_table;
use crate::adapter::Column;
use crate::dialect::Dialect;
use crate::sql::bigquery_type::{appended_fields, parse, scalar_name};

/// A STRUCT column the model extends with trailing fields: the table's column must take
/// `data_type` (the model's) before the strategy writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widen {
    pub column: String,
    pub data_type: String,
    /// Dotted paths of the new fields, for the log line.
    pub fields: Vec<String>,
}

/// The STRUCT columns to widen before an incremental run: none unless on_schema_change
/// adds columns.
pub fn widenings(input: &IncrementalInput) -> Result<Vec<Widen>, PlanError> {
    let config = IncrementalConfig::for_dialect(input.node, Dialect::BigQuery)?;
    if !matches!(
        config.on_schema_change,
        OnSchemaChange::AppendNewColumns | OnSchemaChange::SyncAllColumns
    ) {
        return Ok(Vec::new());
    }
    let diff = diff_by(input.existing, input.incoming, same_type);
    Ok(widened(&diff.retyped))
}

fn widened(retyped: &[(&Column, &Column)]) -> Vec<Widen> {
    retyped
        .iter()
        .filter_map(|(old, new)| {
            let fields = appended_fields(&parse(&old.data_type)?, &parse(&new.data_type)?)?;
            (!fields.is_empty()).then(|| Widen {
                column: new.name.clone(),
                data_type: new.data_type.clone(),
                fields: fields.iter().map(|f| format!("{}.{f}", new.name)).collect(),
            })
        })
        .collect()
}

/// The schema statements and the (unquoted) columns the strategy writes.
pub(super) struct Settled {
    pub statements: Vec<String>,
    pub columns: Vec<String>,
}

/// `partition_filter` is a WHERE condition that satisfies `require_partition_filter`
/// when the table has to be rewritten, "" otherwise.
pub(super) fn settle(
    input: &IncrementalInput,
    mode: OnSchemaChange,
    partition_filter: &str,
) -> Result<Settled, PlanError> {
    let diff = diff_by(input.existing, input.incoming, same_type);
    let node = || input.node.unique_id.clone();
    let incoming = || input.incoming.iter().map(|c| c.name.clone()).collect();
    let target = input.target;
    match mode {
        OnSchemaChange::Ignore if !diff.removed.is_empty() => Err(PlanError::MissingColumns {
            node: node(),
            target: target.to_string(),
            columns: names(&diff.removed),
        }),
        OnSchemaChange::Ignore => Ok(Settled {
            statements: Vec::new(),
            columns: input.existing.iter().map(|c| c.name.clone()).collect(),
        }),
        OnSchemaChange::Fail if !diff.is_empty() => Err(schema_changed(input, &diff)),
        OnSchemaChange::Fail => Ok(Settled {
            statements: Vec::new(),
            columns: incoming(),
        }),
        OnSchemaChange::AppendNewColumns | OnSchemaChange::SyncAllColumns => {
            // Widened STRUCTs already have the model's type when the script runs.
            let widened = widened(&diff.retyped);
            let diff = Diff {
                retyped: diff
                    .retyped
                    .iter()
                    .filter(|(_, new)| !widened.iter().any(|w| w.column == new.name))
                    .copied()
                    .collect(),
                ..diff
            };
            let mut statements: Vec<String> = diff
                .added
                .iter()
                .map(|c| {
                    format!(
                        "alter table {target} add column {} {}",
                        quote(&c.name),
                        c.data_type
                    )
                })
                .collect();
            if mode == OnSchemaChange::SyncAllColumns {
                statements.extend(
                    diff.removed
                        .iter()
                        .map(|c| format!("alter table {target} drop column {}", quote(&c.name))),
                );
                if !diff.retyped.is_empty() {
                    statements.push(rewrite(input, &diff, partition_filter)?);
                }
            }
            Ok(Settled {
                statements,
                columns: incoming(),
            })
        }
    }
}

/// The table rewritten with its retyped columns cast, in the order the ALTERs left it
/// (kept columns, then added ones).
fn rewrite(
    input: &IncrementalInput,
    diff: &Diff,
    partition_filter: &str,
) -> Result<String, PlanError> {
    let kept = input
        .existing
        .iter()
        .filter(|c| find(input.incoming, &c.name).is_some());
    let mut select: Vec<String> = kept
        .map(|old| {
            let column = quote(&old.name);
            match diff.retyped.iter().find(|(o, _)| o.name == old.name) {
                Some((_, new)) => format!("cast({column} as {}) as {column}", new.data_type),
                None => column,
            }
        })
        .collect();
    select.extend(diff.added.iter().map(|c| quote(&c.name)));
    let filter = if partition_filter.is_empty() {
        String::new()
    } else {
        format!("\nwhere {partition_filter}")
    };
    let sql = format!(
        "select {}\nfrom {}{filter}",
        select.join(", "),
        input.target
    );
    create_table(input.node, input.target, &sql)
}

fn schema_changed(input: &IncrementalInput, diff: &Diff) -> PlanError {
    let node = input.node;
    PlanError::SchemaChanged {
        node: format!(
            "{} {} ({})",
            node.resource_type.as_str(),
            node.name,
            node.origin.file
        ),
        target: input.target.to_string(),
        added: names(&diff.added),
        removed: names(&diff.removed),
        retyped: diff
            .retyped
            .iter()
            .map(|(old, new)| format!("{} {} -> {}", old.name, old.data_type, new.data_type))
            .collect(),
    }
}

/// GoogleSQL type names compared without case or spaces, legacy and alias names folded.
pub(super) fn same_type(a: &str, b: &str) -> bool {
    normal_type(a) == normal_type(b)
}

fn normal_type(t: &str) -> String {
    let t: String = t
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let (base, rest) = t.split_at(t.find(['(', '<']).unwrap_or(t.len()));
    let base = match base {
        "RECORD" => "STRUCT",
        other => scalar_name(other),
    };
    format!("{base}{rest}")
}

#[cfg(test)]
mod tests {
    use super::same_type;

    #[test]
    fn legacy_and_alias_type_names_are_the_same_type() {
        assert!(same_type("INTEGER", "int64"));
        assert!(same_type("FLOAT", "FLOAT64"));
        assert!(same_type("BOOLEAN", "BOOL"));
        assert!(same_type("STRUCT<a INT64>", "struct<a int64>"));
        assert!(!same_type("STRUCT<a INT64>", "STRUCT<a INT64, b STRING>"));
        assert!(!same_type("INT64", "STRING"));
        assert!(!same_type("NUMERIC(10,2)", "NUMERIC"));
    }
}
