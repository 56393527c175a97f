//! Incremental models: the model's compiled SQL + the existing table's and the model's columns -> the statements that bring new rows into the table (pure: no I/O here).
//!
//! Only the incremental path is planned: the caller builds a plain table on the first run,
//! on `--full-refresh` and when the relation is a view. The statements run in one
//! transaction (the caller wraps them): stage the rows in the temporary table
//! `<alias>__dbt_tmp`, apply `on_schema_change`, run the strategy, drop the staging table.
//!
//! Config keys read (see [`IncrementalConfig`]):
//! - `incremental_strategy`: `append`, `delete+insert` or `merge`. Unset (or `default`)
//!   means `delete+insert`, as in dbt-duckdb, which without a `unique_key` is a plain
//!   insert. `microbatch` and custom strategy macros are refused.
//! - `unique_key`: a string or a list. Key parts are SQL, written into the statements as
//!   given (dbt-duckdb does not quote them).
//! - `incremental_predicates` (or the older `predicates`): extra conditions, each wrapped
//!   in parentheses (dbt-duckdb's delete does not wrap them, so an `or` inside one would
//!   escape). They may name the target as `DBT_INCREMENTAL_TARGET` (delete+insert with a
//!   key list) or `DBT_INTERNAL_DEST` (merge), the aliases dbt-duckdb uses.
//! - `merge_update_columns` / `merge_exclude_columns`: which columns a merge updates.
//! - `on_schema_change`: `ignore` (default), `fail`, `append_new_columns`,
//!   `sync_all_columns`.
//! - `null_safe_unique_key` (xform only, default false): see below.
//!
//! What dbt-duckdb 1.11 does on DuckDB 2.0, checked by running it, and how xform follows:
//! - delete+insert with a string key is `delete ... where (key) in (select (key) ...)`;
//!   with a list it is `delete ... using <staging> where s.k1 = t.k1 and ...`. For a
//!   string like `"a, b"` the `in` compares row values, and DuckDB's row comparison treats
//!   NULL parts as equal, so that form matches NULLs while the list form does not.
//! - merge (DuckDB >= 1.4) is `merge into ... on (keys) and (predicates)`; without a
//!   `unique_key` the condition is `FALSE`, so every staged row is inserted (an append).
//!   dbt-duckdb updates and inserts `by name`; xform lists the columns explicitly, which
//!   gives the same rows. `merge_update_columns` are written raw by dbt-duckdb; xform
//!   matches them to the model's columns (case-insensitively) and quotes them. The other
//!   dbt-duckdb merge options (`merge_clauses`, `merge_update_condition`, ...) are refused.
//! - dbt-duckdb stages into `<identifier>__dbt_tmp<timestamp>` and leaves it for the
//!   connection to drop; xform uses a fixed name in `temp.main` (`create or replace`) and
//!   drops it in the same transaction.
//! - on_schema_change compares column names exactly in dbt, so a column that only changed
//!   case counts as removed plus added and the `alter table` then fails in DuckDB (whose
//!   names ignore case). xform compares names case-insensitively.
//! - `ignore` writes the table's columns: new model columns are left out, and a table
//!   column the model stopped producing fails the run (dbt fails in the insert; xform
//!   refuses to plan, naming the columns). dbt-duckdb's merge updates and inserts `by
//!   name`, which turns both around: a column the model stopped producing is left alone on
//!   update and NULL on insert, and a new model column fails the merge. xform plans the
//!   same outcomes (with an error naming the new columns). One gap: with
//!   `merge_exclude_columns` dbt-duckdb's explicit update still lists the removed column
//!   and fails, while xform leaves the column alone as in the default merge.
//! - `append_new_columns` adds the new columns (`alter table ... add column`); removed
//!   columns stay and get NULL in new rows; type changes are left to the insert's cast.
//! - `sync_all_columns` adds, then drops, then retypes: a retyped column is copied into
//!   `<name>__dbt_alter`, dropped and renamed back, so it moves to the end of the table.
//!   Types compare as text, with every string type counted as one.
//! - `fail` refuses any difference, type changes included. An invalid value is an error
//!   here (dbt logs it and falls back to `ignore`).
//!
//! `null_safe_unique_key: true` makes delete+insert and merge compare each key part with
//! `is not distinct from` instead of `=`, so rows whose key has NULL parts are replaced
//! instead of duplicated (dbt-core#5691). A string key is then split on its top-level
//! commas into parts.

