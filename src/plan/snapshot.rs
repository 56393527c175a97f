//! Snapshots: a compiled snapshot node + the columns of its query and of the table already
//! there -> the SQL statements that record a new state of the source (pure: no I/O here).
//!
//! The statements reproduce what dbt-core 1.12 with dbt-duckdb 1.11 does, checked by running
//! both on the same data through insert / update / delete / reappear / new-column sequences
//! and comparing the tables (see `tests/fixtures/snapshots_basic/EXPECTED.md`). What was
//! verified, in short:
//!
//! - **First run**: `create table` from the query plus, in this order, `dbt_scd_id`,
//!   `dbt_updated_at`, `dbt_valid_from`, `dbt_valid_to` and, with `hard_deletes: new_record`
//!   only, `dbt_is_deleted` (`'False'` / `'True'`, VARCHAR). Each name can be renamed through
//!   `snapshot_meta_column_names`.
//! - **Version stamp**: the timestamp strategy stamps `dbt_updated_at` and `dbt_valid_from` with
//!   the `updated_at` expression, so they keep its type (TIMESTAMP stays TIMESTAMP,
//!   TIMESTAMPTZ stays TIMESTAMPTZ). The check strategy stamps them with the configured
//!   `updated_at` when there is one and with the snapshot time otherwise. The snapshot time is
//!   `now()::timestamp`: TIMESTAMP without time zone, the session's local wall-clock time.
//!   DuckDB's `now()` is the start of the transaction, so every statement of one run sees the
//!   same instant as long as they run in one transaction (the caller's job).
//! - **`dbt_valid_to`** is NULL on current versions, typed like the stamp; with
//!   `dbt_valid_to_current` it holds that expression, and "current" then means equal to it or
//!   NULL.
//! - **`dbt_scd_id`** is `md5` of the key parts and the stamp, each cast to varchar, NULL turned
//!   into `''`, joined with `'|'`: `md5(coalesce(cast(k as varchar), '') || '|' ||
//!   coalesce(cast(stamp as varchar), ''))`. For the timestamp strategy the ids are therefore
//!   identical to dbt's; for the check strategy they contain the run time.
//! - **Changes**: a source row whose key matches no current version, or matches one it differs
//!   from, gets a new version; the matched version is closed with `dbt_valid_to` = the new
//!   stamp. Timestamp: differs when `current.dbt_valid_from < source.updated_at` (a NULL
//!   `updated_at` never counts). Check: differs when any checked column is distinct (NULL vs a
//!   value counts, NULL vs NULL does not). With `check_cols: all` every query column is
//!   checked, and if the query has a column the table lacks (or a listed column is new) every
//!   matched row counts as changed, once.
//! - **Keys** are compared with plain `=`, so a row with a NULL key part never matches and gets
//!   a new version every run; a composite key compares part by part.
//! - **Hard deletes**: `ignore` leaves versions whose key left the source current;
//!   `invalidate` closes them at the snapshot time; `new_record` closes them and inserts a copy
//!   of the closed row stamped with the snapshot time, `dbt_is_deleted = 'True'`, the old
//!   `dbt_valid_to` (NULL or the current marker) and `md5(old scd id | snapshot time)` as id.
//!   A key that comes back after a `new_record` delete gets a new version and closes the
//!   deletion record. The legacy `invalidate_hard_deletes: true` means `invalidate`.
//! - **New query columns** are added to the table (`alter table ... add column`, the query's
//!   type) before the new versions are inserted; older versions keep NULL there.
//!
//! Differences from dbt, all in cases where dbt itself fails: column names are matched the way
//! DuckDB resolves them (case-insensitively) where dbt compares exact strings and then fails on
//! a duplicate `alter table`, and a `check_cols` entry missing from the query is reported here
//! instead of by the warehouse.

mod config;
mod staging;
#[cfg(test)]
mod tests;

pub use config::{CheckCols, HardDeletes, MetaColumns, SnapshotConfig, Strategy};

use crate::adapter::Column;
use crate::dialect::Dialect;
use crate::node::Node;
use crate::plan::PlanError;

/// dbt-duckdb's snapshot time: the transaction's start, as a local TIMESTAMP.
pub const SNAPSHOT_TIME: &str = "now()::timestamp";

/// The snapshot time on BigQuery (dbt-bigquery's `current_timestamp()`).
const SNAPSHOT_TIME_BIGQUERY: &str = "current_timestamp()";

