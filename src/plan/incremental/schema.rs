//! on_schema_change: the existing table's columns + the model's -> the `alter table`
//! statements that run before the strategy, and the columns the strategy then writes.

use super::super::PlanError;
use super::{IncrementalInput, OnSchemaChange, Strategy};
use crate::adapter::Column;

/// What the strategy works with once the table's schema is settled.
#[derive(Debug)]
pub(super) struct Reconciled {
    pub statements: Vec<String>,
    /// Unquoted column names the strategy inserts (and, for merge, updates).
    pub columns: Vec<String>,
}

/// How the model's columns differ from the table's, names compared case-insensitively.
pub(crate) struct Diff<'a> {
    /// In the model, not in the table (model order).
    pub added: Vec<&'a Column>,
    /// In the table, not in the model (table order).
    pub removed: Vec<&'a Column>,
    /// (table column, model column) pairs whose types differ.
    pub retyped: Vec<(&'a Column, &'a Column)>,
}

impl Diff<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.retyped.is_empty()
    }
}

pub(super) fn reconcile(
    input: &IncrementalInput,
    mode: OnSchemaChange,
    strategy: Strategy,
) -> Result<Reconciled, PlanError> {
    let diff = diff(input.existing, input.incoming);
    let node = || input.node.unique_id.clone();
    let incoming_names = || input.incoming.iter().map(|c| c.name.clone()).collect();
    match mode {
        OnSchemaChange::Ignore => {
            // dbt writes the table's columns; one the model stopped producing makes the
            // insert fail, except under merge, where dbt-duckdb's `by name` clauses leave
            // it untouched on update and NULL on insert. Those clauses fail instead on a
            // column the table lacks, where an insert would just leave it out.
            if strategy == Strategy::Merge && !diff.added.is_empty() {
                return Err(PlanError::MergeNewColumns {
                    node: node(),
                    target: input.target.to_string(),
                    columns: names(&diff.added),
                });
            }
            if strategy != Strategy::Merge && !diff.removed.is_empty() {
                return Err(PlanError::MissingColumns {
                    node: node(),
                    target: input.target.to_string(),
                    columns: names(&diff.removed),
                });
            }
            let columns = input
                .existing
                .iter()
                .filter(|c| find(input.incoming, &c.name).is_some())
                .map(|c| c.name.clone())
                .collect();
            Ok(Reconciled {
                statements: Vec::new(),
                columns,
            })
        }
        OnSchemaChange::Fail if !diff.is_empty() => Err(PlanError::SchemaChanged {
            node: format!(
                "{} {} ({})",
                input.node.resource_type.as_str(),
                input.node.name,
                input.node.origin.file
            ),
            target: input.target.to_string(),
            added: names(&diff.added),
            removed: names(&diff.removed),
            retyped: diff
                .retyped
                .iter()
                .map(|(old, new)| format!("{} {} -> {}", old.name, old.data_type, new.data_type))
                .collect(),
        }),
        OnSchemaChange::Fail => Ok(Reconciled {
            statements: Vec::new(),
            columns: incoming_names(),
        }),
        OnSchemaChange::AppendNewColumns | OnSchemaChange::SyncAllColumns => {
            let quote = |name: &str| input.dialect.quote(name);
            let target = input.target;
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
                // dbt rebuilds a retyped column through a temporary one instead of
                // `alter column ... type`, which moves it to the end of the table; doing the
                // same keeps `select *` over the table identical to dbt's.
                for (old, new) in &diff.retyped {
                    let column = quote(&old.name);
                    let scratch = quote(&format!("{}__dbt_alter", old.name));
                    statements.extend([
                        format!(
                            "alter table {target} add column {scratch} {}",
                            new.data_type
                        ),
                        format!("update {target} set {scratch} = {column}"),
                        format!("alter table {target} drop column {column} cascade"),
                        format!("alter table {target} rename column {scratch} to {column}"),
                    ]);
                }
            }
            Ok(Reconciled {
                statements,
                columns: incoming_names(),
            })
        }
    }
}

/// A column of `columns` named `name`, ignoring case as DuckDB does.
pub(crate) fn find<'a>(columns: &'a [Column], name: &str) -> Option<&'a Column> {
    columns.iter().find(|c| same_name(&c.name, name))
}

pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

fn diff<'a>(existing: &'a [Column], incoming: &'a [Column]) -> Diff<'a> {
    diff_by(existing, incoming, same_type)
}

/// The difference between two column lists, types compared by `same_type`.
pub(crate) fn diff_by<'a>(
    existing: &'a [Column],
    incoming: &'a [Column],
    same_type: fn(&str, &str) -> bool,
) -> Diff<'a> {
    let added = incoming
        .iter()
        .filter(|c| find(existing, &c.name).is_none())
        .collect();
    let removed = existing
        .iter()
        .filter(|c| find(incoming, &c.name).is_none())
        .collect();
    let retyped = incoming
        .iter()
        .filter_map(|new| find(existing, &new.name).map(|old| (old, new)))
        .filter(|(old, new)| !same_type(&old.data_type, &new.data_type))
        .collect();
    Diff {
        added,
        removed,
        retyped,
    }
}

/// dbt compares type names as text, except that every string type counts as one (DuckDB
/// has no length limit on VARCHAR).
fn same_type(a: &str, b: &str) -> bool {
    fn normal(t: &str) -> String {
        let t: String = t
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let base = t.split('(').next().unwrap_or_default();
        match base {
            "VARCHAR" | "TEXT" | "STRING" | "CHAR" | "BPCHAR" | "CHARACTER"
            | "CHARACTERVARYING" => "VARCHAR".to_string(),
            _ => t,
        }
    }
    normal(a) == normal(b)
}

pub(crate) fn names(columns: &[&Column]) -> Vec<String> {
    columns.iter().map(|c| c.name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_types_are_one_type_and_case_does_not_matter() {
        assert!(same_type("VARCHAR", "text"));
        assert!(same_type("varchar(10)", "VARCHAR"));
        assert!(same_type("decimal(18, 3)", "DECIMAL(18,3)"));
        assert!(!same_type("INTEGER", "BIGINT"));
        assert!(!same_type("DECIMAL(18,3)", "DECIMAL(18,2)"));
    }
}
