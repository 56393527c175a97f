//! Embedded DuckDB: one database file, a connection per worker, statements and queries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use duckdb::Connection;
use duckdb::types::{TimeUnit, Value};
use serde_json::Value as Json;

use super::{Adapter, AdapterError, Column, RelationKind, Rows};
use crate::dialect::Dialect;

/// A DuckDB database file (or `:memory:`) with a pool of connections to it.
pub struct DuckDb {
    path: PathBuf,
    root: Mutex<Connection>,
    pool: Mutex<Vec<Connection>>,
    /// The profile's `settings:` as SET statements, run on every new connection (some
    /// DuckDB options are per connection).
    settings: Vec<String>,
    /// `XFORM_STATEMENT_LOG`: every statement is appended here, so a benchmark can replay
    /// exactly what xform ran without xform around it (bench/build_bench.sh).
    log: Option<Mutex<std::fs::File>>,
}

/// Separates statements in the statement log.
pub const LOG_SEPARATOR: &str = "\n-- xform:statement\n";

impl DuckDb {
    /// Opens (creating if needed) the database; a file locked by another process is
    /// reported as `Locked` so the caller can say so plainly.
    pub fn open(path: &Path) -> Result<DuckDb, AdapterError> {
        let shown = path.display().to_string();
        let conn = if path.as_os_str() == ":memory:" {
            Connection::open_in_memory()
        } else {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| AdapterError::Open {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            }
            Connection::open(path)
        };
        let conn = conn.map_err(|e| {
            let message = e.to_string();
            if message.contains("lock") {
                AdapterError::Locked {
                    path: shown.clone(),
                    message,
                }
            } else {
                AdapterError::Open {
                    path: shown.clone(),
                    message,
                }
            }
        })?;
        let log = std::env::var_os("XFORM_STATEMENT_LOG").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
                .map(Mutex::new)
        });
        Ok(DuckDb {
            path: path.to_path_buf(),
            root: Mutex::new(conn),
            pool: Mutex::new(Vec::new()),
            settings: Vec::new(),
            log,
        })
    }

    /// Applies a dbt-duckdb profile's `settings:` (`memory_limit: 1GB`, ...) and loads its
    /// `extensions:`. Only extensions compiled into xform load: nothing is downloaded.
    pub fn configure(
        &mut self,
        settings: &[(String, String)],
        extensions: &[String],
    ) -> Result<(), AdapterError> {
        let conn = self.root.get_mut().unwrap_or_else(|e| e.into_inner());
        for (key, value) in settings {
            if !is_identifier(key) {
                return Err(AdapterError::Setting {
                    key: key.clone(),
                    message: "not a DuckDB setting name".into(),
                });
            }
            let statement = format!("set {key} = {}", string_literal(value));
            conn.execute_batch(&statement)
                .map_err(|e| AdapterError::Setting {
                    key: key.clone(),
                    message: e.to_string(),
                })?;
            self.settings.push(statement);
        }
        for name in extensions {
            if !is_identifier(name) {
                return Err(AdapterError::Extension {
                    name: name.clone(),
                    message: "not an extension name".into(),
                });
            }
            conn.execute_batch(&format!("load {name}"))
                .map_err(|e| AdapterError::Extension {
                    name: name.clone(),
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn record(&self, sql: &str) {
        if let Some(log) = &self.log {
            use std::io::Write;
            let mut f = log.lock().unwrap_or_else(|e| e.into_inner());
            let _ = write!(f, "{sql}{LOG_SEPARATOR}");
        }
    }

    /// Borrows a connection for one call; connections are cloned from the root on demand
    /// (one per concurrently working thread) and returned to the pool afterwards.
    fn with_connection<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, duckdb::Error>,
    ) -> Result<R, AdapterError> {
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let conn = self
                    .root
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .try_clone()
                    .map_err(sql_error)?;
                for statement in &self.settings {
                    conn.execute_batch(statement).map_err(sql_error)?;
                }
                conn
            }
        };
        let out = f(&conn).map_err(sql_error);
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
        out
    }
}