mod config;
pub(crate) mod schema;
#[cfg(test)]
mod tests;

pub(crate) use config::string_list;
pub use config::{
    BIGQUERY_STRATEGIES, DUCKDB_STRATEGIES, IncrementalConfig, OnSchemaChange, Strategy, UniqueKey,
};

use super::PlanError;
use crate::adapter::Column;
use crate::dialect::Dialect;
use crate::node::Node;

/// Everything one incremental run of a model depends on.
#[derive(Debug, Clone, Copy)]
pub struct IncrementalInput<'a> {
    /// The model; its config holds the keys listed in the module doc.
    pub node: &'a Node,
    pub dialect: Dialect,
    /// The model's compiled SQL, rendered with `is_incremental()` true.
    pub sql: &'a str,
    /// The existing table, quoted as the dialect writes relations.
    pub target: &'a str,
    /// The existing table's columns, in order.
    pub existing: &'a [Column],
    /// The columns `sql` produces, in order.
    pub incoming: &'a [Column],
}

/// Checks an incremental model's config as the target `dialect` reads it, before
/// anything runs (a misspelt strategy, a BigQuery `partition_by` that cannot work, ...).
pub fn validate(node: &Node, dialect: Dialect) -> Result<(), PlanError> {
    match dialect {
        Dialect::DuckDb => IncrementalConfig::from_node(node).map(drop),
        Dialect::BigQuery => super::bigquery::incremental::validate(node),
    }
}

/// dbt's alias for the table being merged into, usable in `incremental_predicates`.
pub(crate) const DEST: &str = "DBT_INTERNAL_DEST";
/// dbt's alias for the staged rows.
pub(crate) const SOURCE: &str = "DBT_INTERNAL_SOURCE";
/// dbt-duckdb's alias for the target of a delete+insert with a key list.
const DELETE_TARGET: &str = "DBT_INCREMENTAL_TARGET";

/// The staging table's name: temporary tables live in DuckDB's `temp.main`, and naming
/// that schema keeps the final `drop` from ever reaching a permanent table of the same name.
pub fn staging_relation(node: &Node, dialect: Dialect) -> String {
    let alias = if node.alias.is_empty() {
        &node.name
    } else {
        &node.alias
    };
    dialect.relation("temp", "main", &format!("{alias}__dbt_tmp"))
}

/// The statements that apply one incremental run, to be run in a single transaction.
pub fn plan_incremental(input: &IncrementalInput) -> Result<Vec<String>, PlanError> {
    if input.dialect == Dialect::BigQuery {
        return super::bigquery::incremental::plan(input);
    }
    let config = IncrementalConfig::from_node(input.node)?;
    let staging = staging_relation(input.node, input.dialect);
    let reconciled = schema::reconcile(input, config.on_schema_change, config.strategy)?;
    let mut statements = vec![format!(
        "create or replace temporary table {staging} as (\n{}\n)",
        input.sql
    )];
    statements.extend(reconciled.statements);
    let sql = Sql {
        config: &config,
        dialect: input.dialect,
        target: input.target,
        staging: &staging,
        columns: &reconciled.columns,
    };
    match config.strategy {
        Strategy::Append => statements.push(sql.insert()),
        Strategy::DeleteInsert => {
            statements.extend(sql.delete());
            statements.push(sql.insert());
        }
        Strategy::Merge => statements.push(sql.merge(&input.node.unique_id)?),
        // `for_dialect` only reads this strategy for BigQuery targets.
        Strategy::InsertOverwrite => {
            return Err(PlanError::InvalidStrategy {
                node: input.node.unique_id.clone(),
                value: Strategy::InsertOverwrite.as_str().into(),
                expected: DUCKDB_STRATEGIES,
            });
        }
    }
    statements.push(format!("drop table if exists {staging}"));
    Ok(statements)
}

/// The pieces every strategy's SQL is written from.
struct Sql<'a> {
    config: &'a IncrementalConfig,
    dialect: Dialect,
    target: &'a str,
    staging: &'a str,
    /// Unquoted destination columns.
    columns: &'a [String],
}