fn snapshot_time(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::DuckDb => SNAPSHOT_TIME,
        Dialect::BigQuery => SNAPSHOT_TIME_BIGQUERY,
    }
}

/// What one snapshot run is planned from.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotInput<'a> {
    pub node: &'a Node,
    pub dialect: Dialect,
    /// The snapshot's compiled select.
    pub sql: &'a str,
    /// The snapshot table, quoted as it should appear in SQL.
    pub target: &'a str,
    /// The table's columns in order; `None` when it does not exist yet (the first run).
    pub existing: Option<&'a [Column]>,
    /// The columns of `sql`, in order (from a `describe` of the query).
    pub source_columns: &'a [Column],
}

/// The statements that take the snapshot table from its current state to one that records the
/// source as it is now. They must run in one transaction, in order: the snapshot time is read
/// by several of them and a staging temp table lives between them. The target's schema must
/// already exist, and a view at the target is the caller's to refuse (dbt does).
pub fn plan_snapshot(input: &SnapshotInput) -> Result<Vec<String>, PlanError> {
    let config = SnapshotConfig::from_node(input.node)?;
    let sql = Sql {
        input,
        config: &config,
        stamp: match &config.strategy {
            Strategy::Timestamp { updated_at } => updated_at.clone(),
            Strategy::Check { updated_at, .. } => updated_at
                .clone()
                .unwrap_or_else(|| snapshot_time(input.dialect).to_string()),
        },
    };
    match input.existing {
        None => Ok(vec![sql.create_table()]),
        Some(existing) => sql.merge(existing),
    }
}

/// The pieces of SQL one plan is assembled from.
struct Sql<'a> {
    input: &'a SnapshotInput<'a>,
    config: &'a SnapshotConfig,
    /// What versions are stamped with: `updated_at`, or the snapshot time.
    stamp: String,
}

