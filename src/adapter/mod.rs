//! Warehouse access behind one trait: SQL in, row counts, rows and relation metadata out.
//!
//! Only this module talks to a warehouse. `plan/` decides which SQL runs; the executor
//! hands it to an `Adapter`. DuckDB is embedded (feature `duckdb`); BigQuery is a REST
//! client (feature `bigquery`).

#[cfg(feature = "bigquery")]
pub mod bigquery;
#[cfg(feature = "duckdb")]
pub mod duckdb;

use std::collections::HashMap;

use serde_json::Value as Json;

use crate::dialect::Dialect;

/// What a warehouse call can fail with; the message is the warehouse's own.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("could not open the database {path}: {message}")]
    Open { path: String, message: String },
    #[error("the database {path} is in use by another process: {message}")]
    Locked { path: String, message: String },
    #[error("{message}")]
    Sql { message: String },
    #[error("could not connect to BigQuery: {message}")]
    Connect { message: String },
    #[error("the profile's DuckDB setting `{key}` was refused: {message}")]
    Setting { key: String, message: String },
    #[error(
        "the profile's DuckDB extension `{name}` cannot be loaded: {message} (xform loads only \
         the extensions compiled into it, json and parquet, and downloads nothing)"
    )]
    Extension { name: String, message: String },
}

/// A relation as the warehouse knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    Table,
    View,
}

/// A column name and the warehouse's type name for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub data_type: String,
}

/// A query result: column names and rows of JSON values (dates and times as ISO text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Json>>,
}

/// The run-time side of a warehouse. Implementations are shared across worker threads.
pub trait Adapter: Send + Sync {
    fn dialect(&self) -> Dialect;

    /// Runs one or more statements; nothing is returned.
    fn execute(&self, sql: &str) -> Result<(), AdapterError>;

    /// Runs statements in one transaction: all of them take effect, or none does.
    fn execute_atomically(&self, sql: &[String]) -> Result<(), AdapterError>;

    /// Runs a query and returns its rows.
    fn query(&self, sql: &str) -> Result<Rows, AdapterError>;

    /// Whether a relation exists, and as what.
    fn relation_kind(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> Result<Option<RelationKind>, AdapterError>;

    /// Every relation in the database as lower-cased `database.schema.identifier`, with
    /// its kind: one catalog query at the start of a run (the relation cache).
    fn relations(&self) -> Result<Vec<(String, RelationKind)>, AdapterError>;

    /// The columns a query would produce, without running it for its rows.
    fn describe(&self, sql: &str) -> Result<Vec<Column>, AdapterError>;

    /// The bytes a statement would read, from a dry run; None where the warehouse gives
    /// no estimates (DuckDB).
    fn estimate_bytes(&self, _sql: &str) -> Result<Option<u64>, AdapterError> {
        Ok(None)
    }

    /// A relation's columns in order (empty when it does not exist).
    fn columns(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> Result<Vec<Column>, AdapterError>;

    /// Gives an existing STRUCT column the trailing fields of `data_type` (its new type,
    /// which extends the old one). BigQuery alone needs this, through its tables API: no
    /// SQL statement adds a nested field there.
    fn widen_struct(
        &self,
        _database: &str,
        _schema: &str,
        identifier: &str,
        column: &str,
        _data_type: &str,
    ) -> Result<(), AdapterError> {
        Err(AdapterError::Sql {
            message: format!(
                "cannot add fields to the STRUCT column {column} of {identifier} on {}",
                self.dialect().adapter_type()
            ),
        })
    }

    /// Replaces partition `partition` (BigQuery's id: `20240101`) of `target` with the same
    /// partition of `source`, both in `database`.`schema`. BigQuery alone has this: a copy
    /// job, which is not billed as a query.
    fn copy_partition(
        &self,
        _dataset: (&str, &str),
        source: &str,
        target: &str,
        _partition: &str,
    ) -> Result<(), AdapterError> {
        Err(AdapterError::Sql {
            message: format!(
                "cannot copy partitions of {source} over {target} on {}",
                self.dialect().adapter_type()
            ),
        })
    }

    /// The columns of many relations, by lower-cased `database.schema.identifier` (absent
    /// relations are left out). A warehouse with a columns view answers in one query.
    fn columns_of(
        &self,
        relations: &[(&str, &str, &str)],
    ) -> Result<HashMap<String, Vec<Column>>, AdapterError> {
        let mut out = HashMap::new();
        for (database, schema, identifier) in relations {
            let columns = self.columns(database, schema, identifier)?;
            if !columns.is_empty() {
                out.insert(relation_key(database, schema, identifier), columns);
            }
        }
        Ok(out)
    }
}

/// The lower-cased `database.schema.identifier` the relation cache and catalog key on.
pub fn relation_key(database: &str, schema: &str, identifier: &str) -> String {
    format!("{database}.{schema}.{identifier}").to_lowercase()
}

thread_local! {
    static CURRENT_NODE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with the node whose statements this thread submits, so a warehouse can tag
/// its jobs (BigQuery's `dbt_node_id` label).
pub fn for_node<R>(unique_id: &str, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT_NODE.with(|c| c.replace(Some(unique_id.to_string())));
    let out = f();
    CURRENT_NODE.with(|c| *c.borrow_mut() = previous);
    out
}

/// The node set by [`for_node`] on this thread, if any.
pub fn current_node() -> Option<String> {
    CURRENT_NODE.with(|c| c.borrow().clone())
}