impl Sql<'_> {
    fn quoted(&self, columns: &[String]) -> Vec<String> {
        columns.iter().map(|c| self.dialect.quote(c)).collect()
    }

    fn insert(&self) -> String {
        let list = self.quoted(self.columns).join(", ");
        format!(
            "insert into {} ({list})\nselect {list}\nfrom {}",
            self.target, self.staging
        )
    }

    /// The delete half of delete+insert (nothing without a unique_key).
    fn delete(&self) -> Option<String> {
        let predicates = self.predicates();
        match &self.config.unique_key {
            UniqueKey::None => None,
            UniqueKey::Expr(key) if !self.config.null_safe_unique_key => Some(format!(
                "delete from {}\nwhere ({key}) in (select ({key}) from {}){predicates}",
                self.target, self.staging
            )),
            key => Some(format!(
                "delete from {} as {DELETE_TARGET}\nusing {} as {SOURCE}\nwhere ({}){predicates}",
                self.target,
                self.staging,
                self.key_conditions(key, DELETE_TARGET).join(" and ")
            )),
        }
    }

    fn merge(&self, node: &str) -> Result<String, PlanError> {
        let mut on = self.key_conditions(&self.config.unique_key, DEST);
        if on.is_empty() {
            // dbt-duckdb's merge without a key matches nothing: every row is inserted.
            on.push("FALSE".into());
        }
        on.extend(self.config.predicates.iter().cloned());
        let mut sql = format!(
            "merge into {} as {DEST}\nusing {} as {SOURCE}\non ({})",
            self.target,
            self.staging,
            on.join(") and (")
        );
        let updates = update_columns(self.config, self.columns, node)?;
        if !updates.is_empty() {
            let sets: Vec<String> = self
                .quoted(&updates)
                .iter()
                .map(|c| format!("{c} = {SOURCE}.{c}"))
                .collect();
            sql.push_str(&format!(
                "\nwhen matched then update set {}",
                sets.join(", ")
            ));
        }
        let columns = self.quoted(self.columns);
        let values: Vec<String> = columns.iter().map(|c| format!("{SOURCE}.{c}")).collect();
        sql.push_str(&format!(
            "\nwhen not matched then insert ({}) values ({})",
            columns.join(", "),
            values.join(", ")
        ));
        Ok(sql)
    }

    /// `SOURCE.k = <target>.k` per key part (`is not distinct from` when null-safe).
    fn key_conditions(&self, key: &UniqueKey, target_alias: &str) -> Vec<String> {
        let op = if self.config.null_safe_unique_key {
            "is not distinct from"
        } else {
            "="
        };
        let parts = match key {
            // Unsplit, as dbt writes a string key into the merge condition.
            UniqueKey::Expr(e) if !self.config.null_safe_unique_key => vec![e.clone()],
            other => other.parts(),
        };
        parts
            .iter()
            .map(|k| format!("{SOURCE}.{k} {op} {target_alias}.{k}"))
            .collect()
    }

    fn predicates(&self) -> String {
        self.config
            .predicates
            .iter()
            .map(|p| format!("\n  and ({p})"))
            .collect()
    }
}

/// The columns a matched row takes from the staged one: `merge_update_columns` matched
/// to the written columns (case-insensitively), or every column but
/// `merge_exclude_columns`.
pub(crate) fn update_columns(
    config: &IncrementalConfig,
    columns: &[String],
    node: &str,
) -> Result<Vec<String>, PlanError> {
    if !config.merge_update_columns.is_empty() {
        return config
            .merge_update_columns
            .iter()
            .map(|wanted| {
                let wanted = unquote(wanted);
                columns
                    .iter()
                    .find(|c| schema::same_name(c, wanted))
                    .cloned()
                    .ok_or_else(|| PlanError::InvalidConfig {
                        node: node.to_string(),
                        key: "merge_update_columns".into(),
                        problem: format!("names `{wanted}`, which the model does not write"),
                    })
            })
            .collect();
    }
    Ok(columns
        .iter()
        .filter(|c| {
            !config
                .merge_exclude_columns
                .iter()
                .any(|e| schema::same_name(unquote(e), c))
        })
        .cloned()
        .collect())
}

/// `"Col"` (or BigQuery's `` `Col` ``) -> `Col`: dbt users sometimes quote names in merge
/// column lists.
pub(crate) fn unquote(name: &str) -> &str {
    ['"', '`']
        .iter()
        .find_map(|q| name.strip_prefix(*q).and_then(|n| n.strip_suffix(*q)))
        .unwrap_or(name)
}