fn sql_error(e: duckdb::Error) -> AdapterError {
    AdapterError::Sql {
        message: e.to_string(),
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Adapter for DuckDb {
    fn dialect(&self) -> Dialect {
        Dialect::DuckDb
    }

    fn execute(&self, sql: &str) -> Result<(), AdapterError> {
        self.record(sql);
        self.with_connection(|c| c.execute_batch(sql))
    }

    fn execute_atomically(&self, sql: &[String]) -> Result<(), AdapterError> {
        if self.log.is_some() {
            self.record(&format!("begin transaction;\n{};\ncommit", sql.join(";\n")));
        }
        self.with_connection(|c| {
            c.execute_batch("begin transaction")?;
            for statement in sql {
                if let Err(e) = c.execute_batch(statement) {
                    // The statement's error is the one worth reporting, not the rollback's.
                    let _ = c.execute_batch("rollback");
                    return Err(e);
                }
            }
            c.execute_batch("commit")
        })
    }

    fn query(&self, sql: &str) -> Result<Rows, AdapterError> {
        self.record(sql);
        self.with_connection(|c| {
            let mut stmt = c.prepare(sql)?;
            let mut rows = stmt.query([])?;
            let mut out = Rows::default();
            while let Some(row) = rows.next()? {
                if out.columns.is_empty() {
                    out.columns = row.as_ref().column_names();
                }
                let mut values = Vec::with_capacity(out.columns.len());
                for i in 0..out.columns.len() {
                    values.push(to_json(row.get::<_, Value>(i)?));
                }
                out.rows.push(values);
            }
            if out.columns.is_empty() {
                out.columns = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
            }
            Ok(out)
        })
    }

    fn relation_kind(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> Result<Option<RelationKind>, AdapterError> {
        let sql = format!(
            "select table_type from information_schema.tables where table_catalog = {} and table_schema = {} and table_name = {}",
            string_literal(database),
            string_literal(schema),
            string_literal(identifier)
        );
        let rows = self.query(&sql)?;
        Ok(rows
            .rows
            .first()
            .and_then(|r| r.first())
            .and_then(Json::as_str)
            .map(kind_of))
    }

    fn relations(&self) -> Result<Vec<(String, RelationKind)>, AdapterError> {
        let rows = self.query(
            "select lower(table_catalog || '.' || table_schema || '.' || table_name), table_type from information_schema.tables",
        )?;
        Ok(rows
            .rows
            .into_iter()
            .filter_map(|r| {
                let name = r.first()?.as_str()?.to_string();
                let kind = kind_of(r.get(1)?.as_str()?);
                Some((name, kind))
            })
            .collect())
    }

    fn describe(&self, sql: &str) -> Result<Vec<Column>, AdapterError> {
        let rows = self.query(&format!("describe select * from (\n{sql}\n)"))?;
        Ok(rows
            .rows
            .into_iter()
            .map(|r| Column {
                name: text(r.first()),
                data_type: text(r.get(1)),
            })
            .collect())
    }

    fn columns(
        &self,
        database: &str,
        schema: &str,
        identifier: &str,
    ) -> Result<Vec<Column>, AdapterError> {
        let sql = format!(
            "select column_name, data_type from information_schema.columns where table_catalog = {} and table_schema = {} and table_name = {} order by ordinal_position",
            string_literal(database),
            string_literal(schema),
            string_literal(identifier)
        );
        Ok(self
            .query(&sql)?
            .rows
            .into_iter()
            .map(|r| Column {
                name: text(r.first()),
                data_type: text(r.get(1)),
            })
            .collect())
    }

    /// One pass over information_schema.columns: asking per relation costs a scan of the
    /// whole catalog each time (minutes for a thousand relations).
    fn columns_of(
        &self,
        relations: &[(&str, &str, &str)],
    ) -> Result<HashMap<String, Vec<Column>>, AdapterError> {
        let wanted: std::collections::HashSet<String> = relations
            .iter()
            .map(|(d, s, i)| super::relation_key(d, s, i))
            .collect();
        let rows = self.query(
            "select lower(table_catalog || '.' || table_schema || '.' || table_name), column_name, data_type from information_schema.columns order by 1, ordinal_position",
        )?;
        let mut out: HashMap<String, Vec<Column>> = HashMap::new();
        for r in rows.rows {
            let key = text(r.first());
            if wanted.contains(&key) {
                out.entry(key).or_default().push(Column {
                    name: text(r.get(1)),
                    data_type: text(r.get(2)),
                });
            }
        }
        Ok(out)
    }
}

fn kind_of(table_type: &str) -> RelationKind {
    if table_type.eq_ignore_ascii_case("VIEW") {
        RelationKind::View
    } else {
        RelationKind::Table
    }
}

fn text(v: Option<&Json>) -> String {
    v.and_then(Json::as_str).unwrap_or_default().to_string()
}

/// A DuckDB value as JSON: numbers, text, booleans; dates and timestamps as ISO text.
fn to_json(v: Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(b),
        Value::TinyInt(i) => Json::from(i),
        Value::SmallInt(i) => Json::from(i),
        Value::Int(i) => Json::from(i),
        Value::BigInt(i) => Json::from(i),
        Value::UTinyInt(i) => Json::from(i),
        Value::USmallInt(i) => Json::from(i),
        Value::UInt(i) => Json::from(i),
        Value::UBigInt(i) => Json::from(i),
        Value::HugeInt(i) => {
            i64::try_from(i).map_or_else(|_| Json::from(i.to_string()), Json::from)
        }
        Value::Float(f) => {
            serde_json::Number::from_f64(f64::from(f)).map_or(Json::Null, Json::Number)
        }
        Value::Double(f) => serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number),
        Value::Text(s) => Json::String(s),
        Value::Date32(days) => chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163)
            .map_or(Json::Null, |d| Json::from(d.to_string())),
        Value::Timestamp(unit, n) => {
            let micros = match unit {
                TimeUnit::Second => n.saturating_mul(1_000_000),
                TimeUnit::Millisecond => n.saturating_mul(1_000),
                TimeUnit::Microsecond => n,
                TimeUnit::Nanosecond => n / 1_000,
            };
            chrono::DateTime::from_timestamp_micros(micros)
                .map_or(Json::Null, |t| Json::from(t.naive_utc().to_string()))
        }
        // Exact decimal text ("12.50"): a float would lose digits and the scale.
        Value::Decimal(d) => Json::from(d.to_string()),
        Value::Enum(s) => Json::String(s),
        other => Json::from(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reads_relations_in_a_real_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = DuckDb::open(&dir.path().join("w.duckdb")).unwrap();
        db.execute("create schema s; create table s.t as select 1 as id, 'a' as name, date '2024-01-02' as d; create view s.v as select * from s.t").unwrap();
        assert_eq!(
            db.relation_kind("w", "s", "t").unwrap(),
            Some(RelationKind::Table)
        );
        assert_eq!(
            db.relation_kind("w", "s", "v").unwrap(),
            Some(RelationKind::View)
        );
        assert_eq!(db.relation_kind("w", "s", "missing").unwrap(), None);
        let cols = db.columns("w", "s", "t").unwrap();
        assert_eq!(
            cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["id", "name", "d"]
        );
        let rows = db.query("select * from s.v").unwrap();
        assert_eq!(rows.columns, ["id", "name", "d"]);
        assert_eq!(
            rows.rows,
            vec![vec![
                Json::from(1),
                Json::from("a"),
                Json::from("2024-01-02")
            ]]
        );
    }

    #[test]
    fn a_failed_atomic_batch_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let db = DuckDb::open(&dir.path().join("w.duckdb")).unwrap();
        db.execute("create table t as select 1 as id").unwrap();
        let err = db
            .execute_atomically(&[
                "drop table t".to_string(),
                "create table t as select * from missing_table".to_string(),
            ])
            .unwrap_err();
        assert!(err.to_string().contains("missing_table"), "{err}");
        let rows = db.query("select id from t").unwrap();
        assert_eq!(
            rows.rows,
            vec![vec![Json::from(1)]],
            "the old table survived"
        );
    }

    #[test]
    fn opening_creates_missing_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/w.duckdb");
        let db = DuckDb::open(&path).unwrap();
        db.execute("create table t as select 1 as id").unwrap();
        drop(db);
        assert!(path.is_file());
    }
}