impl Sql<'_> {
    fn q(&self, ident: &str) -> String {
        self.input.dialect.quote(ident)
    }

    /// dbt's version id: the key parts and the stamp, hashed.
    fn scd_id(&self) -> String {
        let parts: Vec<&str> = self
            .config
            .unique_key
            .iter()
            .map(String::as_str)
            .chain([self.stamp.as_str()])
            .collect();
        self.hash(&parts)
    }

    fn hash(&self, parts: &[&str]) -> String {
        hash(self.input.dialect, parts)
    }

    fn now(&self) -> &'static str {
        snapshot_time(self.input.dialect)
    }

    /// valid_to of a new current version: the marker (or NULL) typed like the stamp, so the
    /// column gets the stamp's type on the first run.
    fn open_valid_to(&self, stamp: &str) -> String {
        let current = self.config.valid_to_current.as_deref().unwrap_or("null");
        format!("case when false then {stamp} else {current} end")
    }

    fn create_table(&self) -> String {
        let c = &self.config.columns;
        let mut meta = vec![
            format!("{} as {}", self.scd_id(), self.q(&c.scd_id)),
            format!("{} as {}", self.stamp, self.q(&c.updated_at)),
            format!("{} as {}", self.stamp, self.q(&c.valid_from)),
            format!(
                "{} as {}",
                self.open_valid_to(&self.stamp),
                self.q(&c.valid_to)
            ),
        ];
        if self.config.hard_deletes == HardDeletes::NewRecord {
            meta.push(format!("'False' as {}", self.q(&c.is_deleted)));
        }
        format!(
            "create table {target} as (\nselect *,\n    {meta}\nfrom (\n{sql}\n) as snapshot_query\n)",
            target = self.input.target,
            meta = meta.join(",\n    "),
            sql = self.input.sql,
        )
    }

    /// Later runs: stage the changes, add new columns, close old versions, insert new ones.
    fn merge(&self, existing: &[Column]) -> Result<Vec<String>, PlanError> {
        self.check_target(existing)?;
        let target = self.input.target;
        let staging = self.q(&format!("{}__xform_snapshot_staging", self.alias()));
        let c = &self.config.columns;
        let mut statements = vec![format!(
            "create or replace temporary table {staging} as (\n{}\n)",
            self.staging_select(existing)?
        )];
        for column in self.new_columns(existing) {
            statements.push(format!(
                "alter table {target} add column {} {}",
                self.q(&column.name),
                column.data_type
            ));
        }
        // BigQuery's DDL cannot run in a transaction, its DML can: closing old versions
        // and inserting new ones commit together (DuckDB's caller wraps the whole list).
        let bigquery = self.input.dialect == Dialect::BigQuery;
        if bigquery {
            statements.push("begin transaction".to_string());
        }
        statements.push(format!(
            "update {target} as snapshot_rows\nset {valid_to} = staged.{valid_to}\n\
             from {staging} as staged\n\
             where staged.{scd_id} = snapshot_rows.{scd_id}\n  \
             and staged.xform_change in ('update', 'delete')\n  and {current}",
            valid_to = self.q(&c.valid_to),
            scd_id = self.q(&c.scd_id),
            current = self.is_current(&format!("snapshot_rows.{}", self.q(&c.valid_to))),
        ));
        let columns = self
            .inserted_columns()
            .iter()
            .map(|name| self.q(name))
            .collect::<Vec<_>>()
            .join(", ");
        statements.push(format!(
            "insert into {target} ({columns})\nselect {columns}\nfrom {staging}\nwhere xform_change = 'insert'"
        ));
        if bigquery {
            statements.push("commit transaction".to_string());
        }
        statements.push(format!("drop table {staging}"));
        Ok(statements)
    }

    fn alias(&self) -> &str {
        let node = self.input.node;
        if node.alias.is_empty() {
            &node.name
        } else {
            &node.alias
        }
    }

    /// dbt refuses a target without its meta columns rather than guessing.
    fn check_target(&self, existing: &[Column]) -> Result<(), PlanError> {
        let c = &self.config.columns;
        let mut required = vec![&c.scd_id, &c.valid_from, &c.valid_to];
        if self.config.hard_deletes == HardDeletes::NewRecord {
            required.push(&c.is_deleted);
        }
        let missing: Vec<String> = required
            .into_iter()
            .filter(|name| find(existing, name).is_none())
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(PlanError::SnapshotTargetMissingColumns {
            node: self.input.node.unique_id.clone(),
            target: self.input.target.to_string(),
            missing: missing.join("\", \""),
        })
    }

    /// Query columns (and a missing `dbt_updated_at`) the table does not have yet.
    fn new_columns(&self, existing: &[Column]) -> Vec<Column> {
        let mut new: Vec<Column> = self
            .input
            .source_columns
            .iter()
            .filter(|col| find(existing, &col.name).is_none())
            .cloned()
            .collect();
        let updated_at = &self.config.columns.updated_at;
        if find(existing, updated_at).is_none() {
            // Tables made before dbt_updated_at existed: it takes the stamp's type.
            let data_type = find(self.input.source_columns, &self.stamp)
                .map_or_else(|| "timestamp".to_string(), |col| col.data_type.clone());
            new.push(Column {
                name: updated_at.clone(),
                data_type,
            });
        }
        new
    }

    /// The staging table's columns that land in the snapshot table.
    fn inserted_columns(&self) -> Vec<String> {
        let c = &self.config.columns;
        let mut names: Vec<String> = self
            .input
            .source_columns
            .iter()
            .map(|col| col.name.clone())
            .collect();
        names.extend([&c.updated_at, &c.valid_from, &c.valid_to, &c.scd_id].map(String::clone));
        if self.config.hard_deletes == HardDeletes::NewRecord {
            names.push(c.is_deleted.clone());
        }
        names
    }

    /// Whether the row whose valid_to is `valid_to` is a current version.
    fn is_current(&self, valid_to: &str) -> String {
        match &self.config.valid_to_current {
            Some(marker) => format!("({valid_to} = {marker} or {valid_to} is null)"),
            None => format!("{valid_to} is null"),
        }
    }
}

/// A column of `columns` by name, matched the way DuckDB resolves identifiers.
fn find<'c>(columns: &'c [Column], name: &str) -> Option<&'c Column> {
    columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// dbt's hash of several SQL values: md5 of their text forms, NULL as '', '|' between
/// (hex text on both warehouses: BigQuery's md5 gives bytes, so it is hex-encoded).
fn hash(dialect: Dialect, parts: &[&str]) -> String {
    let text = match dialect {
        Dialect::DuckDb => "varchar",
        Dialect::BigQuery => "string",
    };
    let parts: Vec<String> = parts
        .iter()
        .map(|p| format!("coalesce(cast({p} as {text}), '')"))
        .collect();
    match dialect {
        Dialect::DuckDb => format!("md5({})", parts.join(" || '|' || ")),
        Dialect::BigQuery => format!("to_hex(md5({}))", parts.join(" || '|' || ")),
    }
}
